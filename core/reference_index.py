"""One reference-index update per object for a whole publish, instead of one per save.

Wagtail keeps its reference index (what the admin shows as an image's or snippet's "usage") up
to date with a ``post_save`` receiver: every save of a tracked object — and every save of a child
row (``ParentalKey``), which stands for its parent — rebuilds the index rows of that object. A
listing's ``save_revision().publish()`` so rebuilt the listing's rows four times: the page saved
by ``save_revision``, the page saved again by ``publish`` and once per screenshot row written back
with it, each time reading the page's children and references again.

Inside :func:`one_update_per_object`, Wagtail's receivers are switched off with its documented
``disable_reference_index_auto_update()``; what they would have done is collected instead (our
own ``post_save`` / ``post_delete`` receivers, connected in ``CoreConfig.ready``) and done once
when the block ends without an error: the removals of deleted objects, then one update of each
saved object, a child row counting as its parent — by the same task Wagtail's receiver queues,
so the index ends exactly as before. :class:`OneReferenceIndexUpdate` wraps a page model's
``save_revision`` and ``publish`` in it.
"""

from __future__ import annotations

from contextlib import contextmanager

from asgiref.local import Local
from django.db import transaction
from modelcluster.fields import ParentalKey
from wagtail.models import ReferenceIndex

from core.fragments import one_content_bump

_pending = Local()


def _parent_key(instance) -> tuple[str, str, str] | None:
    """What Wagtail's task indexes for a saved ``instance``: the object itself, or for a child row
    the parent behind its first ``ParentalKey`` (the task resolves further levels itself)."""
    model, pk = type(instance), instance.pk
    for field in model._meta.get_fields():
        if isinstance(field, ParentalKey):
            pk = getattr(instance, field.attname)
            if pk is None:
                return None  # the task skips a child without a parent
            model = field.related_model
            break
    return (model._meta.app_label, model._meta.model_name, str(pk))


def collect_saved(sender, instance, raw=False, **kwargs) -> None:
    """``post_save`` of any model: inside the block, note a tracked object for the update."""
    pending = getattr(_pending, "value", None)
    if pending is None or raw or sender not in ReferenceIndex.tracked_models:
        return
    key = _parent_key(instance)
    if key is not None:
        pending["saved"].setdefault(key, None)


def collect_deleted(sender, instance, **kwargs) -> None:
    """``post_delete`` of any model: inside the block, note a tracked object for the removal."""
    pending = getattr(_pending, "value", None)
    if pending is not None and sender in ReferenceIndex.tracked_models:
        # Noted now: Django clears the primary key of every deleted object after its post_delete.
        pending["deleted"].append((ReferenceIndex._get_base_content_type(instance), str(instance.pk)))


@contextmanager
def one_update_per_object():
    """Collect the reference-index work of the saves inside and do it once at the end (nested
    blocks leave it to the outermost one; inside Wagtail's own ``disable_reference_index_auto_update``
    nothing is collected or done, as the caller asked)."""
    # Imported here: page models import this module before the app registry is ready.
    from wagtail.signal_handlers import (
        disable_reference_index_auto_update,
        reference_index_auto_update_disabled,
    )
    from wagtail.tasks import update_reference_index_task

    switched_off = getattr(reference_index_auto_update_disabled, "value", False)
    if getattr(_pending, "value", None) is not None or switched_off:
        yield  # an outer block collects, or the caller switched the updates off itself
        return

    _pending.value = pending = {"saved": {}, "deleted": []}
    try:
        with disable_reference_index_auto_update():
            yield
    finally:
        del _pending.value
    if pending["deleted"]:
        remove_for_deleted(pending["deleted"])
    for app_label, model_name, pk in pending["saved"]:  # what its post_save receiver queues
        update_reference_index_task.enqueue(app_label, model_name, pk)


def remove_for_deleted(deleted) -> None:
    """What Wagtail's ``post_delete`` receiver does for each deleted object, ``deleted`` given as
    (base content type, primary key as text) — ``ReferenceIndex.remove_for_object`` and
    ``remove_references_to`` — in two deletes per base content type instead of two per object
    (the demo reset deleting 160 listings with their images used ~3,000 statements for it)."""
    ids_by_type: dict = {}
    for base_content_type, pk in deleted:
        ids_by_type.setdefault(base_content_type, set()).add(pk)
    with transaction.atomic():
        for base_content_type, ids in ids_by_type.items():
            ReferenceIndex.objects.filter(base_content_type=base_content_type, object_id__in=ids).delete()
            ReferenceIndex.objects.filter(to_content_type=base_content_type, to_object_id__in=ids).delete()


class OneReferenceIndexUpdate:
    """Page mixin: ``save_revision`` and ``publish`` update the reference index once each (and
    bump the cached pages' content version once each, ``core.fragments.one_content_bump``)."""

    def save_revision(self, *args, **kwargs):
        with one_update_per_object(), one_content_bump():
            return super().save_revision(*args, **kwargs)

    def publish(self, *args, **kwargs):
        with one_update_per_object(), one_content_bump():
            return super().publish(*args, **kwargs)

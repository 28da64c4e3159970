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
from functools import cache

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


def _root(model, pk) -> tuple[str, str]:
    """An object by its root model (a page by ``wagtailcore.Page``) and primary key: a child row's
    ``ParentalKey`` may point at the base model (Wagtail's comments point at ``Page``)."""
    parents = model._meta.get_parent_list()
    return ((parents[-1] if parents else model)._meta.label, str(pk))


def _is_child(model) -> bool:
    return any(isinstance(field, ParentalKey) for field in model._meta.get_fields())


@cache
def _reference_free(model, update_fields: frozenset[str]) -> bool:
    """True when a save of ``model`` writing only ``update_fields`` cannot change its references:
    every name is a column Wagtail's index does not read (not a foreign key it follows, nor a
    field with ``extract_references`` such as a StreamField or rich text), as the revision
    columns ``save_revision`` writes (``latest_revision``: revisions are never indexed)."""
    columns = {}
    for field in model._meta.concrete_fields:
        columns[field.name] = columns[field.attname] = field
    generic = {
        name
        for gfk in model._meta.private_fields
        if hasattr(gfk, "ct_field")
        for name in (gfk.ct_field, gfk.fk_field)
    }
    for name in update_fields:
        field = columns.get(name)
        if field is None or field.name in generic or hasattr(field, "extract_references"):
            return False
        if field.is_relation and field.many_to_one:
            ignored = getattr(field, "wagtail_reference_index_ignore", False) or getattr(
                field.related_model, "wagtail_reference_index_ignore", False
            )
            if not ignored and not isinstance(field, ParentalKey):
                return False
    return True


def collect_saved(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """``post_save`` of any model: inside the block, note a tracked object for the update.

    A save that writes only columns the index does not read (``update_fields``, see
    :func:`_reference_free`) cannot change the object's references and is not noted — the index
    is left as it was, which is what a rebuild from the unchanged rows gives — unless something
    else in the block updates the object anyway (its child rows written or deleted: modelcluster
    commits the relations named in ``update_fields`` after ``post_save``; another save), then
    the left-out update is done too (:func:`one_update_per_object`)."""
    pending = getattr(_pending, "value", None)
    if pending is None or raw or sender not in ReferenceIndex.tracked_models:
        return
    key = _parent_key(instance)
    if key is None:
        return
    if (
        update_fields is not None
        and not _is_child(sender)
        and _reference_free(sender, frozenset(update_fields))
    ):
        pending["unchanged"][_root(sender, instance.pk)] = key
        return
    pending["saved"].setdefault(key, None)


def collect_deleted(sender, instance, **kwargs) -> None:
    """``post_delete`` of any model: inside the block, note a tracked object for the removal."""
    pending = getattr(_pending, "value", None)
    if pending is not None and sender in ReferenceIndex.tracked_models:
        # Noted now: Django clears the primary key of every deleted object after its post_delete.
        pending["deleted"].append((ReferenceIndex._get_base_content_type(instance), str(instance.pk)))
        for field in type(instance)._meta.get_fields():
            if isinstance(field, ParentalKey):  # a child row: its parent's references change
                pending["deleted_parents"].add(_root(field.related_model, getattr(instance, field.attname)))
                break


def _touched_roots(pending) -> set[tuple[str, str]]:
    """The objects (by :func:`_root`) whose references the block updates anyway: the saved ones
    and the parents of deleted child rows."""
    from django.apps import apps

    roots = {_root(apps.get_model(app_label, name), pk) for app_label, name, pk in pending["saved"]}
    roots |= pending["deleted_parents"]
    return roots


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

    _pending.value = pending = {"saved": {}, "deleted": [], "deleted_parents": set(), "unchanged": {}}
    try:
        with disable_reference_index_auto_update():
            yield
    finally:
        del _pending.value
    if pending["unchanged"]:
        # A save left out above whose object is updated anyway (a child row written or deleted,
        # another save): its own update comes back, so the index ends as one per save would leave it.
        touched = _touched_roots(pending)
        for root, key in pending["unchanged"].items():
            if root in touched:
                pending["saved"].setdefault(key, None)
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

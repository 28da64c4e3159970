"""Listing change sets (AWS Marketplace Catalog API's ``StartChangeSet``): a partner's batch of
edits to one listing, checked against the listing's revision, applied by a task and sent through
the same review workflow as an edit in the console.

* :func:`start` refuses at once what cannot run: another set still running on the listing (the
  listing is locked: ``409 change_set_in_progress``), a ``revision`` that is not the listing's
  latest (someone edited it since: ``409 revision_conflict``). It records the set and queues
  :func:`apply` after commit.
* :func:`apply` checks every change; if any fails the set is ``failed`` with one error per
  failing change (``{"index", "field", "code", "message"}``) and nothing is saved. Otherwise the
  changes become one new revision of the listing (a draft, as when a partner edits it), submitted
  to the listing's review workflow when ``submit_for_review``; the set ``succeeded`` with that
  revision. A set left running longer than :data:`STALE_AFTER` (a lost task) no longer locks.
* Each finished set is a ``change_set.succeeded`` / ``change_set.failed`` event.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from api.models import ChangeSet
from catalog.models import ListingPage
from core.exceptions import ApplicationError
from core.tasks import enqueue_on_commit
from partners.services.events import emit

#: The listing fields a change set may change (text and links; plans and media stay in the console).
EDITABLE_FIELDS = (
    "title_en",
    "tagline",
    "tagline_en",
    "video_url",
    "support_email",
    "support_url",
    "support_hours",
    "support_hours_en",
    "documentation_url",
    "privacy_url",
    "terms_url",
)
MAX_CHANGES = 20
STALE_AFTER = timedelta(minutes=15)

IN_PROGRESS = gettext_noop("Another change set is still running on this listing; wait for it to finish.")
REVISION_CONFLICT = gettext_noop(
    "The listing changed since revision %(given)s (now %(current)s); read it again and resend."
)
UNKNOWN_FIELD = gettext_noop("This field cannot be changed with a change set.")
IN_REVIEW = gettext_noop("The listing is in review; wait for the decision.")


class Conflict(ApplicationError):
    status = 409


def _release_stale(listing_id: int) -> None:
    ChangeSet.objects.filter(
        listing_id=listing_id, status__in=ChangeSet.RUNNING, updated_at__lt=timezone.now() - STALE_AFTER
    ).update(
        status=ChangeSet.Status.FAILED,
        errors=[{"index": None, "field": None, "code": "timed_out", "message": "The change set timed out."}],
        finished_at=timezone.now(),
    )


def start(
    *,
    listing: ListingPage,
    api_key,
    revision: int | None,
    changes: list[dict],
    submit_for_review: bool = True,
) -> ChangeSet:
    """Record a change set for ``listing`` and queue it, or raise :class:`Conflict` (409)."""
    _release_stale(listing.pk)
    current = ListingPage.objects.filter(pk=listing.pk).values_list("latest_revision_id", flat=True).first()
    if ChangeSet.objects.filter(listing_id=listing.pk, status__in=ChangeSet.RUNNING).exists():
        raise Conflict(_(IN_PROGRESS), code="change_set_in_progress")
    if revision is not None and revision != current:
        raise Conflict(
            _(REVISION_CONFLICT) % {"given": revision, "current": current}, code="revision_conflict"
        )
    try:
        with transaction.atomic():
            change_set = ChangeSet.objects.create(
                partner_id=listing.partner_id,
                listing=listing,
                api_key=api_key if getattr(api_key, "pk", None) else None,
                base_revision_id=current,
                changes=changes,
                submit_for_review=submit_for_review,
            )
    except IntegrityError as exc:  # another request took the lock first
        raise Conflict(_(IN_PROGRESS), code="change_set_in_progress") from exc
    enqueue_on_commit("api.apply_change_set", change_set.pk)
    return change_set


def _check(page: ListingPage, changes: list[dict]) -> list[dict]:
    errors = []
    for index, change in enumerate(changes):
        field = change.get("field")
        if field not in EDITABLE_FIELDS:
            errors.append(
                {"index": index, "field": field, "code": "unknown_field", "message": _(UNKNOWN_FIELD)}
            )
            continue
        model_field = ListingPage._meta.get_field(field)
        try:
            value = model_field.clean(change.get("value"), page)
        except ValidationError as exc:
            errors.append(
                {"index": index, "field": field, "code": "invalid", "message": " ".join(exc.messages)}
            )
            continue
        setattr(page, field, value)
    return errors


def _finish(change_set: ChangeSet, status: str, **fields) -> ChangeSet:
    change_set.status = status
    change_set.finished_at = timezone.now()
    for name, value in fields.items():
        setattr(change_set, name, value)
    change_set.save()
    emit(change_set.partner, f"change_set.{status}", payload(change_set))
    return change_set


def payload(change_set: ChangeSet) -> dict:
    return {
        "id": str(change_set.public_id),
        "listing": str(change_set.listing.translation_key),
        "status": change_set.status,
        "errors": change_set.errors,
        "revision": change_set.revision_id,
    }


@transaction.atomic
def apply(change_set_id: int) -> ChangeSet:
    change_set = ChangeSet.objects.select_for_update().select_related("partner").get(pk=change_set_id)
    if change_set.status not in ChangeSet.RUNNING:
        return change_set
    change_set.status = ChangeSet.Status.APPLYING
    change_set.save(update_fields=["status", "updated_at"])
    listing = ListingPage.objects.select_for_update().get(pk=change_set.listing_id)
    if listing.latest_revision_id != change_set.base_revision_id:
        return _finish(
            change_set,
            ChangeSet.Status.FAILED,
            errors=[
                {
                    "index": None,
                    "field": None,
                    "code": "revision_conflict",
                    "message": _("The listing changed."),
                }
            ],
        )
    if listing.workflow_in_progress:
        return _finish(
            change_set,
            ChangeSet.Status.FAILED,
            errors=[{"index": None, "field": None, "code": "in_review", "message": _(IN_REVIEW)}],
        )
    page = listing.get_latest_revision_as_object()
    errors = _check(page, change_set.changes)
    if errors:
        return _finish(change_set, ChangeSet.Status.FAILED, errors=errors)
    try:
        page.full_clean()
    except ValidationError as exc:
        errors = [
            {"index": None, "field": field, "code": "invalid", "message": " ".join(messages)}
            for field, messages in exc.message_dict.items()
        ]
        return _finish(change_set, ChangeSet.Status.FAILED, errors=errors)
    revision = page.save_revision(user=None, log_action=True, clean=False)
    if change_set.submit_for_review:
        workflow = listing.get_workflow()
        if workflow is not None:
            workflow.start(listing, None)
    return _finish(change_set, ChangeSet.Status.SUCCEEDED, revision_id=revision.pk)

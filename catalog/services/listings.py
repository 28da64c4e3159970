"""A listing's "last updated": moved when it is published and when it gets a new version."""

from django.utils import timezone

from catalog.models import ListingPage


def mark_updated(*, listing_id: int, at=None) -> None:
    """The listing counts as updated ``at`` (now): freshness starts again, a delisting ends.

    A plain ``update()`` (no revision): these columns belong to the page, not to its content.
    """
    ListingPage.objects.filter(pk=listing_id).update(
        last_updated_at=at or timezone.now(), stale_warned_at=None, delisted_at=None, delist_reason=""
    )
    from core.fragments import bump_content_version

    bump_content_version()  # written with update(): no post_save tells the cached pages


def listing_published(sender, instance, revision=None, **kwargs) -> None:
    """``page_published`` receiver (connected in ``CatalogConfig.ready``)."""
    mark_updated(listing_id=instance.pk)


# --- partner events (webhooks; partners.services.events) ---------------------------------------


def listing_payload(listing: ListingPage) -> dict:
    return {
        "id": str(listing.translation_key),
        "slug": listing.slug,
        "name": listing.title,
        "name_en": listing.title_en,
        "live": listing.live,
    }


def _emit_listing(listing, event_type: str) -> None:
    from partners.services.events import emit

    if isinstance(listing, ListingPage) and listing.partner_id:
        emit(listing.partner, event_type, listing_payload(listing))


def listing_published_event(sender, instance, revision=None, **kwargs) -> None:
    """``page_published``: ``listing.published``."""
    _emit_listing(instance, "listing.published")


def listing_workflow_event(sender, instance, user=None, signal=None, **kwargs) -> None:
    """``workflow_submitted`` / ``_approved`` / ``_rejected`` of a listing: ``listing.<that>``."""
    from wagtail.signals import workflow_approved, workflow_rejected, workflow_submitted

    kind = {workflow_submitted: "submitted", workflow_approved: "approved", workflow_rejected: "rejected"}[
        signal
    ]
    if kind == "submitted" and instance.status != instance.STATUS_IN_PROGRESS:
        return  # returned by the automatic pre-checks at once: it never reached a reviewer
    page = getattr(instance, "content_object", None)
    page = getattr(page, "specific", page)
    _emit_listing(page, f"listing.{kind}")

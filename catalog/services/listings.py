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


def listing_published(sender, instance, revision=None, **kwargs) -> None:
    """``page_published`` receiver (connected in ``CatalogConfig.ready``)."""
    mark_updated(listing_id=instance.pk)

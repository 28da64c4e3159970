"""Reads of listings for the public site and for partners.

``listing_detail`` issues a fixed number of queries whatever the number of plans, screenshots,
versions or related listings (each relation is one query; image renditions are prefetched so
``{% image %}`` tags add none for renditions that exist).
"""

from __future__ import annotations

from django.db.models import F, Prefetch
from django.db.models.query import prefetch_related_objects
from wagtail.images import get_image_model

from catalog.models import LISTING_LANGUAGES, ListingPage

RELATED_LIMIT = 4
VERSIONS_LIMIT = 20


def live_listings():
    """Listings the public may see: live and not delisted, with partner, organisation and tier."""
    return (
        ListingPage.objects.live()
        .filter(delisted_at__isnull=True)
        .select_related("partner__organisation", "partner__tier")
    )


def _images_with_renditions():
    return get_image_model().objects.prefetch_related("renditions")


def related_listings(page: ListingPage, category_ids: list[int], *, limit: int = RELATED_LIMIT) -> list:
    """Up to ``limit`` other live listings sharing a category: best rated, then freshest."""
    if not category_ids:
        return []
    through = ListingPage.categories.through
    ids = through.objects.filter(category_id__in=category_ids).values("listingpage_id")
    return list(
        live_listings()
        .filter(pk__in=ids)
        .exclude(pk=page.pk)
        .select_related("logo")
        .prefetch_related(Prefetch("logo__renditions"))
        .order_by(
            F("rating_average").desc(nulls_last=True), F("last_updated_at").desc(nulls_last=True), "pk"
        )[:limit]
    )


def listing_detail(page: ListingPage) -> dict:
    """Everything the listing page shows, in a bounded number of queries."""
    page_images = Prefetch("logo", queryset=_images_with_renditions())
    prefetch_related_objects([page], page_images)
    if page.partner_id and "partner" not in page._state.fields_cache:
        prefetch_related_objects([page], "partner__organisation", "partner__tier")
    plans = list(page.plans.all())
    screenshots = list(page.screenshots.select_related("image").prefetch_related("image__renditions"))
    versions = list(page.versions.all()[:VERSIONS_LIMIT])
    categories = list(page.categories.select_related("parent"))
    language_labels = dict(LISTING_LANGUAGES)
    return {
        "page": page,
        "partner": page.partner,
        "logo": page.logo,
        "plans": plans,
        "screenshots": screenshots,
        "versions": versions,
        "latest_version": versions[0] if versions else None,
        "categories": categories,
        "industries": list(page.industries.all()),
        "regions": list(page.regions.all()),
        "co_partners": list(page.co_partners.select_related("organisation", "page")),
        "tags": list(page.tags.all()),
        "languages": [(code, language_labels.get(code, code)) for code in page.languages or []],
        "related": related_listings(page, [c.pk for c in categories]),
    }


def partner_listings(partner):
    """A partner's listings in every state (drafts included), newest first, for its own screens."""
    return (
        ListingPage.objects.filter(partner=partner)
        .select_related("latest_revision")
        .order_by("-latest_revision_created_at", "-pk")
    )

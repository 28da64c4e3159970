"""Receivers that keep the search index in step with the catalogue (connected by
``catalog.search.apps_ready.connect``), and ``listing_aggregates_changed`` for the apps above.

* a listing is published (new or edited) → indexed; unpublished (or delisted) or deleted →
  removed;
* a partner's tier changes → its listings are re-indexed (tier facet and ranking signal);
* categories, industries, regions or tiers are renamed or removed → the facet label cache is
  refreshed and the listings filed under them are re-indexed;
* marketplace (reviews) and billing (subscriptions) call ``listing_aggregates_changed(id)``
  after they update a listing's rating or subscription figures.

Everything is enqueued after commit (``catalog.search.tasks``).
"""

from __future__ import annotations

from catalog.search import tasks
from catalog.search.facets import bump_labels_version


def listing_aggregates_changed(*listing_ids: int) -> None:
    """Call after updating listings' ``rating_*`` or ``active_subscriptions`` columns: one
    re-index task for them all, after commit."""
    from core.fragments import bump_content_version

    bump_content_version()  # the cached pages showing these figures (written with update())
    tasks.enqueue_index(listing_ids)


def on_listing_published(sender, instance, **kwargs) -> None:
    tasks.enqueue_index([instance.pk])


def on_listing_unpublished(sender, instance, **kwargs) -> None:
    tasks.enqueue_remove([instance.pk])


def on_listing_deleted(sender, instance, **kwargs) -> None:
    tasks.enqueue_remove([instance.pk])


def on_partner_tier_changed(sender, partner, **kwargs) -> None:
    from catalog.search.indexing import partner_listing_ids

    tasks.enqueue_index(partner_listing_ids(partner.pk))


def _listings_filed_under(instance) -> list[int]:
    from catalog.models import Category, ListingPage
    from partners.models import Industry, Region, Tier

    if isinstance(instance, Category):
        ids = {instance.pk, *Category.objects.filter(parent_id=instance.pk).values_list("pk", flat=True)}
        qs = ListingPage.objects.filter(categories__in=ids)
    elif isinstance(instance, Industry):
        qs = ListingPage.objects.filter(industries=instance.pk)
    elif isinstance(instance, Region):
        qs = ListingPage.objects.filter(regions=instance.pk)
    elif isinstance(instance, Tier):
        qs = ListingPage.objects.filter(partner__tier=instance.pk)
    else:
        return []
    return list(qs.filter(live=True).values_list("pk", flat=True).distinct())


def on_taxonomy_saved(sender, instance, created=False, **kwargs) -> None:
    bump_labels_version()
    if not created and not kwargs.get("raw"):
        tasks.enqueue_index(_listings_filed_under(instance))


def on_taxonomy_deleted(sender, instance, **kwargs) -> None:
    bump_labels_version()

"""Builders for the search tests: categories, listings published under a provisioned partner,
rating / subscription / tier changes made the way the owning apps make them.

    from tests.factories.search import make_category, publish_listing, search_partner
"""

from __future__ import annotations

import itertools
from decimal import Decimal

from wagtail.rich_text import RichText

from catalog.models import Category, ListingPage, ListingPlan, PricingModel
from partners.models import Partner, PartnerKind
from partners.programme_signals import partner_tier_changed
from tests.factories.partners import TierFactory, provisioned_partner

__all__ = [
    "build_listing",
    "change_tier",
    "make_category",
    "priced_plan",
    "publish",
    "publish_listing",
    "search_partner",
    "set_rating",
    "set_subscriptions",
]

_seq = itertools.count(1)


def make_category(slug, name, name_en, parent=None, position=0) -> Category:
    category, _ = Category.objects.get_or_create(
        slug=slug, defaults={"name": name, "name_en": name_en, "parent": parent, "position": position}
    )
    return category


def search_partner(*, kind=PartnerKind.ISV, rank=0, slug=None, name=None, name_en=None) -> Partner:
    n = next(_seq)
    tier = TierFactory(
        kind=kind, rank=rank, slug=slug or f"rank-{rank}", name=f"等级{rank}", name_en=f"Rank {rank}"
    )
    return provisioned_partner(
        kind=kind,
        tier=tier,
        organisation__name=name or f"伙伴{n}",
        organisation__name_en=name_en or f"Partner {n}",
        organisation__slug=f"search-partner-{n}",
    )


def priced_plan(model=PricingModel.FLAT_MONTHLY, cny=None, usd=None, trial_days=None) -> ListingPlan:
    return ListingPlan(
        name=str(model),
        name_en=str(model),
        pricing_model=model,
        price_cny=Decimal(cny) if cny is not None else None,
        price_usd=Decimal(usd) if usd is not None else None,
        trial_days=trial_days,
        unit="次" if model == PricingModel.USAGE else "",
    )


def _stream(text: str):
    return [("paragraph", RichText(f"<p>{text}</p>"))] if text else []


def build_listing(
    partner: Partner,
    *,
    title: str,
    title_en: str = "",
    tagline: str = "",
    tagline_en: str = "",
    body: str = "",
    body_en: str = "",
    listing_type: str = "saas",
    deployment: str = "cloud",
    plans=None,
    categories=(),
    industries=(),
    regions=(),
    tags=(),
    live: bool = False,
) -> ListingPage:
    """A listing page under ``partner``'s page (a draft unless ``live``), with plans and taxonomy."""
    n = next(_seq)
    page = ListingPage(
        title=title,
        title_en=title_en,
        slug=f"search-listing-{n}",
        partner=partner,
        tagline=tagline,
        tagline_en=tagline_en,
        description=_stream(body),
        description_en=_stream(body_en),
        listing_type=listing_type,
        deployment=deployment,
        languages=["zh-hans", "en"],
        live=live,
    )
    partner.page.add_child(instance=page)
    for item in plans if plans is not None else [priced_plan(cny="99", usd="14")]:
        item.listing = page
        item.save()
    if categories:
        page.categories.set(categories)
    if industries:
        page.industries.set(industries)
    if regions:
        page.regions.set(regions)
    if tags:
        page.tags.add(*tags)
    page.save()
    return ListingPage.objects.get(pk=page.pk)


def publish(page: ListingPage) -> ListingPage:
    page = ListingPage.objects.get(pk=page.pk)
    page.save_revision().publish()
    return ListingPage.objects.get(pk=page.pk)


def publish_listing(partner, **kwargs) -> ListingPage:
    """Build and publish through Wagtail (so ``page_published`` fires)."""
    return publish(build_listing(partner, **kwargs))


def set_rating(page, average, count) -> None:
    """What marketplace does after a review: update the aggregate, then tell search."""
    from catalog.search.signals import listing_aggregates_changed

    histogram = {str(i): 0 for i in range(1, 6)}
    ListingPage.objects.filter(pk=page.pk).update(
        rating_average=Decimal(str(average)) if average is not None else None,
        rating_count=count,
        rating_histogram=histogram,
    )
    listing_aggregates_changed(page.pk)


def set_subscriptions(page, count) -> None:
    from catalog.search.signals import listing_aggregates_changed

    ListingPage.objects.filter(pk=page.pk).update(active_subscriptions=count)
    listing_aggregates_changed(page.pk)


def change_tier(partner: Partner, rank: int, slug: str) -> None:
    """What the programme does when a partner moves tier (the signal after commit)."""
    old = partner.tier
    new = TierFactory(kind=partner.kind, rank=rank, slug=slug, name=f"等级{rank}", name_en=f"Rank {rank}")
    Partner.objects.filter(pk=partner.pk).update(tier=new)
    partner.refresh_from_db()
    partner_tier_changed.send(sender=Partner, partner=partner, from_tier=old, to_tier=new, change=None)

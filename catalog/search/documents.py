"""What the search index knows about a listing, built in bulk from the database.

``build(ids)`` reads a batch of live listings with a fixed number of queries (one for the pages
with partner, organisation and tier, one per many-to-many relation, one for plans, one for tags,
one for categories) and returns one ``ListingData`` per listing that is live and not delisted.
Both engines index ``ListingData``; neither reads listings itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.utils import timezone, translation

from catalog.blocks import stream_text
from catalog.models import Category, ListingPage, PricingModel
from catalog.pricing import from_price
from catalog.search import ranking, text
from catalog.search.facets import rating_buckets


@dataclass
class ListingData:
    listing_id: int
    partner_id: int | None
    title: str
    title_en: str
    tagline: str
    tagline_en: str
    body: str
    body_en: str
    partner_name: str
    partner_name_en: str
    url: str
    url_en: str
    tier_slug: str
    tier_name: str
    tier_name_en: str
    tier_colour: str
    tier_rank: int
    partner_kind: str
    listing_type: str
    deployment: str
    categories: list[str]
    category_names: list[str]
    industries: list[str]
    industry_names: list[str]
    regions: list[str]
    pricing_models: list[str]
    has_free_trial: bool
    tags: list[str]
    languages: list[str]
    rating_average: float | None
    rating_count: int
    bayesian_rating: float
    active_subscriptions: int
    published_at: datetime | None
    last_updated_at: datetime | None
    min_price_cny: Decimal | None
    min_price_usd: Decimal | None
    signals: ranking.Signals
    quality: float
    stuffing_penalty: float
    boost: float
    co_partner_names: list[str] = field(default_factory=list)

    @property
    def rating_buckets(self) -> list[str]:
        return rating_buckets(self.rating_average)

    @property
    def indexed_tags(self) -> list[str]:
        """Tags beyond the limit are not indexed (they cost a penalty instead)."""
        return self.tags[: int(ranking.config()["max_tags"])]

    # --- text for the database engine ---------------------------------------------------
    def token_fields(self) -> dict[str, str]:
        name = text.token_string(self.title, self.title_en)
        tagline = text.token_string(self.tagline, self.tagline_en)
        meta = text.token_string(
            " ".join(self.indexed_tags),
            " ".join(self.category_names),
            " ".join(self.industry_names),
            self.partner_name,
            self.partner_name_en,
            " ".join(self.co_partner_names),
        )
        body = text.token_string(self.body, self.body_en)
        everything: dict[str, None] = {}
        for part in (name, tagline, meta, body):
            for token in part.split():
                everything.setdefault(token, None)
        return {
            "tokens_name": name,
            "tokens_tagline": tagline,
            "tokens_meta": meta,
            "tokens_body": body,
            "tokens": f" {' '.join(everything)} " if everything else "",
        }

    def suggest_text(self) -> str:
        names = [self.title, self.title_en, self.partner_name, self.partner_name_en]
        return " | ".join(text.normalise(n) for n in names if n)


def _url(page, language: str) -> str:
    with translation.override(language):
        return page.get_url() or ""


def _min_price(plans, attr: str) -> Decimal | None:
    """The price column the price sort reads: the card's "from" price (``catalog.pricing``)."""
    return from_price(plans, attr.removeprefix("price_").upper())


def _category_paths() -> dict[int, tuple[list[str], list[str]]]:
    """{category pk: (slugs of it and its ancestors, names of them in both languages)}."""
    rows = {c.pk: c for c in Category.objects.only("pk", "slug", "name", "name_en", "parent_id")}
    paths = {}
    for pk, category in rows.items():
        slugs, names, seen = [], [], set()
        node = category
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            slugs.append(node.slug)
            names.extend(n for n in (node.name, node.name_en) if n)
            node = rows.get(node.parent_id)
        paths[pk] = (slugs, names)
    return paths


def listings_queryset(ids):
    from catalog.selectors.listings import live_listings

    return (
        live_listings()
        .filter(pk__in=list(ids))
        .prefetch_related("categories", "industries", "regions", "plans", "tags", "co_partners__organisation")
        .order_by("pk")
    )


def build(ids, *, now=None) -> list[ListingData]:
    """``ListingData`` for the listings among ``ids`` that the public may see."""
    ids = list(ids)
    if not ids:
        return []
    now = now or timezone.now()
    cfg = ranking.config()
    paths = _category_paths()
    result = []
    for page in listings_queryset(ids):
        result.append(_data(page, paths, cfg, now))
    return result


def _data(page: ListingPage, paths, cfg, now) -> ListingData:
    partner = page.partner
    organisation = partner.organisation if partner else None
    tier = partner.tier if partner else None
    categories, category_names = [], []
    for category in page.categories.all():
        slugs, names = paths.get(category.pk, ([category.slug], [category.name, category.name_en]))
        for slug in slugs:
            if slug not in categories:
                categories.append(slug)
        category_names.extend(n for n in names if n and n not in category_names)
    plans = list(page.plans.all())
    pricing_models = sorted({plan.pricing_model for plan in plans})
    tags = [tag.name for tag in page.tags.all()]
    body, body_en = stream_text(page.description), stream_text(page.description_en)
    rating_average = float(page.rating_average) if page.rating_average is not None else None
    bayesian = ranking.bayesian_rating(rating_average, page.rating_count, cfg)
    updated_at = page.last_updated_at or page.last_published_at or page.first_published_at
    signals = ranking.signals(
        bayesian=bayesian,
        subscriptions=page.active_subscriptions,
        tier_rank=tier.rank if tier else 0,
        updated_at=updated_at,
        now=now,
        cfg=cfg,
    )
    quality = signals.quality(cfg)
    penalty = ranking.stuffing_penalty(tag_count=len(tags), texts=(body, body_en), cfg=cfg)
    return ListingData(
        listing_id=page.pk,
        partner_id=page.partner_id,
        title=page.title or "",
        title_en=page.title_en or "",
        tagline=page.tagline or "",
        tagline_en=page.tagline_en or "",
        body=body,
        body_en=body_en,
        partner_name=organisation.name if organisation else "",
        partner_name_en=(getattr(organisation, "name_en", "") or "") if organisation else "",
        url=_url(page, settings.LANGUAGE_CODE),
        url_en=_url(page, "en"),
        tier_slug=tier.slug if tier else "",
        tier_name=tier.name if tier else "",
        tier_name_en=tier.name_en if tier else "",
        tier_colour=tier.colour if tier else "",
        tier_rank=tier.rank if tier else 0,
        partner_kind=partner.kind if partner else "",
        listing_type=page.listing_type,
        deployment=page.deployment or "",
        categories=categories,
        category_names=category_names,
        industries=[i.slug for i in page.industries.all()],
        industry_names=[n for i in page.industries.all() for n in (i.name, i.name_en) if n],
        regions=[r.code for r in page.regions.all()],
        pricing_models=pricing_models,
        has_free_trial=PricingModel.FREE_TRIAL in pricing_models,
        tags=tags,
        languages=list(page.languages or []),
        rating_average=rating_average,
        rating_count=page.rating_count or 0,
        bayesian_rating=bayesian,
        active_subscriptions=page.active_subscriptions or 0,
        published_at=page.first_published_at,
        last_updated_at=updated_at,
        min_price_cny=_min_price(plans, "price_cny"),
        min_price_usd=_min_price(plans, "price_usd"),
        signals=signals,
        quality=quality,
        stuffing_penalty=penalty,
        boost=ranking.boost(quality, penalty, cfg),
        co_partner_names=[
            n
            for p in page.co_partners.all()
            for n in (p.organisation.name, getattr(p.organisation, "name_en", ""))
            if n
        ],
    )

"""Listings as customers see them in lists: cards (home, category and industry pages, landing
collections) and the compare table. Every function runs a fixed number of queries whatever the
number of listings, plans or logos (prices are subqueries, logo renditions are prefetched).
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import (
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, NullIf
from wagtail.images import get_image_model

from catalog.models import Category, ListingPage, ListingPlan, PricingModel
from catalog.selectors.listings import live_listings
from core.i18n import is_english
from core.limits import db_int

LOGO_SPEC = "fill-96x96"
COMPARE_LOGO_SPEC = "fill-64x64"
PAID_MODELS = (
    PricingModel.FLAT_MONTHLY,
    PricingModel.FLAT_ANNUAL,
    PricingModel.PER_SEAT,
    PricingModel.USAGE,
    PricingModel.ONE_TIME,
)
SORTS = ("rating", "newest", "name")


def _plans_of_outer():
    """Plans of the listing in the outer query (whatever the plan's key to its listing is called)."""
    plan_fk = ListingPage._meta.get_field("plans").field.name
    return ListingPlan.objects.filter(**{plan_fk: OuterRef("pk")})


def _logo_renditions(*specs):
    rendition_model = get_image_model().get_rendition_model()
    return Prefetch(
        "logo__renditions",
        queryset=rendition_model.objects.filter(filter_spec__in=specs),
        to_attr="prefetched_renditions",
    )


def with_card_data(queryset):
    """Annotate listings with what a card shows: partner and tier, logo, lowest prices, trial."""
    plans = _plans_of_outer()
    return (
        queryset.select_related("partner__organisation", "partner__tier", "logo")
        .prefetch_related(_logo_renditions(LOGO_SPEC))
        .annotate(
            lowest_cny=Subquery(plans.filter(price_cny__gt=0).order_by("price_cny").values("price_cny")[:1]),
            lowest_usd=Subquery(plans.filter(price_usd__gt=0).order_by("price_usd").values("price_usd")[:1]),
            has_free_plan=Exists(plans.filter(pricing_model=PricingModel.FREE)),
            has_trial=Exists(plans.filter(Q(pricing_model=PricingModel.FREE_TRIAL) | Q(trial_days__gt=0))),
            has_plans=Exists(plans),
        )
    )


def card_listings():
    return with_card_data(live_listings())


def sort_listings(queryset, sort: str):
    if sort == "newest":
        return queryset.order_by(F("first_published_at").desc(nulls_last=True), "-pk")
    if sort == "name":
        if is_english():
            sort_name = Coalesce(NullIf("title_en", Value("")), "title")
            return queryset.annotate(sort_name=sort_name).order_by("sort_name", "pk")
        return queryset.order_by("title", "pk")
    return queryset.annotate(rating_score=rating_score()).order_by(
        F("rating_score").desc(nulls_last=True),
        "-rating_count",
        F("first_published_at").desc(nulls_last=True),
    )


PRIOR_MEAN = Decimal("3.5")  # what an unrated listing is assumed to score …
PRIOR_WEIGHT = 5  # … worth this many reviews: a 5.0 from one review ranks below 4.7 from forty


def rating_score():
    """Bayesian average of the rating: few reviews pull towards the prior, many reviews dominate."""
    total = Coalesce(F("rating_average"), Value(Decimal(0))) * F("rating_count")
    return ExpressionWrapper(
        (total + Value(PRIOR_MEAN * PRIOR_WEIGHT)) / (F("rating_count") + Value(PRIOR_WEIGHT)),
        output_field=DecimalField(max_digits=6, decimal_places=3),
    )


def featured_listings(*, limit: int = 6) -> list[int]:
    """Ids of the best-rated live listings; newest fill in while few are rated. Their cards come
    from ``marketplace.selectors.cards`` (``{% cards_for %}``)."""
    return list(sort_listings(live_listings(), "rating").values_list("pk", flat=True)[:limit])


def _in_order(listings, ids) -> list:
    by_id = {listing.pk: listing for listing in listings}
    return [by_id[pk] for pk in ids if pk in by_id]


def listing_collection(
    *, listing_ids=(), category_slug: str = "", sort: str = "rating", limit: int = 6
) -> list:
    """Hand-picked listings in the chosen order (those still live), else a category's best."""
    if listing_ids:
        ids = list(dict.fromkeys(listing_ids))[:limit]
        return _in_order(live_listings().filter(pk__in=ids), ids)
    if category_slug:
        category = Category.objects.filter(slug=category_slug).first()
        if category is None:
            return []
        return list(sort_listings(in_categories(live_listings(), category), sort)[:limit])
    return []


# --- browse (category and industry pages) -----------------------------------------------------------
def category_with_children(slug: str) -> Category | None:
    category = Category.objects.select_related("parent").filter(slug=slug).first()
    if category is not None:
        category.subcategories = list(category.children.order_by("position", "slug"))
    return category


def in_categories(queryset, category: Category):
    ids = [category.pk, *Category.objects.filter(parent=category).values_list("pk", flat=True)]
    return queryset.filter(pk__in=ListingPage.objects.filter(categories__in=ids).values("pk"))


# --- compare -------------------------------------------------------------------------------------------
def resolve_listing_tokens(tokens) -> tuple[list[int], list[str]]:
    """Page ids or slugs → live listing ids in the order given (duplicates dropped), plus unknowns."""
    numbers = [n for t in tokens if (n := db_int(t, low=1)) is not None]
    slugs = [t for t in tokens if not t.isdigit()]
    live = live_listings()
    by_id = set(live.filter(pk__in=numbers).values_list("pk", flat=True)) if numbers else set()
    by_slug: dict[str, int] = {}
    if slugs:
        for pk, slug in live.filter(slug__in=slugs).order_by("pk").values_list("pk", "slug"):
            by_slug.setdefault(slug, pk)
    ids, unknown = [], []
    for token in tokens:
        number = db_int(token, low=1)
        pk = number if number in by_id else by_slug.get(token)
        if pk is None:
            unknown.append(token)
        elif pk not in ids:
            ids.append(pk)
    return ids, unknown


def compare_listings(ids) -> list[ListingPage]:
    """Listings for the compare table, in the order given, with plans, regions and industries."""
    if not ids:
        return []
    plan_fk = ListingPage._meta.get_field("plans").field.name
    queryset = (
        card_listings()
        .filter(pk__in=ids)
        .prefetch_related(
            Prefetch(
                "plans",
                queryset=ListingPlan.objects.order_by(plan_fk, "sort_order" if _has_sort_order() else "pk"),
            ),
            "regions",
            "industries",
        )
    )
    return _in_order(queryset, list(ids))


def _has_sort_order() -> bool:
    return any(f.name == "sort_order" for f in ListingPlan._meta.get_fields())


def tray_listings(ids) -> list[ListingPage]:
    """The compare tray's listings (titles and logos only)."""
    if not ids:
        return []
    queryset = live_listings().filter(pk__in=ids)
    return _in_order(queryset, list(ids))


# --- a partner's profile page -------------------------------------------------------------------------
def partner_listings(partner_id: int, *, limit: int = 12) -> list[ListingPage]:
    """A partner's live listings as cards, best rated first."""
    return list(sort_listings(live_listings().filter(partner_id=partner_id), "rating")[:limit])


def partner_rating(partner_id: int) -> dict:
    """Average and count of the published reviews across a partner's live listings (one query)."""
    from django.db.models import Avg, Count

    from marketplace.models import Review

    live = live_listings().values("pk")
    reviews = Review.objects.filter(
        status=Review.Status.PUBLISHED, listing__partner_id=partner_id, listing__in=live
    )
    return reviews.aggregate(average=Avg("rating"), count=Count("pk"))

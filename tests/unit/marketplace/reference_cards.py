"""The ORM implementation of ``marketplace.selectors.cards.listing_cards`` as it was at 296a1ee
(four queries: listings with partner and tier, plans, logo renditions, verified-review counts),
kept only as the reference of ``test_mkt_cards_sql.py``: the hand-written statement must build
the same cards. Not used by the application."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from catalog.models import ListingPage, ListingPlan, ListingType, ListingUsage, PricingModel, UsageKind
from catalog.pricing import card_price
from catalog.selectors.listings import live_listings
from core.i18n import is_english

# Helpers the change left as they were: shared with the code under test.
from marketplace.selectors.cards import (
    FRESH_DAYS,
    STALE_DAYS,
    _logos,
    _monogram,
    _tier_colours,
    _url_maker,
    money_text,
    page_currency,
)

_FIELDS = (
    "pk",
    "title",
    "title_en",
    "tagline",
    "tagline_en",
    "listing_type",
    "url_path",
    "logo_id",
    "rating_average",
    "rating_count",
    "last_updated_at",
    "last_published_at",
    "first_published_at",
)


def _has_field(name: str) -> bool:
    try:
        ListingPage._meta.get_field(name)
    except Exception:  # noqa: BLE001 - FieldDoesNotExist
        return False
    return True


def freshness(updated_at, *, now=None) -> dict:
    """The freshness badge: ``{"state": "fresh"|"recent"|"stale"|"", "label", "title"}``: updated
    in the last ``FRESH_DAYS`` days, earlier, or not for ``STALE_DAYS`` days or more."""
    if updated_at is None:
        return {"state": "", "label": "", "title": ""}
    age = (now or timezone.now()) - updated_at
    title = _("Last updated %(date)s") % {"date": f"{timezone.localtime(updated_at):%Y-%m-%d}"}
    if age <= timedelta(days=FRESH_DAYS):
        return {"state": "fresh", "label": _("Recently updated"), "title": title}
    if age >= timedelta(days=STALE_DAYS):
        return {"state": "stale", "label": _("Not updated for over a year"), "title": title}
    months = max(1, age.days // 30)
    label = ngettext("Updated %(count)s month ago", "Updated %(count)s months ago", months) % {
        "count": months
    }
    return {"state": "recent", "label": label, "title": title}


def price_label(price: dict) -> tuple[str, str]:
    """(label, note) of a card's price (``catalog.pricing.card_price``): "From ¥99", "Free",
    "Contact sales"; a price only in the other currency is marked in the note."""
    kind = price["kind"]
    if kind == "free":
        return _("Free"), ""
    if kind == "from":
        return _("From %(price)s") % {"price": money_text(price["amount"], price["currency"])}, ""
    if kind == "other":
        label = _("From %(price)s") % {"price": money_text(price["amount"], price["currency"])}
        return label, _("Priced in %(currency)s only") % {"currency": price["currency"]}
    if kind == "contact":
        return _("Contact sales"), ""
    return "", ""


def _rating(average, count: int, verified: int) -> dict:
    if not count or average is None:
        return {"count": 0, "text": _("No reviews yet")}
    percent = max(0, min(100, float(average) * 20))
    return {
        "count": count,
        "average": f"{average:.1f}",
        "percent": f"{percent:.1f}",
        "stars_label": _("Rated %(rating)s out of 5") % {"rating": f"{average:.1f}"},
        "text": ngettext("%(counter)s review", "%(counter)s reviews", count) % {"counter": count},
        "verified": verified,
        "verified_text": ngettext(
            "%(count)s from verified customers", "%(count)s from verified customers", verified
        )
        % {"count": verified},
    }


def verified_review_counts(listing_ids) -> dict[int, int]:
    """{listing id: its published reviews from organisations that subscribed to it}: the reviews
    from verified paying usage, which weigh double in the rating
    (``marketplace.services.reviews.SUBSCRIBER_WEIGHT``). One query."""
    from marketplace.models import Review

    if not listing_ids:
        return {}
    subscribed = ListingUsage.objects.filter(
        listing_id=OuterRef("listing_id"),
        organisation_id=OuterRef("organisation_id"),
        kind=UsageKind.SUBSCRIPTION,
    )
    return dict(
        Review.objects.filter(listing_id__in=list(listing_ids), status=Review.Status.PUBLISHED)
        .filter(Exists(subscribed))
        .values("listing_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("listing_id", "n")
    )


def listing_cards(ids, *, currency: str | None = None) -> list[dict]:
    """Cards for the live listings among ``ids``, in that order (four queries)."""
    ids = [pk for pk in dict.fromkeys(ids) if pk is not None]
    if not ids:
        return []
    english = is_english()
    currency = page_currency(currency)
    fields = [f for f in _FIELDS if f == "pk" or _has_field(f)]
    rows = (
        live_listings()
        .filter(pk__in=ids)
        .values(
            *fields,
            partner_name=F("partner__organisation__name"),
            partner_name_en=F("partner__organisation__name_en"),
            tier_name=F("partner__tier__name"),
            tier_name_en=F("partner__tier__name_en"),
            tier_colour=F("partner__tier__colour"),
        )
    )
    by_id = {row["pk"]: row for row in rows}
    plan_fk = ListingPage._meta.get_field("plans").field.name
    plans: dict[int, list[dict]] = {}
    for plan in ListingPlan.objects.filter(**{f"{plan_fk}__in": list(by_id)}).values(
        plan_fk, "pricing_model", "price_cny", "price_usd", "trial_days"
    ):
        plans.setdefault(plan[plan_fk], []).append(plan)
    logos = _logos({row["logo_id"] for row in by_id.values() if row.get("logo_id")})
    verified = verified_review_counts([pk for pk, row in by_id.items() if row["rating_count"]])
    url = _url_maker()
    types = dict(ListingType.choices)
    now = timezone.now()
    cards = []
    for pk in ids:
        row = by_id.get(pk)
        if row is None:
            continue
        own_plans = plans.get(pk, [])
        title = (row["title_en"] if english else row["title"]) or row["title"] or row["title_en"]
        partner = (row["partner_name_en"] if english else row["partner_name"]) or row["partner_name"]
        price = card_price(own_plans, currency)
        label, note = price_label(price)
        tier = None
        if row["tier_name"]:
            tier = {"name": (row["tier_name_en"] if english else row["tier_name"]) or row["tier_name"]}
            tier["colour"], tier["ink"] = _tier_colours(row["tier_colour"] or "")
        cards.append(
            {
                "pk": pk,
                "url": url(row["url_path"]),
                "title": title,
                "monogram": _monogram(title),
                "tagline": (row["tagline_en"] if english else row["tagline"]) or row["tagline"],
                "partner": partner,
                "by": _("by %(partner)s") % {"partner": partner} if partner else "",
                "type": str(types.get(row["listing_type"], row["listing_type"])),
                "tier": tier,
                "logo": logos.get(row.get("logo_id")),
                "has_trial": any(
                    p["pricing_model"] == PricingModel.FREE_TRIAL or (p["trial_days"] or 0) > 0
                    for p in own_plans
                ),
                "rating": _rating(row["rating_average"], row["rating_count"] or 0, verified.get(pk, 0)),
                "price": price,
                "price_label": label,
                "price_note": note,
                "freshness": freshness(
                    row.get("last_updated_at")
                    or row.get("last_published_at")
                    or row.get("first_published_at"),
                    now=now,
                ),
            }
        )
    return cards

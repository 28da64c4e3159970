"""Template tags of the customer pages. ``{% load market %}``.

``{{ 4.5|stars }}``
    Five stars filled to the rating, with a text alternative ("Rated 4.5 out of 5").
``{{ amount|money:"CNY" }}``
    ``¥1,299`` / ``$19.50`` (whole amounts without decimals).
``{% lowest_price listing as price %}``
    ``(amount, currency)`` of the listing's lowest plan price, in the active language's currency
    first (CNY for Chinese, USD for English), or ``None``.
``{% listing_price_label listing %}``
    "From ¥99", "Free", "Contact sales"… for cards.
``{{ codes|language_names }}``
    ``["zh-hans", "en"]`` → "Simplified Chinese, English".
``{% in_compare listing.pk as selected %}`` / ``{% compare_tray %}``
    Whether a listing is in the session's compare tray; the floating tray itself.
``{% listing_reviews page %}``
    The listing page's ratings-and-reviews section (``catalog/includes/reviews.html``).
``{% listing_json_ld page listing %}``
    ``<script type="application/ld+json">`` for schema.org ``SoftwareApplication`` (with an
    ``AggregateRating`` once it has ratings), escaped like ``json_script``.
``{% market_assets %}``
    The marketplace stylesheet and script, emitted once per response.
``{% partner_listing_cards partner as listings %}`` / ``{% partner_rating partner as rating %}``
    A partner's live listings as cards; the average and count of their reviews.
``{% featured_listings 6 as listings %}``
    The best-rated live listings as cards.
``{% listing_collection value as collection %}``
    A listing collection block's listings and the category to link (``collection.category_slug``).
"""

from __future__ import annotations

import json
from decimal import Decimal

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.i18n import is_english
from core.money import SYMBOLS, Currency

register = template.Library()

LANGUAGE_NAMES = {
    "zh-hans": gettext_lazy("Simplified Chinese"),
    "zh": gettext_lazy("Simplified Chinese"),
    "zh-cn": gettext_lazy("Simplified Chinese"),
    "zh-hant": gettext_lazy("Traditional Chinese"),
    "zh-tw": gettext_lazy("Traditional Chinese"),
    "en": gettext_lazy("English"),
    "ja": gettext_lazy("Japanese"),
    "ko": gettext_lazy("Korean"),
    "de": gettext_lazy("German"),
    "fr": gettext_lazy("French"),
    "es": gettext_lazy("Spanish"),
    "ru": gettext_lazy("Russian"),
    "vi": gettext_lazy("Vietnamese"),
    "th": gettext_lazy("Thai"),
    "id": gettext_lazy("Indonesian"),
    "ms": gettext_lazy("Malay"),
    "ar": gettext_lazy("Arabic"),
    "pt": gettext_lazy("Portuguese"),
}

# json_script's escapes: nothing in the data can close the <script> element.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


# --- assets ------------------------------------------------------------------------------------
@register.simple_tag(takes_context=True)
def market_assets(context):
    """The marketplace stylesheet and script, once per response (cards and trays call it too)."""
    request = context.get("request")
    if request is not None:
        if getattr(request, "_market_assets", False):
            return ""
        request._market_assets = True
    return format_html(
        '<link rel="stylesheet" href="{}"><script src="{}" defer></script>',
        static("marketplace/css/marketplace.css"),
        static("marketplace/js/marketplace.js"),
    )


# --- ratings and money -------------------------------------------------------------------------
@register.filter
def stars(value, size=""):
    try:
        rating = max(Decimal(0), min(Decimal(5), Decimal(str(value))))
    except Exception:  # noqa: BLE001 - None, "" or junk: an empty row of stars
        rating = Decimal(0)
    label = _("Rated %(rating)s out of 5") % {"rating": f"{rating.normalize():f}" if rating else "0"}
    percent = (rating * 20).quantize(Decimal("0.1"))
    return format_html(
        '<span class="stars{}" style="--stars: {}%" role="img" aria-label="{}"></span>',
        f" stars--{size}" if size else "",
        percent,
        label,
    )


@register.filter
def money(amount, currency="CNY"):
    if amount is None or amount == "":
        return ""
    amount = Decimal(str(amount))
    symbol = SYMBOLS.get(Currency(currency), "") if currency in Currency.values else ""
    if amount == amount.to_integral_value():
        return f"{symbol}{amount:,.0f}"
    return f"{symbol}{amount:,.2f}"


def preferred_currencies():
    return ("USD", "CNY") if is_english() else ("CNY", "USD")


@register.simple_tag
def lowest_price(listing):
    for currency in preferred_currencies():
        amount = getattr(listing, f"lowest_{currency.lower()}", None)
        if amount:
            return amount, currency
    return None


@register.simple_tag
def listing_price_label(listing):
    """The compare table's price: the cards' rule and label (``catalog.pricing.card_price`` in the
    page's currency), a price only in the other currency marked as the cards mark it."""
    from catalog.pricing import card_price
    from marketplace.selectors.cards import page_currency, price_label

    label, note = price_label(card_price(listing.plans.all(), page_currency()))
    return f"{label} ({note})" if note else label


@register.simple_tag
def plans_summary(plans):
    """For the listing page's buy box: lowest price label, whether a trial exists and how long."""
    from catalog.pricing import card_price
    from marketplace.selectors.cards import page_currency, price_label

    trial_days = 0
    has_trial = False
    for plan in plans or []:
        if plan.pricing_model == "free_trial" or plan.trial_days:
            has_trial = True
            trial_days = max(trial_days, plan.trial_days or 0)
    # The same "from" price as the cards and the price sort (catalog.pricing, page currency).
    label, note = price_label(card_price(plans or [], page_currency()))
    if note:
        label = f"{label} ({note})"
    return {"price_label": label, "has_trial": has_trial, "trial_days": trial_days}


@register.simple_tag
def plan_price(plan):
    """A plan's price in both currencies, the active language's first: ``¥99 · $14``."""
    parts = []
    for currency in preferred_currencies():
        amount = getattr(plan, f"price_{currency.lower()}", None)
        if amount is not None and amount > 0:
            parts.append(money(amount, currency))
    return " · ".join(parts)


@register.filter
def pricing_models(plans):
    """The distinct pricing models of some plans, as labels, in plan order."""
    labels = []
    for plan in plans or []:
        label = str(plan.get_pricing_model_display())
        if label not in labels:
            labels.append(label)
    return labels


@register.simple_tag
def plan_period(plan):
    """What a plan's price is for: "per month", "per user / month", "one-time"…"""
    model = plan.pricing_model
    unit = getattr(plan, "t_unit", "") or ""
    if model == "flat_monthly":
        return _("per month")
    if model == "flat_annual":
        return _("per year")
    if model in ("per_seat", "usage"):
        return _("per %(unit)s") % {"unit": unit} if unit else (_("per seat") if model == "per_seat" else "")
    if model == "one_time":
        return _("one-time")
    return ""


@register.filter
def language_names(codes):
    if not codes:
        return ""
    if isinstance(codes, str):
        codes = [codes]
    return ", ".join(str(LANGUAGE_NAMES.get(str(code).lower(), code)) for code in codes)


@register.filter
def percent_of(part, whole):
    try:
        return round(100 * int(part) / int(whole)) if int(whole) else 0
    except (TypeError, ValueError):
        return 0


@register.filter
def get_item(mapping, key):
    try:
        return (mapping or {}).get(key) or (mapping or {}).get(str(key)) or 0
    except AttributeError:
        return 0


# --- compare tray ---------------------------------------------------------------------------------
@register.simple_tag(takes_context=True)
def in_compare(context, listing_id):
    from marketplace.services.compare import tray_ids

    request = context.get("request")
    if request is None or not hasattr(request, "session"):
        return False
    cache = getattr(request, "_compare_ids", None)
    if cache is None:
        cache = request._compare_ids = tray_ids(request.session)
    return listing_id in cache


@register.inclusion_tag("marketplace/includes/compare_tray.html", takes_context=True)
def compare_tray(context, oob=False):
    from marketplace.selectors.listings import tray_listings
    from marketplace.services.compare import MAX_COMPARE, tray_ids

    request = context.get("request")
    ids = tray_ids(request.session) if request is not None and hasattr(request, "session") else []
    return {
        "request": request,
        "tray": tray_listings(ids),
        "max_compare": MAX_COMPARE,
        "oob": oob,
        "tray_message": context.get("tray_message", ""),
    }


# --- listing page ------------------------------------------------------------------------------------
@register.inclusion_tag("catalog/includes/reviews.html", takes_context=True)
def listing_reviews(context, page):
    from marketplace.views.reviews import review_context

    result = review_context(context["request"], page)
    result["csrf_token"] = context.get("csrf_token")  # inclusion tags start from an empty context
    return result


@register.simple_tag(takes_context=True)
def listing_json_ld(context, page, listing=None):
    request = context.get("request")
    url = page.get_full_url(request)
    data = {
        "@context": "https://schema.org",
        "@type": "SoftwareApplication",
        "name": str(getattr(page, "t_title", page.title)),
        "url": url,
        "applicationCategory": "BusinessApplication",
    }
    tagline = getattr(page, "t_tagline", "")
    if tagline:
        data["description"] = str(tagline)
    partner = getattr(page, "partner", None)
    if partner is not None:
        data["author"] = {"@type": "Organization", "name": str(partner.organisation)}
    deployment = getattr(page, "get_deployment_display", None)
    if deployment and page.deployment:
        data["operatingSystem"] = str(deployment())
    languages = getattr(page, "languages", None)
    if languages:
        data["inLanguage"] = list(languages)
    plans = (listing or {}).get("plans") if isinstance(listing, dict) else None
    offers = []
    for plan in plans or []:
        for currency in ("CNY", "USD"):
            amount = getattr(plan, f"price_{currency.lower()}", None)
            if amount is not None:
                offers.append(
                    {
                        "@type": "Offer",
                        "name": str(plan.t_name),
                        "price": f"{amount:f}",
                        "priceCurrency": currency,
                    }
                )
    if offers:
        data["offers"] = offers
    if page.rating_count and page.rating_average is not None:
        data["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": f"{page.rating_average:f}",
            "ratingCount": page.rating_count,
            "bestRating": 5,
            "worstRating": 1,
        }
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{payload}</script>')  # noqa: S308 - escaped above


@register.simple_tag
def partner_listing_cards(partner, limit=12):
    """For a partner's profile page: its live listings (as cards, ``{% listing_card_grid %}``)."""
    from marketplace.selectors.listings import partner_listings

    return partner_listings(partner.pk, limit=int(limit)) if partner is not None else []


@register.simple_tag
def partner_rating(partner):
    """``{"average": …, "count": …}`` over the published reviews of a partner's live listings."""
    from marketplace.selectors.listings import partner_rating as select

    return select(partner.pk) if partner is not None else {"average": None, "count": 0}


@register.simple_tag
def featured_listings(count=6):
    from marketplace.selectors.listings import featured_listings as select

    return select(limit=int(count or 6))


@register.simple_tag
def listing_collection(value):
    """A "Listing collection" block's ``{"listings": …, "category_slug": …}``: the chosen listings
    still live, in the order chosen, else the best of its category (then linked as a whole)."""
    from marketplace.selectors.listings import listing_collection as select

    chosen = [page.pk for page in value.get("listings") or [] if page is not None]
    category = value.get("category") or ""
    listings = select(listing_ids=chosen, category_slug=category, sort=value["sort"], limit=value["count"])
    return {"listings": listings, "category_slug": "" if chosen else category}

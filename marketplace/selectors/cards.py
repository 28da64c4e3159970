"""Listing cards as plain dicts, built in one pass (issue #17): everything a card shows, read with
one hand-written statement whatever the number of cards (the live listings with page, partner,
organisation, tier, logo rendition, verified-review count and plans; compiled once per number of
ids), the dicts built straight from its tuples: no querysets, no page objects, no per-card
template lookups. ``tests/unit/marketplace/test_mkt_cards_sql.py`` compares it with the ORM
version it replaced (kept there as ``reference_cards.py``).

Search results, the home page's featured listings, landing collections, category pages and a
partner's profile all render these dicts with ``{% listing_cards %}``
(``marketplace.templatetags.market``).

A card's price is ``catalog.pricing.card_price`` in the page's currency, the same rule as the
search index's price column, so the price sort and the cards agree.
"""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache

from django.core.files.storage import FileSystemStorage
from django.db import connections
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import iri_to_uri
from django.utils.translation import gettext, ngettext
from wagtail.images import get_image_model
from wagtail.models import Site

from catalog.models import ListingPage, ListingPlan, ListingType, ListingUsage, PricingModel, UsageKind
from catalog.pricing import card_price
from core.i18n import is_english
from core.money import SYMBOLS, Currency
from themes.templatetags.symbio import contrast_text, safe_colour

LOGO_SPEC = "fill-96x96"
FRESH_DAYS = 90  # updated within this many days: "Recently updated"
STALE_DAYS = 365  # not updated for this long: "Not updated for over a year"


@lru_cache(maxsize=256)
def _tier_colours(colour: str) -> tuple[str, str]:
    return safe_colour(colour), contrast_text(colour)


def page_currency(currency: str | None = None) -> str:
    """The currency a page shows prices in: the one asked for, else the language's."""
    currency = (currency or "").upper()
    if currency in ("CNY", "USD"):
        return currency
    return "USD" if is_english() else "CNY"


def _url_maker():
    """url_path → this language's URL, as ``Page.get_url`` makes it (one site root lookup)."""
    roots = [(root_path, site_id) for site_id, root_path, *_rest in Site.get_site_root_paths()]
    prefix = reverse("wagtail_serve", args=("",))

    def url(url_path: str) -> str:
        for root_path, _site in roots:
            if url_path.startswith(root_path):
                return iri_to_uri(prefix + url_path[len(root_path) :])
        return ""

    return url


_TYPE_LABELS = dict(ListingType.choices)
_BROKEN: set[tuple[int, str]] = set()  # (image id, file name) whose rendition could not be made


def _logos(logo_ids) -> dict[int, dict]:
    """{image id: {"url", "width", "height"}} of the card-size renditions (made when missing)."""
    if not logo_ids:
        return {}
    image_model = get_image_model()
    rendition_model = image_model.get_rendition_model()
    found = {}
    for rendition in rendition_model.objects.filter(image_id__in=logo_ids, filter_spec=LOGO_SPEC):
        found[rendition.image_id] = {
            "url": rendition.url,
            "width": rendition.width,
            "height": rendition.height,
        }
    missing = set(logo_ids) - set(found) - {pk for pk, _name in _BROKEN}
    for image in image_model.objects.filter(pk__in=missing):  # first view after an upload only
        try:
            rendition = image.get_rendition(LOGO_SPEC)
        except Exception:  # noqa: BLE001 - a broken file shows the monogram, and is not retried
            if len(_BROKEN) < 10_000:
                _BROKEN.add((image.pk, image.file.name))
            continue
        found[image.pk] = {"url": rendition.url, "width": rendition.width, "height": rendition.height}
    return found


def _words(words):
    """(gettext, ngettext) of ``words``, or the plain functions."""
    if words is None:
        return gettext, ngettext
    return words.gettext, words.ngettext


class _Words:
    """``gettext`` / ``ngettext`` memoized for one batch of cards (one active language): the
    same few messages are translated once, not once per card."""

    def __init__(self):
        self._memo = {}

    def gettext(self, message: str) -> str:
        try:
            return self._memo[message]
        except KeyError:
            value = self._memo[message] = gettext(message)
            return value

    def ngettext(self, singular: str, plural: str, number: int) -> str:
        key = (singular, plural, number)
        try:
            return self._memo[key]
        except KeyError:
            value = self._memo[key] = ngettext(singular, plural, number)
            return value


def freshness(updated_at, *, now=None, words=None) -> dict:
    """The freshness badge: ``{"state": "fresh"|"recent"|"stale"|"", "label", "title"}``: updated
    in the last ``FRESH_DAYS`` days, earlier, or not for ``STALE_DAYS`` days or more."""
    if updated_at is None:
        return {"state": "", "label": "", "title": ""}
    _, ngettext = _words(words)
    age = (now or timezone.now()) - updated_at
    title = _("Last updated %(date)s") % {"date": f"{timezone.localtime(updated_at):%Y-%m-%d}"}
    if age <= _FRESH:
        return {"state": "fresh", "label": _("Recently updated"), "title": title}
    if age >= _STALE:
        return {"state": "stale", "label": _("Not updated for over a year"), "title": title}
    months = max(1, age.days // 30)
    label = ngettext("Updated %(count)s month ago", "Updated %(count)s months ago", months) % {
        "count": months
    }
    return {"state": "recent", "label": label, "title": title}


_FRESH = timedelta(days=FRESH_DAYS)
_STALE = timedelta(days=STALE_DAYS)


def money_text(amount, currency: str) -> str:
    """``¥1,299`` / ``$19.50`` (whole amounts without decimals), as ``{{ x|money }}`` shows it."""
    symbol = SYMBOLS.get(Currency(currency), "") if currency in Currency.values else ""
    if amount == amount.to_integral_value():
        return f"{symbol}{amount:,.0f}"
    return f"{symbol}{amount:,.2f}"


def price_label(price: dict, words=None) -> tuple[str, str]:
    """(label, note) of a card's price (``catalog.pricing.card_price``): "From ¥99", "Free",
    "Contact sales"; a price only in the other currency is marked in the note."""
    kind = price["kind"]
    _ = _words(words)[0]
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


def _monogram(text: str) -> str:
    text = (text or "").strip()
    if not text:
        return "?"
    if not text[0].isascii():
        return text[0]
    words = text.replace("-", " ").replace("_", " ").replace(".", " ").split()
    return ("".join(w[0] for w in words[:2]) if len(words) > 1 else text[:2]).upper()


def _rating(average, count: int, verified: int, words: _Words) -> dict:
    _, ngettext = _words(words)
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


def _statement(connection, count: int):
    """(SQL, converters) of the card rows of ``count`` ids: one statement, cached per shape."""
    key = (connection.vendor, count)
    found = _STATEMENTS.get(key)
    if found is None:
        found = _STATEMENTS[key] = _build_statement(connection, count)
    return found


_STATEMENTS: dict[tuple[str, int], tuple[str, list]] = {}


def _build_statement(connection, count: int) -> tuple[str, list]:
    """The live listings among ``count`` ids with their page, partner, organisation, tier, logo
    rendition and verified-review count (left joins), then (``UNION ALL``) the plans of those
    ids, in their order: column 0 says which (0 listing, 1 plan). Table and column names come
    from the models, the values from parameters, so the same text runs on PostgreSQL and
    SQLite."""
    from marketplace.models import Review

    q = connection.ops.quote_name
    rendition_model = get_image_model().get_rendition_model()
    partner_model = ListingPage._meta.get_field("partner").related_model
    organisation_model = partner_model._meta.get_field("organisation").related_model
    tier_model = partner_model._meta.get_field("tier").related_model
    page_model = ListingPage._meta.get_field("page_ptr").related_model
    plan_fk = ListingPage._meta.get_field("plans").field.name

    def col(alias, model, name):
        return f"{alias}.{q(model._meta.get_field(name).column)}"

    def table(model, alias):
        return f"{q(model._meta.db_table)} {alias}"

    pk = col("l", ListingPage, "page_ptr")
    in_ids = f"IN ({', '.join(['%s'] * count)})"
    listing_columns = [  # row[1:22]: what listing_cards unpacks
        ("l", ListingPage, "page_ptr"),
        ("p", page_model, "title"),
        ("l", ListingPage, "title_en"),
        ("l", ListingPage, "tagline"),
        ("l", ListingPage, "tagline_en"),
        ("l", ListingPage, "listing_type"),
        ("p", page_model, "url_path"),
        ("l", ListingPage, "logo"),
        ("l", ListingPage, "rating_average"),
        ("l", ListingPage, "rating_count"),
        ("l", ListingPage, "last_updated_at"),
        ("p", page_model, "last_published_at"),
        ("p", page_model, "first_published_at"),
        ("o", organisation_model, "name"),
        ("o", organisation_model, "name_en"),
        ("t", tier_model, "name"),
        ("t", tier_model, "name_en"),
        ("t", tier_model, "colour"),
        ("r", rendition_model, "file"),
        ("r", rendition_model, "width"),
        ("r", rendition_model, "height"),
    ]
    plan_columns = [  # row[22:28]
        ("pl", ListingPlan, "id"),
        ("pl", ListingPlan, "pricing_model"),
        ("pl", ListingPlan, "price_cny"),
        ("pl", ListingPlan, "price_usd"),
        ("pl", ListingPlan, "trial_days"),
        ("pl", ListingPlan, "sort_order"),
    ]
    usage_match = " AND ".join(
        (
            f"{col('u', ListingUsage, 'listing')} = {col('v', Review, 'listing')}",
            f"{col('u', ListingUsage, 'organisation')} = {col('v', Review, 'organisation')}",
            f"{col('u', ListingUsage, 'kind')} = %s",
        )
    )
    verified = (  # row[28]
        f"CASE WHEN {col('l', ListingPage, 'rating_count')} > 0 THEN (SELECT COUNT(*) FROM "
        f"{table(Review, 'v')} WHERE {col('v', Review, 'listing')} = {pk} AND "
        f"{col('v', Review, 'status')} = %s AND EXISTS (SELECT 1 FROM {table(ListingUsage, 'u')} "
        f"WHERE {usage_match})) ELSE 0 END"
    )
    listings = ", ".join(["0", *(col(*c) for c in listing_columns), *["NULL"] * len(plan_columns), verified])
    plans = ", ".join(
        [
            "1",
            col("pl", ListingPlan, plan_fk),
            *["NULL"] * (len(listing_columns) - 1),
            *(col(*c) for c in plan_columns),
            "NULL",
        ]
    )
    sql = (
        f"SELECT {listings} FROM {table(ListingPage, 'l')}"
        f" INNER JOIN {table(page_model, 'p')} ON {col('p', page_model, 'id')} = {pk}"
        f" LEFT OUTER JOIN {table(partner_model, 'pa')}"
        f" ON {col('pa', partner_model, 'id')} = {col('l', ListingPage, 'partner')}"
        f" LEFT OUTER JOIN {table(organisation_model, 'o')}"
        f" ON {col('o', organisation_model, 'id')} = {col('pa', partner_model, 'organisation')}"
        f" LEFT OUTER JOIN {table(tier_model, 't')}"
        f" ON {col('t', tier_model, 'id')} = {col('pa', partner_model, 'tier')}"
        f" LEFT OUTER JOIN {table(rendition_model, 'r')}"
        f" ON {col('r', rendition_model, 'image')} = {col('l', ListingPage, 'logo')}"
        f" AND {col('r', rendition_model, 'filter_spec')} = %s"
        f" WHERE {col('p', page_model, 'live')} = %s AND {col('l', ListingPage, 'delisted_at')} IS NULL"
        f" AND {pk} {in_ids}"
        f" UNION ALL SELECT {plans} FROM {table(ListingPlan, 'pl')}"
        f" WHERE {col('pl', ListingPlan, plan_fk)} {in_ids}"
        " ORDER BY 1, 28, 23"  # listings first, then the plans by their sort order
    )
    # The database's own converters of each column (SQLite: text → datetime, float → Decimal),
    # as the ORM applies them; none on PostgreSQL for these types.
    converters = []
    for index, (_alias, model, name) in enumerate([*listing_columns, *plan_columns], start=1):
        field = model._meta.get_field(name)
        expression = field.get_col(model._meta.db_table)
        found = connection.ops.get_db_converters(expression) + field.get_db_converters(connection)
        if found:
            converters.append((index, found, expression))
    return sql, converters


def _card_rows(ids: list[int]) -> tuple[dict[int, tuple], dict[int, list[dict]]]:
    """({listing id: its 18 columns, logo file, width, height, verified reviews}, {listing id:
    its plans as dicts}) of the live listings among ``ids``: one statement."""
    from marketplace.models import Review

    connection = connections[ListingPage.objects.db]
    sql, converters = _statement(connection, len(ids))
    params = [Review.Status.PUBLISHED.value, UsageKind.SUBSCRIPTION.value, LOGO_SPEC, True, *ids, *ids]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    by_id: dict[int, tuple] = {}
    plans: dict[int, list[dict]] = {}
    for row in rows:
        if converters:
            row = list(row)
            for index, found, expression in converters:
                value = row[index]
                if value is not None:
                    for converter in found:
                        value = converter(value, expression, connection)
                    row[index] = value
        pk = row[1]
        if not row[0]:
            if pk not in by_id:  # (a second rendition of the logo repeats the listing)
                by_id[pk] = (*row[1:22], row[28])
                plans[pk] = []
        elif pk in plans:
            plans[pk].append(
                {"pricing_model": row[23], "price_cny": row[24], "price_usd": row[25], "trial_days": row[26]}
            )
    return by_id, plans


def listing_cards(ids, *, currency: str | None = None) -> list[dict]:
    """Cards for the live listings among ``ids``, in that order (one statement; a logo's
    card-size rendition is made on its first view)."""
    ids = [pk for pk in dict.fromkeys(ids) if pk is not None]
    if not ids:
        return []
    english = is_english()
    currency = page_currency(currency)
    by_id, plans = _card_rows(ids)
    if not by_id:
        return []
    logos = {}
    for row in by_id.values():
        if row[7] is not None and row[18]:
            logos.setdefault(row[7], {"url": _rendition_url(row[18]), "width": row[19], "height": row[20]})
    missing = {row[7] for row in by_id.values() if row[7] is not None} - set(logos)
    missing -= {pk for pk, _name in _BROKEN}
    if missing:
        logos.update(_logos(missing))
    url = _url_maker()
    words = _Words()
    _ = words.gettext
    types = {}
    now = timezone.now()
    cards = []
    for pk in ids:
        row = by_id.get(pk)
        if row is None:
            continue
        (
            _pk,
            title,
            title_en,
            tagline,
            tagline_en,
            listing_type,
            url_path,
            logo_id,
            rating_average,
            rating_count,
            last_updated_at,
            last_published_at,
            first_published_at,
            partner_name,
            partner_name_en,
            tier_name,
            tier_name_en,
            tier_colour,
        ) = row[:18]
        verified = row[21]
        own_plans = plans[pk]
        title = (title_en if english else title) or title or title_en
        partner = (partner_name_en if english else partner_name) or partner_name
        price = card_price(own_plans, currency)
        label, note = price_label(price, words)
        kind = types.get(listing_type)
        if kind is None:
            kind = types[listing_type] = str(_TYPE_LABELS.get(listing_type, listing_type))
        tier = None
        if tier_name:
            tier = {"name": (tier_name_en if english else tier_name) or tier_name}
            tier["colour"], tier["ink"] = _tier_colours(tier_colour or "")
        cards.append(
            {
                "pk": pk,
                "url": url(url_path),
                "title": title,
                "monogram": _monogram(title),
                "tagline": (tagline_en if english else tagline) or tagline,
                "partner": partner,
                "by": _("by %(partner)s") % {"partner": partner} if partner else "",
                "type": kind,
                "tier": tier,
                "logo": logos.get(logo_id),
                "has_trial": any(
                    p["pricing_model"] == PricingModel.FREE_TRIAL or (p["trial_days"] or 0) > 0
                    for p in own_plans
                ),
                "rating": _rating(rating_average, rating_count or 0, verified or 0, words),
                "price": price,
                "price_label": label,
                "price_note": note,
                "freshness": freshness(
                    last_updated_at or last_published_at or first_published_at, now=now, words=words
                ),
            }
        )
    return cards


_URLS: dict[tuple[str, str], str] = {}


def _rendition_url(name: str) -> str:
    """A rendition file's URL (``Rendition.url``); remembered for the file system storage, whose
    URLs only depend on the name and ``MEDIA_URL`` (signed or remote storages are asked each
    time)."""
    storage = get_image_model().get_rendition_model()._meta.get_field("file").storage
    if type(storage) is not FileSystemStorage:
        return storage.url(name)
    key = (storage.base_url, name)
    url = _URLS.get(key)
    if url is None:
        if len(_URLS) > 10_000:
            _URLS.clear()
        url = _URLS[key] = storage.url(name)
    return url

"""The facets of the catalogue search: their URL parameters, allowed values and labels.

Both engines share these. Labels of taxonomy values (categories, industries, regions, tiers) are
read once and cached (Django cache) under a version number that the taxonomy's ``post_save`` /
``post_delete`` receivers bump (``catalog.search.signals``), so a search page issues no label
queries in the steady state and at most four after a change.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from catalog.models import Category, Deployment, ListingType, PricingModel
from catalog.search.generation import note_local_change
from core.cache import per_request
from core.i18n import is_english

LABELS_KEY = "catalog.search.labels"
LABELS_VERSION_KEY = "catalog.search.labels.version"
LABELS_TIMEOUT = 60 * 60
MAX_VALUES_PER_FACET = 50  # a URL may not select more values than this per facet
RATING_THRESHOLDS = ("4", "3", "2", "1")


@dataclass(frozen=True)
class Facet:
    key: str  # URL parameter and facet name in results
    label: str
    multi_valued: bool  # the document has a list of values (categories …) or exactly one
    column: str  # SearchDocument column / Elasticsearch field


FACETS: tuple[Facet, ...] = (
    Facet("category", _("Category"), True, "categories"),
    Facet("type", _("Listing type"), False, "listing_type"),
    Facet("pricing", _("Pricing"), True, "pricing_models"),
    Facet("trial", _("Free trial"), False, "has_free_trial"),
    Facet("rating", _("Rating"), True, "rating_buckets"),
    Facet("industry", _("Industry"), True, "industries"),
    Facet("region", _("Region"), True, "regions"),
    Facet("deployment", _("Deployment"), False, "deployment"),
    Facet("tier", _("Partner tier"), False, "tier_slug"),
    Facet("kind", _("Partner kind"), False, "partner_kind"),
)
FACETS_BY_KEY = {facet.key: facet for facet in FACETS}


def _partner_kinds():
    from partners.models import PartnerKind

    return PartnerKind


def choice_labels() -> dict[str, dict[str, str]]:
    """Facets whose values are code-defined choices (labels translated on use)."""
    return {
        "type": dict(ListingType.choices),
        "pricing": dict(PricingModel.choices),
        "deployment": dict(Deployment.choices),
        "kind": dict(_partner_kinds().choices),
        "trial": {"1": _("Has a free trial")},
        "rating": {
            "4": _("4★ & up"),
            "3": _("3★ & up"),
            "2": _("2★ & up"),
            "1": _("1★ & up"),
        },
    }


def labels_version() -> int:
    return per_request(LABELS_VERSION_KEY, _read_labels_version)


def _read_labels_version() -> int:
    version = cache.get(LABELS_VERSION_KEY)
    if version is None:
        version = 1
        cache.add(LABELS_VERSION_KEY, version, None)
    return version


def bump_labels_version(**_kwargs) -> None:
    """Receiver: taxonomy changed, so labels (and anything cached with them) are stale."""
    note_local_change()
    try:
        cache.incr(LABELS_VERSION_KEY)
    except ValueError:
        cache.set(LABELS_VERSION_KEY, 2, None)


def _load_taxonomy() -> dict:
    from partners.models import Industry, Region, Tier

    categories = list(
        Category.objects.order_by("position", "slug").values("pk", "slug", "name", "name_en", "parent_id")
    )
    by_pk = {c["pk"]: c for c in categories}
    tops = [c for c in categories if c["parent_id"] is None or c["parent_id"] not in by_pk]
    ordered = []
    for top in tops:
        ordered.append({**top, "depth": 0, "parent": ""})
        ordered.extend(
            {**c, "depth": 1, "parent": top["slug"]} for c in categories if c["parent_id"] == top["pk"]
        )
    placed = {c["slug"] for c in ordered}
    ordered.extend({**c, "depth": 0, "parent": ""} for c in categories if c["slug"] not in placed)
    tiers: dict[str, dict] = {}
    for tier in Tier.objects.order_by("rank", "kind").values("slug", "name", "name_en", "rank"):
        tiers.setdefault(tier["slug"], tier)
    return {
        "category": [(c["slug"], c["name"], c["name_en"], c["depth"], c["parent"]) for c in ordered],
        "industry": [
            (i["slug"], i["name"], i["name_en"], 0, "")
            for i in Industry.objects.order_by("position", "slug").values("slug", "name", "name_en")
        ],
        "region": [
            (r["code"], r["name"], r["name_en"], 0, "")
            for r in Region.objects.order_by("position", "code").values("code", "name", "name_en")
        ],
        "tier": [
            (t["slug"], t["name"], t["name_en"], 0, "")
            for t in sorted(tiers.values(), key=lambda t: t["rank"])
        ],
    }


def taxonomy() -> dict:
    """{facet: [(value, Chinese label, English label, depth, parent value)]} for the facets whose
    values live in the database, in display order. Cached (one cache read per request)."""
    key = f"{LABELS_KEY}.{labels_version()}"
    return per_request(key, lambda: _cached_taxonomy(key))


def _cached_taxonomy(key: str) -> dict:
    data = cache.get(key)
    if data is None:
        data = _load_taxonomy()
        cache.set(key, data, LABELS_TIMEOUT)
    return data


def _pick(zh: str, en: str) -> str:
    return (en or zh) if is_english() else (zh or en)


def facet_options(facet_key: str) -> list[tuple[str, str, int]]:
    """(value, label in the active language, depth) of every value a facet can take, in order."""
    if facet_key in ("category", "industry", "region", "tier"):
        return [(value, _pick(zh, en), depth) for value, zh, en, depth, _parent in taxonomy()[facet_key]]
    return [(value, str(label), 0) for value, label in choice_labels()[facet_key].items()]


def allowed_values(facet_key: str) -> set[str]:
    if facet_key in ("category", "industry", "region", "tier"):
        return {row[0] for row in taxonomy()[facet_key]}
    return set(choice_labels()[facet_key])


def category_parents() -> dict[str, str]:
    return {value: parent for value, _zh, _en, _depth, parent in taxonomy()["category"]}


def clean_filters(filters) -> dict[str, list[str]]:
    """Known facets only, known values only (unknown ones are ignored), de-duplicated, in a
    stable order. Accepts a dict of lists or strings, or a Django ``QueryDict``."""
    cleaned: dict[str, list[str]] = {}
    if not filters:
        return cleaned
    getlist = getattr(filters, "getlist", None)
    for facet in FACETS:
        if getlist is not None:
            raw = getlist(facet.key)
        else:
            raw = filters.get(facet.key) if hasattr(filters, "get") else None
            if raw is None:
                continue
            if isinstance(raw, str | int | bool):
                raw = [raw]
        values = []
        allowed = None
        for value in list(raw)[: MAX_VALUES_PER_FACET * 2]:
            if isinstance(value, bool):
                value = "1" if value else ""
            value = str(value).strip()[:80]
            if not value:
                continue
            if allowed is None:
                allowed = allowed_values(facet.key)
            if value in allowed and value not in values:
                values.append(value)
        if values:
            cleaned[facet.key] = sorted(values)[:MAX_VALUES_PER_FACET]
    if "rating" in cleaned:  # "≥ 3 or ≥ 4" is "≥ 3": keep the lowest threshold only
        cleaned["rating"] = [min(cleaned["rating"], key=int)]
    return cleaned


def rating_buckets(rating_average) -> list[str]:
    """The "N★ & up" values a listing's average qualifies for."""
    if rating_average is None:
        return []
    return [t for t in RATING_THRESHOLDS if float(rating_average) >= int(t)]

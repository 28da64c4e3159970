"""The search interface both engines implement, its request and its result."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from math import ceil
from typing import NamedTuple

from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

from catalog.search import text as text_mod
from catalog.search.facets import FACETS, clean_filters
from catalog.search.generation import local_generation, note_local_change  # noqa: F401 - re-exported

SORTS = ("relevance", "rating", "newest", "subscribed", "price")
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 500  # deeper pages are clamped (no one reads 10,000 results twenty at a time)
CURRENCIES = ("CNY", "USD")


class FacetValue(NamedTuple):
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Hit:
    listing_id: int
    score: float
    highlights: dict[str, SafeString] = field(default_factory=dict)
    document: dict = field(default_factory=dict)  # what a result card shows, from the index


@dataclass
class SearchResult:
    hits: list[Hit]
    total: int
    facets: dict[str, list[FacetValue]]
    page: int
    pages: int
    did_you_mean: str | None = None
    per_page: int = DEFAULT_PER_PAGE
    sort: str = "relevance"
    text: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    engine: str = ""
    fuzzy: bool = False  # the hits came from typo-tolerant matching (no exact match)
    depths: dict[str, int] = field(default_factory=dict)  # category value → 0 (top) / 1 (child)
    # The typed query (``text``) found nothing; these hits are this corrected query's.
    corrected: str = ""
    # No listing (or too few) had every word: these have some of them (``catalog.search.relax``).
    relaxed: bool = False

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def start_index(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.hits else 0

    @property
    def end_index(self) -> int:
        return self.start_index + len(self.hits) - 1 if self.hits else 0


@dataclass(frozen=True)
class SearchRequest:
    text: str
    filters: dict[str, list[str]]
    sort: str
    page: int
    per_page: int
    language: str
    currency: str
    correct: bool = True  # a query that finds nothing may be corrected (spelling, pinyin)
    relax: bool = False  # too few listings with every word: those with some (``relax``)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def english(self) -> bool:
        return self.language.startswith("en")


def _int(value, default: int, low: int, high: int) -> int:
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except (TypeError, ValueError):
        return default
    return max(low, min(high, number))


def make_request(
    *,
    text="",
    filters=None,
    sort="relevance",
    page=1,
    per_page=DEFAULT_PER_PAGE,
    language=None,
    currency=None,
    correct=True,
    relax=False,
) -> SearchRequest:
    """Everything a caller may pass, made safe: unknown sorts and facet values are dropped,
    numbers clamped, the query cleaned and cut to 200 characters."""
    language = str(language or settings.LANGUAGE_CODE)
    if language not in {code for code, _name in settings.LANGUAGES}:
        language = settings.LANGUAGE_CODE
    currency = str(currency or "").upper()
    if currency not in CURRENCIES:
        currency = "USD" if language.startswith("en") else "CNY"
    sort = sort if sort in SORTS else "relevance"
    return SearchRequest(
        text=text_mod.clean_query(text),
        filters=clean_filters(filters),
        sort=sort,
        page=_int(page, 1, 1, MAX_PAGE),
        per_page=_int(per_page, DEFAULT_PER_PAGE, 1, MAX_PER_PAGE),
        language=language,
        currency=currency,
        correct=bool(correct),
        relax=bool(relax),
    )


def pages_for(total: int, per_page: int) -> int:
    return max(1, ceil(total / per_page)) if total else 1


def facet_lists(counts: dict[str, dict[str, int]], request: SearchRequest) -> tuple[dict, dict]:
    """Counts per facet → ordered ``FacetValue`` lists (values with a count, and every selected
    value even at zero), plus the category depths for indenting."""
    from catalog.search.facets import facet_options

    facets, depths = {}, {}
    for facet in FACETS:
        selected = set(request.filters.get(facet.key, ()))
        own = counts.get(facet.key, {})
        values = []
        for value, label, depth in facet_options(facet.key):
            count = own.get(value, 0)
            if count or value in selected:
                values.append(FacetValue(value, label, count, value in selected))
                if facet.key == "category":
                    depths[value] = depth
        facets[facet.key] = values
    return facets, depths


def highlight(value: str, words: list[str], *, width: int = 160) -> SafeString | None:
    """``value`` escaped, cut to ``width`` characters around the first match, matches in
    ``<mark>``; ``None`` when nothing matches."""
    if not value or not words:
        return None
    folded = value.casefold()
    positions = [(folded.find(w), w) for w in words if w and folded.find(w) >= 0]
    if not positions:
        return None
    first = min(p for p, _w in positions)
    start = max(0, first - width // 3) if len(value) > width else 0
    snippet = value[start : start + width]
    # An English word is marked from a word start to its end: a stem ("manag") marks "Managed"
    # whole, and "ai" does not mark the inside of "mail".
    pattern = re.compile(
        "|".join(
            (r"(?<![a-z0-9])" + re.escape(w) + "[a-z0-9]*") if w.isascii() and w.isalnum() else re.escape(w)
            for w in sorted(words, key=len, reverse=True)
            if w
        ),
        re.I,
    )
    out, last = [], 0
    for match in pattern.finditer(snippet):
        out.append(html.escape(snippet[last : match.start()]))
        out.append(f"<mark>{html.escape(match.group(0))}</mark>")
        last = match.end()
    out.append(html.escape(snippet[last:]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(value) else ""
    return mark_safe(prefix + "".join(out) + suffix)  # noqa: S308 - every part escaped above


def document_highlights(
    document: dict, query: str, english: bool, *, words: list[str] | None = None
) -> dict[str, SafeString]:
    """The title, tagline and body snippets with the query's words marked (``words`` when given:
    e.g. the query's words plus its synonyms, ``catalog.search.synonyms.highlight_words``)."""
    words = text_mod.plain_words(query) if words is None else words
    if not words:
        return {}
    first, second = ("_en", "") if english else ("", "_en")
    out = {}
    for name in ("title", "tagline", "body"):
        for suffix in (first, second):
            marked = highlight(document.get(name + suffix) or "", words)
            if marked:
                out[name] = marked
                break
    return out


INDEX_VERSION_KEY = "catalog.search.index.version"


def index_version() -> int:
    """A number that changes whenever the index changes (both engines bump it): part of every
    cache key derived from search results (read once per request)."""
    from core.cache import per_request

    return per_request(INDEX_VERSION_KEY, _read_index_version)


def _read_index_version() -> int:
    from django.core.cache import cache

    version = cache.get(INDEX_VERSION_KEY)
    if version is None:
        version = 1
        cache.add(INDEX_VERSION_KEY, version, None)
    return version


def bump_index_version() -> int | None:
    """Bump the index version; the new version (``None`` when the cache did not say)."""
    from django.core.cache import cache

    note_local_change()
    try:
        version = cache.incr(INDEX_VERSION_KEY)
    except ValueError:
        cache.set(INDEX_VERSION_KEY, 2, None)
        version = 2
    return version if isinstance(version, int) else None


class Engine:
    """What an engine implements. ``search`` takes a cleaned ``SearchRequest``."""

    name = ""

    def search(self, request: SearchRequest) -> SearchResult:  # pragma: no cover - interface
        raise NotImplementedError

    def suggest(self, prefix: str, *, language: str, limit: int = 10) -> list[dict]:  # pragma: no cover
        raise NotImplementedError

    def index(self, documents) -> int:  # pragma: no cover
        raise NotImplementedError

    def remove(self, listing_ids) -> int:  # pragma: no cover
        raise NotImplementedError

    def rebuild(self, batches, *, total: int, progress=None) -> int:  # pragma: no cover
        raise NotImplementedError

    def refresh_ranking(self) -> int:
        return 0

    def count(self) -> int:  # pragma: no cover
        raise NotImplementedError

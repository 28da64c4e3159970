"""Catalogue search: one call, two engines (``docs/search.md``).

    from catalog.search import search
    result = search(text="报销", filters={"type": ["saas"], "rating": ["4"]}, sort="relevance",
                    page=1, per_page=20, language="zh-hans")
    result.hits        # [Hit(listing_id, score, highlights, document)]
    result.total, result.page, result.pages, result.did_you_mean
    result.facets      # {"category": [FacetValue(value, label, count, selected)], …}

The engine is ``settings.SEARCH_ENGINE`` ("database" or "elasticsearch"; base settings pick
Elasticsearch when ``ELASTICSEARCH_URL`` is set). Switching engines needs only
``manage.py reindex``.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

from catalog.search.base import (
    DEFAULT_PER_PAGE,
    SORTS,
    FacetValue,
    Hit,
    SearchRequest,
    SearchResult,
    make_request,
)

__all__ = [
    "DEFAULT_PER_PAGE",
    "SORTS",
    "FacetValue",
    "Hit",
    "SearchRequest",
    "SearchResult",
    "get_engine",
    "popular_categories",
    "search",
    "suggest",
]

_engines: dict = {}


def engine_name() -> str:
    name = getattr(settings, "SEARCH_ENGINE", "database")
    if name == "elasticsearch" and not getattr(settings, "ELASTICSEARCH_URL", ""):
        return "database"
    return name if name in ("database", "elasticsearch") else "database"


def get_engine(name: str | None = None):
    name = name or engine_name()
    if name not in _engines:
        if name == "elasticsearch":
            from catalog.search.elastic import ElasticsearchEngine

            _engines[name] = ElasticsearchEngine()
        else:
            from catalog.search.database import DatabaseEngine

            _engines[name] = DatabaseEngine()
    return _engines[name]


def search(
    *,
    text: str = "",
    filters: dict | None = None,
    sort: str = "relevance",
    page=1,
    per_page=DEFAULT_PER_PAGE,
    language: str | None = None,
    currency: str | None = None,
    correct: bool = True,
    relax: bool = False,
) -> SearchResult:
    """Search the live catalogue. Never raises for bad input: unknown facets, values and sorts are
    ignored, numbers clamped, the text cut to 200 characters. When the text finds nothing and
    ``correct`` holds, the results of its spelling / pinyin correction come back instead, with
    ``result.corrected`` set to the corrected query. With ``relax``, a query whose words together
    find too few listings also finds those with some of them (``catalog.search.relax``), with
    ``result.relaxed`` set."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    request = make_request(
        text=text,
        filters=filters,
        sort=sort,
        page=page,
        per_page=per_page,
        language=language,
        currency=currency,
        correct=correct,
        relax=relax,
    )
    with translation.override(request.language):
        return get_engine().search(request)


def suggest(prefix: str, *, language: str | None = None, limit: int = 10) -> list[dict]:
    """Up to ``limit`` (≤ 10) listings and categories whose names (either language) contain
    ``prefix``: ``{"kind": "listing"|"category", "value", "label", "alt", "url"?, "partner"?}``."""
    from catalog.search.text import clean_query

    language = language or translation.get_language() or settings.LANGUAGE_CODE
    limit = max(1, min(10, int(limit)))
    with translation.override(language):
        return get_engine().suggest(clean_query(prefix)[:50], language=language, limit=limit)


def popular_categories(limit: int = 6) -> list[tuple[str, int]]:
    """(category slug, number of live listings) of the biggest top-level categories."""
    return get_engine().popular_categories(limit)

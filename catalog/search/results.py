"""The one place a ``SearchResult`` is assembled, whichever engine found the hits.

An engine runs its query, then hands over what it found: the page of ``Hit``\\ s, the total, the
raw facet counts (``{facet: {value: count}}``, each facet counted under the *other* facets'
filters) and the page actually shown. ``build_result`` orders and labels the facet values,
works out the number of pages and fills in the request's echo (text, filters, sort), so both
engines answer in exactly the same shape.
"""

from __future__ import annotations

from catalog.search.base import SearchRequest, SearchResult, facet_lists, pages_for


def build_result(
    request: SearchRequest,
    *,
    engine: str,
    hits: list,
    total: int,
    counts: dict[str, dict[str, int]],
    page: int,
    did_you_mean: str | None = None,
    fuzzy: bool = False,
    corrected: str = "",
    relaxed: bool = False,
) -> SearchResult:
    """The ``SearchResult`` for ``request`` from an engine's hits, total and facet counts."""
    facets, depths = facet_lists(counts, request)
    return SearchResult(
        hits=hits,
        total=total,
        facets=facets,
        page=page,
        pages=pages_for(total, request.per_page),
        did_you_mean=did_you_mean,
        per_page=request.per_page,
        sort=request.sort,
        text=request.text,
        filters=request.filters,
        engine=engine,
        fuzzy=fuzzy,
        depths=depths,
        corrected=corrected,
        relaxed=relaxed,
    )

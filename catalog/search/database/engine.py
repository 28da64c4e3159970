"""``DatabaseEngine``: the database engine's search, tying matching (``query``), facet counts
(``facets``), suggestions (``suggest``) and indexing (``indexing``) together.

Queries per search, whatever the data size: one for the hits (the total comes with them as a
window count), one for their display text, one for the facet counts — or, on PostgreSQL with
text, one for the ids the text matches and, when they are many (a broad word), the total and
the facet counts from bitsets (``bitsets``) with no window count and no counting statement —
plus, when nothing
matched, the typo pass, the corrected query's hits (``catalog.search.spelling``; its vocabulary
is read once per index version) and "did you mean". Labels come from a cache
(``catalog.search.facets``).
"""

from __future__ import annotations

from dataclasses import replace

from catalog.models import SearchDocument
from catalog.search import relax, spelling, synonyms
from catalog.search import text as text_mod
from catalog.search.base import Engine, Hit, SearchRequest, SearchResult, document_highlights, pages_for
from catalog.search.database import bitsets, broad, facets, indexing, suggest
from catalog.search.database.backend import is_postgres
from catalog.search.database.query import Browse, RelaxedMatch, TextMatch, hits
from catalog.search.results import build_result
from core.bulk import without_jit


class DatabaseEngine(Engine):
    name = "database"

    # search -----------------------------------------------------------------------------------
    def search(self, request: SearchRequest) -> SearchResult:
        if not is_postgres():
            return self._search(request)
        # Short index scans: the JIT compiler (triggered by row estimates of broad matches)
        # costs more than it saves. For this transaction only.
        with without_jit():
            return self._search(request)

    def _search(self, request: SearchRequest) -> SearchResult:
        match = TextMatch(request.text) if request.text else None
        if match is not None and match.empty:
            match = None
        browse_all = match is None and not request.filters
        cached = facets.all_counts() if browse_all else None
        # PostgreSQL with text: the ids the text matches come first (with the page of hits, from
        # the same scan, when there are no filters); for a broad word (thousands of them) the
        # total and the facet counts come from bitsets (``bitsets``), not from SQL.
        original, rows, text_found = match, None, False
        if bitsets.applies(match):
            if not request.filters and request.sort == "relevance":
                rows, ids = broad.hits_and_ids(request, match)  # kept for a broad word (``broad``)
                total = len(ids)
                fast = bitsets.count(request, ids)
            else:
                fast, text_found = self._filtered_counts(request, match)
            if fast is not None:
                cached = {"total": fast[0], "counts": fast[1]}
        if rows is None:
            rows, total = hits(request, match, known_total=cached["total"] if cached else None)

        fuzzy = False
        # Nothing found: the words' fault (typo pass, "did you mean") unless they match without
        # the filters, in which case the filters are to blame.
        misspelt = (
            match is not None
            and total == 0
            and not (request.filters and (text_found or SearchDocument.objects.filter(match.q({})).exists()))
        )
        # Then: pinyin typed for Chinese first ("caiwu" → 财务), then PostgreSQL's trigram match on
        # the names (one typo in a name), then the spelling correction of every word.
        correction = spelling.correct(request.text) if misspelt and request.correct else None
        corrected = ""
        if correction is not None and correction.pinyin:
            rows, total, match, corrected = self._corrected(request, match, correction, rows, total)
        if (
            not total
            and misspelt
            and is_postgres()
            and text_mod.is_latin(request.text)
            and len(match.normalised) >= 4
        ):
            fuzzy_match = TextMatch(request.text, fuzzy=True)
            rows, total = hits(request, fuzzy_match)
            if total:
                match, fuzzy = fuzzy_match, True
        if not total and correction is not None and not correction.pinyin:
            rows, total, match, corrected = self._corrected(request, match, correction, rows, total)

        # Too few listings with every word: those with some of them (``catalog.search.relax``).
        relaxed = False
        if (
            match is not None
            and relax.wanted(request, total, corrected=bool(corrected) or fuzzy)
            and relax.relaxable(match.terms)
        ):
            loose = RelaxedMatch(request.text)
            loose_fast = self._filtered_counts(request, loose)[0] if bitsets.applies(loose) else None
            loose_rows, loose_total = hits(request, loose, known_total=loose_fast[0] if loose_fast else None)
            if loose_total > total:
                rows, total, match, relaxed = loose_rows, loose_total, loose, True
                if loose_fast is not None:  # its counts too, from the same ids
                    original, cached = loose, {"total": loose_fast[0], "counts": loose_fast[1]}

        page = min(request.page, pages_for(total, request.per_page))
        if page != request.page:  # past the end: show the last page
            rows, total = hits(replace(request, page=page), match, known_total=total)
        if match is not original:  # corrected or typo-tolerant: other hits, other counts
            cached = None
        counts = cached["counts"] if cached else facets.facet_counts(request, match or Browse())
        words = synonyms.highlight_words(corrected or request.text) if request.text else []
        found = [
            Hit(
                listing_id=row["listing_id"],
                score=float(row.get("score") or 0.0),
                highlights=document_highlights(row, request.text, request.english, words=words)
                if words
                else {},
                document=row,
            )
            for row in rows
        ]
        did_you_mean = None
        if (misspelt or fuzzy) and not corrected:
            did_you_mean = self.did_you_mean(request.text)
        return build_result(
            request,
            engine=self.name,
            hits=found,
            total=total,
            counts=counts,
            page=page,
            did_you_mean=did_you_mean,
            fuzzy=fuzzy,
            corrected=corrected,
            relaxed=relaxed,
        )

    @staticmethod
    def _filtered_counts(request: SearchRequest, match):
        """Text with filters (or another sort): the total and facet counts from bitsets, over
        the text's kept ids (a broad word, ``broad``) or the ids of ``bitsets.candidates``
        fetched for this request; ``None`` for the SQL counts. Also whether the text alone
        is known to match something (some candidate: they all match the text)."""
        ids = broad.text_ids(match) if not match.relaxed else None
        if ids is not None:
            return bitsets.count(request, ids), len(ids) > 0
        ids = bitsets.candidate_ids(match, request.filters)
        if ids is None:
            return None, False
        return bitsets.count(request, ids, fetched=True), len(ids) > 0

    @staticmethod
    def _corrected(request: SearchRequest, match, correction, rows, total):
        """The hits of the corrected query when it finds something; else what we had."""
        corrected_match = TextMatch(correction.text)
        if corrected_match.empty:
            return rows, total, match, ""
        corrected_rows, corrected_total = hits(request, corrected_match)
        if not corrected_total:
            return rows, total, match, ""
        return corrected_rows, corrected_total, corrected_match, correction.text

    def popular_categories(self, limit: int = 6) -> list[tuple[str, int]]:
        return facets.popular_categories(limit)

    # suggestions ------------------------------------------------------------------------------
    def did_you_mean(self, query: str) -> str | None:
        return suggest.did_you_mean(query)

    def suggest(self, prefix: str, *, language: str, limit: int = 10) -> list[dict]:
        return suggest.suggest(prefix, language=language, limit=limit)

    # indexing ---------------------------------------------------------------------------------
    def index(self, documents, *, indexed_at=None) -> int:
        return indexing.index(documents, indexed_at=indexed_at)

    def remove(self, listing_ids) -> int:
        return indexing.remove(listing_ids)

    def rebuild(self, batches, *, total: int, progress=None) -> int:
        return indexing.rebuild(batches, total=total, progress=progress)

    def refresh_ranking(self, *, now=None) -> int:
        """Recompute quality and boost (freshness moves with time) for every document."""
        return indexing.refresh_ranking(now=now)

    def count(self) -> int:
        return indexing.count()

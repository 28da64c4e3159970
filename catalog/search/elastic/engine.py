"""``ElasticsearchEngine``: the search interface over the requests of ``queries`` and the index
life of ``lifecycle``, degrading to the database engine instead of failing.

* No index yet (``index_not_found_exception``): the catalogue is empty — an empty result, not a
  503.
* Unreachable, timed out, overloaded or over the clause limit: search, suggest and popular
  categories are answered by the database engine (kept current beside Elasticsearch by
  ``catalog.search.indexing``), and for ``ELASTICSEARCH_RETRY_AFTER`` seconds this process does
  not try Elasticsearch again.
"""

from __future__ import annotations

import logging

from catalog.search import relax, synonyms
from catalog.search import text as text_mod
from catalog.search.base import (
    Engine,
    Hit,
    SearchRequest,
    SearchResult,
    bump_index_version,
    document_highlights,
    pages_for,
)
from catalog.search.elastic import connection, lifecycle, queries
from catalog.search.elastic.mapping import alias_name
from catalog.search.facets import FACETS, taxonomy
from catalog.search.results import build_result

logger = logging.getLogger(__name__)


def _fallback():
    from catalog.search import get_engine

    return get_engine("database")


def _correct(text: str):
    """The spelling / pinyin correction of a query that found nothing (``catalog.search.spelling``:
    its vocabulary is the database engine's index, kept current beside Elasticsearch)."""
    from catalog.search import spelling

    return spelling.correct(text)


def _closest(normalised, candidates):
    from catalog.search.database import closest

    return closest(normalised, candidates)


class ElasticsearchEngine(Engine):
    name = "elasticsearch"

    # degradation ------------------------------------------------------------------------------
    def _guarded(self, what: str, run, fallback, empty):
        if connection.search_suspended():
            return fallback()
        try:
            return run()
        except Exception as exc:
            if connection.is_index_missing(exc):
                return empty()
            if connection.is_unavailable(exc):
                logger.warning("Elasticsearch %s failed (%s); answering from the database engine", what, exc)
                if "too_many" not in connection.error_type(exc):  # that query only, not the cluster
                    connection.suspend_search()
                return fallback()
            raise

    def _execute(self, body: dict) -> dict:
        return connection.search_client().search(index=alias_name(), body=body).body

    # search -----------------------------------------------------------------------------------
    def search(self, request: SearchRequest) -> SearchResult:
        return self._guarded(
            "search",
            lambda: self._search(request),
            lambda: _fallback().search(request),
            lambda: self._result(request, {}, 1, 0),
        )

    def _search(self, request: SearchRequest) -> SearchResult:
        response = self._execute(queries.search_body(request))
        total = int(response["hits"]["total"]["value"])
        fuzzy, corrected = False, ""
        # Nothing found because of the words (not the filters) — as the database engine does:
        # pinyin typed for Chinese first, then the typo pass, then the spelling correction.
        misspelt = bool(request.text) and total == 0 and self._text_alone(response, request) == 0
        correction = _correct(request.text) if misspelt and request.correct else None
        if correction is not None and correction.pinyin:
            response, total, corrected = self._corrected(request, correction, response, total)
        if not total and misspelt and queries.wants_fuzzy(request.text):
            retried = self._execute(queries.search_body(request, fuzzy=True))
            if int(retried["hits"]["total"]["value"]):
                response, total, fuzzy = retried, int(retried["hits"]["total"]["value"]), True
        if not total and correction is not None and not correction.pinyin:
            response, total, corrected = self._corrected(request, correction, response, total)
        # Too few listings with every word: those with some of them, as the database engine does.
        relaxed = False
        if relax.wanted(request, total, corrected=bool(corrected) or fuzzy) and relax.relaxable(
            synonyms.query_terms(request.text)
        ):
            retried = self._execute(queries.search_body(request, relaxed=True))
            if int(retried["hits"]["total"]["value"]) > total:
                response, total, relaxed = retried, int(retried["hits"]["total"]["value"]), True
        page = min(request.page, pages_for(total, request.per_page))
        if page != request.page:  # past the end: the last page
            response = self._execute(
                queries.search_body(request, page=page, fuzzy=fuzzy, text=corrected or None, relaxed=relaxed)
            )
        did_you_mean = self.did_you_mean(request.text) if (misspelt or fuzzy) and not corrected else None
        return self._result(
            request,
            response,
            page,
            total,
            did_you_mean=did_you_mean,
            fuzzy=fuzzy,
            corrected=corrected,
            relaxed=relaxed,
        )

    def _corrected(self, request, correction, response, total):
        """The corrected query's answer when it finds something; else what we had."""
        retried = self._execute(queries.search_body(request, text=correction.text))
        found = int(retried["hits"]["total"]["value"])
        if not found:
            return response, total, ""
        return retried, found, correction.text

    @staticmethod
    def _text_alone(response: dict, request: SearchRequest) -> int:
        if not request.filters:
            return int(response["hits"]["total"]["value"])
        return int(response["aggregations"]["text_only"]["doc_count"])

    def _result(self, request, response, page, total, **extra) -> SearchResult:
        counts: dict[str, dict[str, int]] = {}
        aggregations = response.get("aggregations", {})
        for facet in FACETS:
            buckets = aggregations.get(f"f_{facet.key}", {}).get("by_value", {}).get("buckets", [])
            values = {}
            for bucket in buckets:
                key = bucket["key"]
                if facet.key == "trial":
                    if key in (1, True, "true"):
                        values["1"] = bucket["doc_count"]
                    continue
                values[str(key)] = bucket["doc_count"]
            counts[facet.key] = values
        hits = []
        for hit in response.get("hits", {}).get("hits", []):
            source = dict(hit["_source"])
            highlights = document_highlights(source, request.text, request.english) if request.text else {}
            source.pop("body", None)
            source.pop("body_en", None)
            hits.append(
                Hit(
                    listing_id=int(source["listing_id"]),
                    score=float(hit.get("_score") or 0.0),
                    highlights=highlights,
                    document=source,
                )
            )
        return build_result(
            request,
            engine=self.name,
            hits=hits,
            total=total,
            counts=counts,
            page=max(1, page),
            **extra,
        )

    def did_you_mean(self, query: str) -> str | None:
        normalised = text_mod.normalise(query)
        if not normalised:
            return None
        candidates = []
        for _value, zh, en, _depth, _parent in taxonomy()["category"]:
            candidates.extend(n for n in (zh, en) if n)
        for hit in self._execute(queries.did_you_mean_body(query))["hits"]["hits"]:
            source = hit.get("_source", {})
            candidates.extend(n for n in (source.get("title"), source.get("title_en")) if n)
        return _closest(normalised, candidates)

    def popular_categories(self, limit: int = 6) -> list[tuple[str, int]]:
        def run():
            buckets = self._execute(queries.popular_categories_body())["aggregations"]["categories"][
                "buckets"
            ]
            tops = {value for value, _zh, _en, depth, _p in taxonomy()["category"] if depth == 0}
            return [(b["key"], b["doc_count"]) for b in buckets if b["key"] in tops][:limit]

        return self._guarded("popular categories", run, lambda: _fallback().popular_categories(limit), list)

    def suggest(self, prefix: str, *, language: str, limit: int = 10) -> list[dict]:
        return self._guarded(
            "suggest",
            lambda: self._suggest(prefix, language=language, limit=limit),
            lambda: _fallback().suggest(prefix, language=language, limit=limit),
            list,
        )

    def _suggest(self, prefix: str, *, language: str, limit: int) -> list[dict]:
        from catalog.search.database import category_suggestions, listing_suggestion

        needle = text_mod.normalise(prefix)[:50]
        if not needle:
            return []
        english = language.startswith("en")
        categories = category_suggestions(needle, english=english, limit=3)
        size = max(0, limit - len(categories))
        listings = []
        if size:
            for hit in self._execute(queries.suggest_body(needle, size=size))["hits"]["hits"]:
                source = {"title_en": "", "url_en": "", "partner_name_en": "", **hit["_source"]}
                listings.append(listing_suggestion(source, english))
        return (listings + categories)[:limit]

    # indexing ---------------------------------------------------------------------------------
    def ensure_index(self) -> None:
        lifecycle.ensure_index()

    def index(self, documents, *, refresh="wait_for") -> int:
        documents = list(documents)
        if not documents:
            return 0
        lifecycle.ensure_index()
        lifecycle.journal(d.listing_id for d in documents)
        written = lifecycle.bulk_write(
            lifecycle.index_actions(documents, alias_name()), refresh=refresh, require_alias=True
        )
        bump_index_version()
        return written

    def remove(self, listing_ids) -> int:
        ids = list(listing_ids)
        if not ids:
            return 0
        lifecycle.ensure_index()
        lifecycle.journal(ids)
        lifecycle.bulk_write(
            lifecycle.delete_actions(ids, alias_name()), refresh="wait_for", require_alias=True
        )
        bump_index_version()
        return len(ids)

    def rebuild(self, batches, *, total: int, progress=None) -> int:
        done = lifecycle.rebuild(batches, total=total, progress=progress)
        bump_index_version()
        return done

    def count(self) -> int:
        try:
            return int(connection.client().count(index=alias_name())["count"])
        except Exception as exc:
            if connection.is_index_missing(exc):
                return 0
            raise

    def delete_everything(self) -> None:
        lifecycle.delete_everything()

"""Facets in the database engine: the facet columns and lexemes, the filter conditions, and the
counts of each facet's values.

Each facet's values are counted over the documents matching the text and every *other* facet's
filter (OR within a facet, AND across): on PostgreSQL one statement, a ``UNION ALL`` of one
``GROUP BY`` per facet, each active facet's over its own index scan (the text and the other
facets' lexemes), the inactive facets' over one shared, materialised scan; on SQLite the
matching rows' facet columns are tallied in Python (demo sizes). The whole catalogue's counts
(the bare search page) are cached until the index changes.

``match`` below is a ``catalog.search.database.query.TextMatch`` (``Browse`` for no text).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict

from django.contrib.postgres.search import SearchQuery
from django.core.cache import cache
from django.db import connection
from django.db.models import Q

from catalog.models import SearchDocument
from catalog.search.base import SearchRequest, index_version
from catalog.search.database.backend import is_postgres
from catalog.search.facets import FACETS, taxonomy

ALL_KEY = "catalog.search.db.all"
ALL_TIMEOUT = 300


MULTI = {f.key: f.column for f in FACETS if f.multi_valued}  # " a b c " text columns
SINGLE = {"type": "listing_type", "deployment": "deployment", "tier": "tier_slug", "kind": "partner_kind"}
FACET_COLUMNS = [*MULTI.values(), *SINGLE.values(), "has_free_trial"]


def facet_lexeme(key: str, value: str) -> str:
    """An opaque, parser-proof lexeme for a facet value (letters and hex digits only)."""
    return "zf" + hashlib.blake2s(f"{key}={value}".encode(), digest_size=5).hexdigest()


def document_facets(row: dict) -> dict[str, set[str]]:
    """A document's facet values from its columns (SQLite counting)."""
    values = {key: set((row.get(column) or "").split()) for key, column in MULTI.items()}
    for key, column in SINGLE.items():
        values[key] = {row[column]} if row.get(column) else set()
    values["trial"] = {"1"} if row.get("has_free_trial") else set()
    return values


def filters_matches(values: dict[str, set[str]], filters: dict[str, list[str]], *, skip=None) -> bool:
    return all(values.get(key, set()) & set(wanted) for key, wanted in filters.items() if key != skip)


def facet_tsquery(key: str, values: list[str]) -> SearchQuery:
    query = None
    for value in values:
        sq = SearchQuery(facet_lexeme(key, value), config="simple", search_type="plain")
        query = sq if query is None else query | sq
    return query


def filter_q(key: str, values: list[str]) -> Q:
    """SQLite: one facet's filter (OR of its values) on the facet columns."""
    if key == "trial":
        return Q(has_free_trial=True)
    if key in SINGLE:
        return Q(**{f"{SINGLE[key]}__in": values})
    q = Q()
    for value in values:
        q |= Q(**{f"{MULTI[key]}__contains": f" {value} "})
    return q


def filters_q(filters: dict[str, list[str]], *, skip: str | None = None) -> Q:
    q = Q()
    for key, values in filters.items():
        if key != skip:
            q &= filter_q(key, values)
    return q


def _column(key: str) -> str:
    return "has_free_trial" if key == "trial" else (MULTI.get(key) or SINGLE[key])


def _count_sql(key: str, source: str, where: str = "") -> str:
    """``(facet, value, count)`` rows of one facet over ``source`` where ``where`` holds (the facet
    key is the statement's parameter; ``source`` and ``where`` are names we built, never input)."""
    if key == "trial":
        condition = f"has_free_trial AND ({where})" if where else "has_free_trial"
        return f"SELECT %s, '1', count(*) FROM {source} WHERE {condition}"
    if key in SINGLE:
        column = SINGLE[key]
        condition = f" WHERE {where}" if where else ""
        return f"SELECT %s, {column}, count(*) FROM {source}{condition} GROUP BY {column}"
    column = MULTI[key]
    condition = f" WHERE {where}" if where else ""
    return (
        f"SELECT %s, v, count(*) FROM {source}, unnest(string_to_array(btrim({column}), ' ')) AS v"
        f"{condition} GROUP BY v"
    )


def facet_counts(request: SearchRequest, match) -> dict[str, dict[str, int]]:
    """Every facet's values counted over the documents that match the text and every *other*
    facet's filter, in one statement."""
    if is_postgres():
        return _facet_counts_postgres(request, match)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = SearchDocument.objects.filter(match.q({})).values(*FACET_COLUMNS)
    for row in rows.iterator(chunk_size=2000):
        values = document_facets(row)
        for facet in FACETS:
            if filters_matches(values, request.filters, skip=facet.key):
                for value in values.get(facet.key, ()):
                    counts[facet.key][value] += 1
    return counts


def _facet_counts_postgres(request: SearchRequest, match) -> dict[str, dict[str, int]]:
    """One statement: per active facet a ``GROUP BY`` over its own index scan (the text and the
    *other* facets' lexemes), and the inactive facets' ``GROUP BY``\\ s over one materialised
    scan of the documents matching everything."""
    active = [facet.key for facet in FACETS if facet.key in request.filters]
    inactive = [facet.key for facet in FACETS if facet.key not in request.filters]
    parts, params, ctes = [], [], []
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for keys, skip in [(inactive, None)] + [([key], key) for key in active]:
        if not keys:
            continue
        others = {k: v for k, v in request.filters.items() if k != skip}
        if not others and match.browse:  # the whole catalogue: cached
            everything = all_counts()["counts"]
            for key in keys:
                counts[key] = dict(everything.get(key, {}))
            continue
        sub_sql, sub_params = (
            SearchDocument.objects.filter(match.q(request.filters, skip=skip))
            .values(*(_column(key) for key in keys))
            .query.sql_with_params()
        )
        if len(keys) > 1:  # one scan shared by several facets
            ctes.append(f"m AS MATERIALIZED ({sub_sql})")
            params[:0] = sub_params  # the CTE's parameters come first in the statement
            source, source_params = "m", []
        else:
            source, source_params = f"({sub_sql}) AS d", sub_params
        for key in keys:
            parts.append(_count_sql(key, source))
            params.extend([key, *source_params])
    if parts:
        sql = " UNION ALL ".join(parts)
        if ctes:
            sql = f"WITH {ctes[0]} {sql}"
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for facet, value, n in cursor.fetchall():
                if value:
                    counts[facet][value] = n
    return counts


def all_counts() -> dict:
    """Facet counts and total of the whole catalogue (the unfiltered search page), cached until
    the index changes."""
    key = f"{ALL_KEY}.{index_version()}"
    data = cache.get(key)
    if data is None:
        counts: dict[str, dict[str, int]] = defaultdict(dict)
        total = 0
        if is_postgres():
            parts = [_count_sql(facet.key, "catalog_searchdocument AS d") for facet in FACETS]
            with connection.cursor() as cursor:
                cursor.execute(" UNION ALL ".join(parts), [facet.key for facet in FACETS])
                for facet, value, n in cursor.fetchall():
                    if value:
                        counts[facet][value] = n
            total = SearchDocument.objects.count()
        else:
            tallies: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
            for row in SearchDocument.objects.values(*FACET_COLUMNS).iterator(2000):
                total += 1
                for facet, values in document_facets(row).items():
                    for value in values:
                        tallies[facet][value] += 1
            counts = tallies
        data = {"counts": {k: dict(v) for k, v in counts.items()}, "total": total}
        cache.set(key, data, ALL_TIMEOUT)
    return data


def popular_categories(limit: int = 6) -> list[tuple[str, int]]:
    counts = all_counts()["counts"].get("category", {})
    tops = {value for value, _zh, _en, depth, _p in taxonomy()["category"] if depth == 0}
    ranked = sorted(((v, n) for v, n in counts.items() if v in tops), key=lambda vn: (-vn[1], vn[0]))
    return ranked[:limit]

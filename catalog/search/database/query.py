"""Matching and ranking in the database engine: the text condition, the relevance expression,
the ordering and one page of hits.

A query is segmented like the documents (``catalog.search.text``): every term must match. On
PostgreSQL the terms *and the facet filters* become one ``tsquery`` over the GIN-indexed
``search_vector`` (``'simple'`` configuration over the pre-segmented tokens, so no stemming or
stop words surprise the Chinese text; each facet value is an opaque lexeme in the same vector),
so the index finds exactly the matching documents. Relevance is ``ts_rank`` over the small
``head_vector`` (names A, tagline B, keywords C) plus a base for a body-only match. On SQLite
each term is a ``LIKE '% token %'`` on the token column and each filter a condition on the facet
columns. When nothing matches a Latin-script query on PostgreSQL, a second pass matches the
names by trigram word similarity (``<%``, GIN trigram index) so one typo still finds a listing.

English words match by their Snowball stem as well as their form (``catalog.search.text``), and
an expression of the synonym dictionary (``catalog.search.synonyms``) matches any expression of
its group: ``sso`` finds "single sign-on" and "单点登录".
"""

from __future__ import annotations

import hashlib
import math

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Case,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Q,
    Value,
    When,
    Window,
)

from catalog.models import SearchDocument, SearchDocumentText
from catalog.search import ranking, synonyms
from catalog.search import text as text_mod
from catalog.search.base import SearchRequest, index_version
from catalog.search.database.backend import IDS_AS_BYTES, WordSimilar, ids_from_bytes, is_postgres
from catalog.search.database.facets import facet_tsquery, filters_q

NARROW_FIELDS = (
    "listing_id",
    "partner_id",
    "tier_slug",
    "listing_type",
    "deployment",
    "has_free_trial",
    "rating_average",
    "rating_count",
    "bayesian_rating",
    "active_subscriptions",
    "published_at",
    "min_price_cny",
    "min_price_usd",
)
TEXT_FIELDS = (
    "title",
    "title_en",
    "tagline",
    "tagline_en",
    "partner_name",
    "partner_name_en",
    "url",
    "url_en",
    "tier_name",
    "tier_name_en",
    "tier_colour",
    "body",
    "body_en",
)
SUBSTRING_COLUMNS = ("title", "title_en", "tagline", "tagline_en", "body", "body_en")
WEIGHTS_KEY = "catalog.search.db.relax.weights"  # RelaxedMatch's term counts, per index version
WEIGHTS_TIMEOUT = 60 * 60


def _substring_q(char: str) -> Q:
    q = Q()
    for column in SUBSTRING_COLUMNS:
        q |= Q(**{f"text__{column}__contains": char})
    return q


def _tsquery(terms) -> SearchQuery | None:
    query = None
    for term in terms:
        alternative = None
        for group in term:
            part = None
            for token in group:
                sq = SearchQuery(token, config="simple", search_type="plain")
                part = sq if part is None else part & sq
            if part is not None:
                alternative = part if alternative is None else alternative | part
        if alternative is not None:
            query = alternative if query is None else query & alternative
    return query


def _tokens_q(term, column: str) -> Q:
    q = Q()
    for group in term:
        part = Q()
        for token in group:
            part &= Q(**{f"{column}__contains": f" {token} "})
        q |= part
    return q


class TextMatch:
    """The match condition and relevance expression of one query, for one database."""

    browse = False  # True for ``Browse`` (no text: only the filters)
    relaxed = False  # True for ``RelaxedMatch`` (some of the terms)

    def __init__(self, query: str, *, fuzzy: bool = False):
        self.query = query
        self.normalised = text_mod.normalise(query)
        self.terms = synonyms.query_terms(query)
        self.fuzzy = fuzzy
        self.postgres = is_postgres()
        self.substrings = [t[0][0][1:] for t in self.terms if t[0] and t[0][0].startswith("=")]
        self.token_terms = [t for t in self.terms if not (t[0] and t[0][0].startswith("="))]
        self.tsquery = _tsquery(self.token_terms) if self.postgres and not fuzzy else None

    @property
    def empty(self) -> bool:
        return not self.terms

    def q(self, filters: dict[str, list[str]], *, skip: str | None = None) -> Q:
        """Documents matching the text and the filters (but ``skip``'s)."""
        filters = {k: v for k, v in filters.items() if k != skip}
        if not self.postgres:
            q = self._text_q()
            for term in self.token_terms:
                q &= _tokens_q(term, "text__tokens")
            return q & filters_q(filters)
        query = None
        for key, values in filters.items():
            part = facet_tsquery(key, values)
            query = part if query is None else query & part
        return self._text_q(query)

    def _text_q(self, extra: SearchQuery | None = None) -> Q:
        q = Q()
        if self.fuzzy:
            q &= Q(WordSimilar(Value(self.normalised), F("suggest_text")))
        else:
            for char in self.substrings:
                q &= _substring_q(char)
        if self.postgres:
            query = None if self.fuzzy else self.tsquery
            if extra is not None:
                query = extra if query is None else query & extra
            if query is not None:
                q &= Q(search_vector=query)
        return q

    def relevance(self):
        cfg = ranking.config()
        weights = cfg["field_weights"]
        if self.fuzzy:
            return ExpressionWrapper(
                Value(float(cfg["fuzzy_weight"])) * TrigramWordSimilarity(self.normalised, "suggest_text"),
                output_field=FloatField(),
            )
        parts = []
        if self.postgres and self.tsquery is not None:
            parts.append(Value(float(weights["body"])))
            parts.append(
                SearchRank(
                    F("head_vector"),
                    self.tsquery,
                    weights=[weights["body"], weights["meta"], weights["tagline"], weights["name"]],
                )
            )
        elif not self.postgres and self.token_terms:
            share = 1.0 / len(self.token_terms)
            for term in self.token_terms:
                parts.append(
                    Case(
                        When(_tokens_q(term, "text__tokens_name"), then=Value(weights["name"] * share)),
                        When(_tokens_q(term, "text__tokens_tagline"), then=Value(weights["tagline"] * share)),
                        When(_tokens_q(term, "text__tokens_meta"), then=Value(weights["meta"] * share)),
                        default=Value(weights["body"] * share),
                        output_field=FloatField(),
                    )
                )
        for char in self.substrings:
            parts.append(
                Case(
                    When(
                        Q(text__title__contains=char) | Q(text__title_en__contains=char),
                        then=Value(weights["name"]),
                    ),
                    When(
                        Q(text__tagline__contains=char) | Q(text__tagline_en__contains=char),
                        then=Value(weights["tagline"]),
                    ),
                    default=Value(weights["body"]),
                    output_field=FloatField(),
                )
            )
        parts.append(
            Case(
                When(
                    Q(name_norm=self.normalised) | Q(name_en_norm=self.normalised),
                    then=Value(float(cfg["exact_name_bonus"])),
                ),
                default=Value(0.0),
                output_field=FloatField(),
            )
        )
        total = parts[0]
        for part in parts[1:]:
            total = total + part
        return ExpressionWrapper(total, output_field=FloatField())


class Browse(TextMatch):
    """No text: only the filters."""

    browse = True

    def __init__(self):
        super().__init__("")

    def relevance(self):  # pragma: no cover - never ranked
        return Value(0.0)


def ordering(request: SearchRequest, has_text: bool, *, indexable: bool):
    """Sort keys, ties broken by boost then id (stable pages). When the total rides along as a
    window count every match is read anyway, so ``boost`` is wrapped in an expression: an
    index-ordered scan (which PostgreSQL may pick for ``LIMIT``) would then read the whole
    table through the index."""
    boost = F("boost") if indexable else ExpressionWrapper(F("boost") + 0.0, output_field=FloatField())
    price = "min_price_usd" if request.currency == "USD" else "min_price_cny"
    if request.sort == "rating":
        return [F("bayesian_rating").desc(), F("rating_count").desc(), "listing_id"]
    if request.sort == "newest":
        return [F("published_at").desc(nulls_last=True), "listing_id"]
    if request.sort == "subscribed":
        return [F("active_subscriptions").desc(), boost.desc(), "listing_id"]
    if request.sort == "price":
        other = "min_price_cny" if price == "min_price_usd" else "min_price_usd"  # other currency only
        return [F(price).asc(nulls_last=True), F(other).asc(nulls_last=True), boost.desc(), "listing_id"]
    if has_text:
        return [F("score").desc(), boost.desc(), "listing_id"]
    return [boost.desc(), "listing_id"]


def hits(request: SearchRequest, match: TextMatch | None, *, known_total=None):
    """One page of hits (narrow rows, the total as a window count unless ``known_total`` is
    given), then their display text."""
    if known_total == 0:  # nothing to read
        return [], 0
    condition = (match or Browse()).q(request.filters)
    qs = SearchDocument.objects.filter(condition)
    fields = list(NARROW_FIELDS)
    if match is not None:
        qs = qs.annotate(score=ExpressionWrapper(match.relevance() * F("boost"), output_field=FloatField()))
    else:
        qs = qs.annotate(score=F("boost"))
    fields.append("score")
    if known_total is None:
        qs = qs.annotate(total=Window(Count("pk")))
        fields.append("total")
    order = ordering(request, match is not None, indexable=known_total is not None)
    if match is not None and match.relaxed and request.sort == "relevance":  # every term first
        qs = qs.annotate(tier=match.tier())
        order = [F("tier").desc(), *order]
    qs = qs.order_by(*order)
    rows = list(qs.values(*fields)[request.offset : request.offset + request.per_page])
    with_text(rows)
    if known_total is not None:
        total = known_total
    elif rows:
        total = rows[0]["total"]
    elif request.offset == 0:
        total = 0
    else:  # past the end: the window count came back with no rows
        total = SearchDocument.objects.filter(condition).count()
    return rows, total


def with_text(rows: list[dict]) -> list[dict]:
    """Add each row's display text (one query for the page)."""
    if not rows:
        return rows
    texts = {
        t["document_id"]: t
        for t in SearchDocumentText.objects.filter(pk__in=[r["listing_id"] for r in rows]).values(
            "document_id", *TEXT_FIELDS
        )
    }
    for row in rows:
        text = texts.get(row["listing_id"], {})
        for name in TEXT_FIELDS:
            row[name] = text.get(name, "")
    return rows


def scored(match: TextMatch, listing_ids=None) -> tuple[str, list]:
    """SQL and parameters of every document the text matches (among ``listing_ids`` when
    given) with its score and boost: what ``ranked_and_ids`` scans (and what ``broad`` keys the
    scans it keeps on)."""
    documents = SearchDocument.objects.filter(match.q({}))
    if listing_ids is not None:
        documents = documents.filter(listing_id__in=listing_ids)
    documents = documents.annotate(
        score=ExpressionWrapper(match.relevance() * F("boost"), output_field=FloatField())
    ).values("listing_id", "score", "boost")
    inner, params = documents.query.sql_with_params()
    return inner, list(params)


def scored_rows(match: TextMatch, listing_ids) -> tuple[list[dict], list[float]]:
    """The rows ``ranked_and_ids`` gives (narrow fields and score, by the same expression and
    statement shape) of the documents among ``listing_ids`` that the text matches, in no
    order, and their boosts."""
    if not listing_ids:
        return [], []
    inner, params = scored(match, listing_ids)
    columns = ", ".join(f"d.{name}" for name in NARROW_FIELDS)
    sql = (
        f"SELECT m.score, m.boost, {columns} FROM ({inner}) AS m "  # noqa: S608 - SQL we built
        "JOIN catalog_searchdocument AS d ON d.listing_id = m.listing_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    rows = [{**dict(zip(NARROW_FIELDS, row[2:], strict=True)), "score": row[0]} for row in found]
    return rows, [row[1] for row in found]


def ranked_and_ids(match: TextMatch, *, limit: int, offset: int, boosts: bool = False):
    """Positions ``offset`` … ``offset + limit`` of the relevance order (narrow rows, no display
    text; with ``boosts``, each row's boost too) *and* the ids of every document the text
    matches, from one scan (``WITH m AS MATERIALIZED``: each match's id, score and boost once;
    the rows are its top-N, the ids one ``IDS_AS_BYTES`` value). PostgreSQL, text without
    filters, by relevance: the ids give the total and, for a broad word, the facet counts
    (``bitsets``). Returns (rows, ascending ids)."""
    sql, params = ranked_and_ids_sql(match, limit=limit, offset=offset)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    ids = ids_from_bytes(next((row[0] for row in found if row[0] is not None), None))
    page = sorted((row for row in found if row[3] is not None), key=lambda row: (-row[1], -row[2], row[3]))
    rows = [{**dict(zip(NARROW_FIELDS, row[3:], strict=True)), "score": row[1]} for row in page]
    if boosts:  # the order's tie-break, for who keeps the rows (``broad``)
        for row, found_row in zip(rows, page, strict=True):
            row["boost"] = found_row[2]
    return rows, ids


def ranked_and_ids_sql(match: TextMatch, *, limit: int, offset: int) -> tuple[str, list]:
    """The statement ``ranked_and_ids`` runs, and its parameters."""
    inner, params = scored(match)
    columns = ", ".join(f"d.{name}" for name in NARROW_FIELDS)
    sql = (
        f"WITH m AS MATERIALIZED ({inner}) "  # noqa: S608 - SQL we built; values are parameters
        f"SELECT CASE WHEN p.n IS NULL OR p.n = 1 THEN ids.a END, p.score, p.boost, {columns} "
        f"FROM (SELECT {IDS_AS_BYTES} AS a FROM m) AS ids "
        "LEFT JOIN LATERAL (SELECT q.*, row_number() OVER () AS n FROM (SELECT listing_id, score, boost "
        "FROM m ORDER BY score DESC, boost DESC, listing_id LIMIT %s OFFSET %s) AS q) AS p ON true "
        "LEFT JOIN catalog_searchdocument AS d ON d.listing_id = p.listing_id"
    )
    return sql, [*params, limit, offset]


class RelaxedMatch(TextMatch):
    """At least one of the query's terms (``catalog.search.relax``): listings with every term
    first (``strict``), in the strict order; then the others by their terms, each weighted by
    its rarity and by the field it sits in."""

    relaxed = True

    def __init__(self, query: str):
        super().__init__(query)
        self.strict = TextMatch(query)
        if self.postgres:
            self.term_queries = [_tsquery([term]) for term in self.token_terms]
            query_any = None
            for part in self.term_queries:
                query_any = part if query_any is None else query_any | part
            self.tsquery = query_any
        self.weights = self._weights()

    def _term_q(self, index: int) -> Q:
        if self.postgres:
            return Q(search_vector=self.term_queries[index])
        return _tokens_q(self.token_terms[index], "text__tokens")

    def _head_q(self, index: int) -> Q:
        if self.postgres:
            return Q(head_vector=self.term_queries[index])
        q = Q()
        for column in ("text__tokens_name", "text__tokens_tagline", "text__tokens_meta"):
            q |= _tokens_q(self.token_terms[index], column)
        return q

    def _weights(self) -> list[float]:
        """Each term's share of the score: its inverse document frequency in the names, taglines
        and keywords, normalised. A word that names a whole kind of listing ("connector",
        "implementation service") is common there and weighs less than the subject ("SSO").
        The counts depend only on the index and the terms: kept per index version."""
        terms = hashlib.sha256(repr((self.postgres, self.token_terms)).encode()).hexdigest()[:40]
        key = f"{WEIGHTS_KEY}.{index_version()}.{terms}"
        counts = cache.get(key)
        if counts is None:
            counts = self._head_counts()
            cache.set(key, counts, WEIGHTS_TIMEOUT)
        n, per_term = counts
        idf = [math.log(1 + n / (1 + found)) for found in per_term]
        total = sum(idf) or 1.0
        return [value / total for value in idf]

    def _head_counts(self) -> tuple[int, list[int]]:
        """(documents, documents with each term in their names, taglines or keywords). On
        PostgreSQL the per-term counts read only the documents with some term anywhere (the
        GIN-indexed ``search_vector``, which holds every token of the head vector), not every
        row."""
        terms = range(len(self.token_terms))
        per_term = {f"t{i}": Count("pk", filter=self._head_q(i)) for i in terms}
        if self.postgres:
            counts = SearchDocument.objects.filter(search_vector=self.tsquery).aggregate(**per_term)
            n = SearchDocument.objects.count()
        else:
            counts = SearchDocument.objects.aggregate(n=Count("pk"), **per_term)
            n = counts["n"]
        return n, [counts[f"t{i}"] for i in terms]

    def q(self, filters: dict[str, list[str]], *, skip: str | None = None) -> Q:
        if self.postgres:
            return super().q(filters, skip=skip)
        any_term = Q()
        for index in range(len(self.token_terms)):
            any_term |= self._term_q(index)
        return any_term & filters_q({k: v for k, v in filters.items() if k != skip})

    def strict_q(self) -> Q:
        if self.postgres:
            return Q(search_vector=self.strict.tsquery)
        q = Q()
        for index in range(len(self.token_terms)):
            q &= self._term_q(index)
        return q

    def relevance(self):
        weights = ranking.config()["field_weights"]
        parts = []
        for index, term in enumerate(self.token_terms):
            share = self.weights[index]
            if self.postgres:
                rank = Value(float(weights["body"])) + SearchRank(
                    F("head_vector"),
                    self.term_queries[index],
                    weights=[weights["body"], weights["meta"], weights["tagline"], weights["name"]],
                )
                parts.append(
                    Case(
                        When(self._term_q(index), then=ExpressionWrapper(Value(share) * rank, FloatField())),
                        default=Value(0.0),
                        output_field=FloatField(),
                    )
                )
            else:
                parts.append(
                    Case(
                        When(_tokens_q(term, "text__tokens_name"), then=Value(weights["name"] * share)),
                        When(_tokens_q(term, "text__tokens_tagline"), then=Value(weights["tagline"] * share)),
                        When(_tokens_q(term, "text__tokens_meta"), then=Value(weights["meta"] * share)),
                        When(self._term_q(index), then=Value(weights["body"] * share)),
                        default=Value(0.0),
                        output_field=FloatField(),
                    )
                )
        partial = parts[0]
        for part in parts[1:]:
            partial = partial + part
        return Case(
            When(self.strict_q(), then=self.strict.relevance()),
            default=ExpressionWrapper(partial, output_field=FloatField()),
            output_field=FloatField(),
        )

    def tier(self):
        """1 for a listing with every term, 0 for the others: sorted on first."""
        return Case(When(self.strict_q(), then=Value(1)), default=Value(0), output_field=IntegerField())

"""The database search engine: ``SearchDocument`` rows, on PostgreSQL or SQLite.

Matching. A query is segmented like the documents (``catalog.search.text``): every term must
match. On PostgreSQL the terms *and the facet filters* become one ``tsquery`` over the
GIN-indexed ``search_vector`` (``'simple'`` configuration over the pre-segmented tokens, so no
stemming or stop words surprise the Chinese text; each facet value is an opaque lexeme in the
same vector), so the index finds exactly the matching documents. Relevance is ``ts_rank`` over
the small ``head_vector`` (names A, tagline B, keywords C) plus a base for a body-only match.
On SQLite each term is a ``LIKE '% token %'`` on the token column and each filter a condition on
the facet columns. When nothing matches a Latin-script query on PostgreSQL, a second pass matches
the names by trigram word similarity (``<%``, GIN trigram index) so one typo still finds a
listing.

Facet counts. Each facet's values are counted over the documents matching the text and every
*other* facet's filter (OR within a facet, AND across): on PostgreSQL one statement, a
``UNION ALL`` of one ``GROUP BY`` per facet, each active facet's over its own index scan (the
text and the other facets' lexemes), the inactive facets' over one shared, materialised scan;
on SQLite the matching rows' facet columns are tallied in Python (demo sizes). The whole
catalogue's counts (the bare search page) are cached until the index changes.

Queries per search, whatever the data size: one for the hits (the total comes with them as a
window count), one for their display text, one for the facet counts, plus one for typo
matching or "did you mean" when nothing matched. Labels come from a cache (``catalog.search.facets``).
"""

from __future__ import annotations

import difflib
import hashlib
from collections import defaultdict
from dataclasses import replace

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
    TrigramWordSimilarity,
)
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
    Window,
)
from django.utils import timezone

from catalog.models import SearchDocument, SearchDocumentText
from catalog.search import ranking
from catalog.search import text as text_mod
from catalog.search.base import (
    Engine,
    Hit,
    SearchRequest,
    SearchResult,
    bump_index_version,
    document_highlights,
    facet_lists,
    index_version,
    pages_for,
)
from catalog.search.facets import FACETS, taxonomy

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
ALL_KEY = "catalog.search.db.all"
ALL_TIMEOUT = 300


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def configure_database(conn=None) -> None:
    """PostgreSQL: the trigram word-similarity threshold behind ``<%`` (typo matching), for this
    session and, when we own the database, for every later one. Idempotent; no-op elsewhere."""
    conn = conn or connection
    if conn.vendor != "postgresql":
        return
    threshold = float(ranking.config()["fuzzy_min_similarity"])
    threshold = max(0.05, min(1.0, threshold))
    with conn.cursor() as cursor:
        cursor.execute("SELECT set_config('pg_trgm.word_similarity_threshold', %s, false)", [str(threshold)])
        try:
            with transaction.atomic(using=conn.alias):
                cursor.execute("SELECT current_database()")
                name = cursor.fetchone()[0]
                cursor.execute(
                    f"ALTER DATABASE {conn.ops.quote_name(name)} "  # noqa: S608 - a quoted identifier
                    f"SET pg_trgm.word_similarity_threshold = {threshold:.3f}"
                )
        except Exception:  # noqa: BLE001 - not the owner: the session setting above still applies
            pass


class WordSimilar(Func):
    """``query <% column``: PostgreSQL trigram word similarity above the threshold (indexable)."""

    arg_joiner = " <%% "
    template = "(%(expressions)s)"
    output_field = BooleanField()


# --- facets: columns, lexemes, conditions ------------------------------------------------------
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


def _facet_tsquery(key: str, values: list[str]) -> SearchQuery:
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


SUBSTRING_COLUMNS = ("title", "title_en", "tagline", "tagline_en", "body", "body_en")


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

    def __init__(self, query: str, *, fuzzy: bool = False):
        self.query = query
        self.normalised = text_mod.normalise(query)
        self.terms = text_mod.query_terms(query)
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
            part = _facet_tsquery(key, values)
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

    def __init__(self):
        super().__init__("")

    def relevance(self):  # pragma: no cover - never ranked
        return Value(0.0)


# --- the engine ------------------------------------------------------------------------------
class DatabaseEngine(Engine):
    name = "database"

    # search -----------------------------------------------------------------------------------
    def search(self, request: SearchRequest) -> SearchResult:
        if not is_postgres():
            return self._search(request)
        with transaction.atomic(), connection.cursor() as cursor:
            # Short index scans: the JIT compiler (triggered by row estimates of broad matches)
            # costs more than it saves. For this transaction only.
            cursor.execute("SET LOCAL jit = off")
            return self._search(request)

    def _search(self, request: SearchRequest) -> SearchResult:
        match = TextMatch(request.text) if request.text else None
        if match is not None and match.empty:
            match = None
        browse_all = match is None and not request.filters
        cached = self._all_counts() if browse_all else None

        rows, total = self._hits(request, match, known_total=cached["total"] if cached else None)
        fuzzy = False
        # Nothing found: the words' fault (typo pass, "did you mean") unless they match without
        # the filters, in which case the filters are to blame.
        misspelt = (
            match is not None
            and total == 0
            and not (request.filters and SearchDocument.objects.filter(match.q({})).exists())
        )
        if misspelt and is_postgres() and text_mod.is_latin(request.text) and len(match.normalised) >= 4:
            fuzzy_match = TextMatch(request.text, fuzzy=True)
            rows, total = self._hits(request, fuzzy_match)
            if total:
                match, fuzzy = fuzzy_match, True

        pages = pages_for(total, request.per_page)
        page = request.page
        if page > pages:  # past the end: show the last page
            page = pages
            rows, total = self._hits(replace(request, page=page), match, known_total=total)
        counts = cached["counts"] if cached else self._facet_counts(request, match)
        facets, depths = facet_lists(counts, request)

        hits = [
            Hit(
                listing_id=row["listing_id"],
                score=float(row.get("score") or 0.0),
                highlights=document_highlights(row, request.text, request.english) if request.text else {},
                document=row,
            )
            for row in rows
        ]
        did_you_mean = None
        if misspelt or fuzzy:
            did_you_mean = self.did_you_mean(request.text)
        return SearchResult(
            hits=hits,
            total=total,
            facets=facets,
            page=page,
            pages=pages,
            did_you_mean=did_you_mean,
            per_page=request.per_page,
            sort=request.sort,
            text=request.text,
            filters=request.filters,
            engine=self.name,
            fuzzy=fuzzy,
            depths=depths,
        )

    def _ordering(self, request: SearchRequest, has_text: bool, *, indexable: bool):
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

    def _hits(self, request: SearchRequest, match: TextMatch | None, *, known_total=None):
        """One page of hits (narrow rows, the total as a window count), then their display text."""
        condition = (match or Browse()).q(request.filters)
        qs = SearchDocument.objects.filter(condition)
        fields = list(NARROW_FIELDS)
        if match is not None:
            qs = qs.annotate(
                score=ExpressionWrapper(match.relevance() * F("boost"), output_field=FloatField())
            )
        else:
            qs = qs.annotate(score=F("boost"))
        fields.append("score")
        if known_total is None:
            qs = qs.annotate(total=Window(Count("pk")))
            fields.append("total")
        qs = qs.order_by(*self._ordering(request, match is not None, indexable=known_total is not None))
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

    def _facet_counts(self, request: SearchRequest, match: TextMatch | None) -> dict[str, dict[str, int]]:
        """Every facet's values counted over the documents that match the text and every *other*
        facet's filter, in one statement."""
        match = match or Browse()
        if is_postgres():
            return self._facet_counts_postgres(request, match)
        counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        rows = SearchDocument.objects.filter(match.q({})).values(*FACET_COLUMNS)
        for row in rows.iterator(chunk_size=2000):
            values = document_facets(row)
            for facet in FACETS:
                if filters_matches(values, request.filters, skip=facet.key):
                    for value in values.get(facet.key, ()):
                        counts[facet.key][value] += 1
        return counts

    def _facet_counts_postgres(self, request: SearchRequest, match: TextMatch) -> dict[str, dict[str, int]]:
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
            if not others and isinstance(match, Browse):  # the whole catalogue: cached
                everything = self._all_counts()["counts"]
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

    def _all_counts(self) -> dict:
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

    def popular_categories(self, limit: int = 6) -> list[tuple[str, int]]:
        counts = self._all_counts()["counts"].get("category", {})
        tops = {value for value, _zh, _en, depth, _p in taxonomy()["category"] if depth == 0}
        ranked = sorted(((v, n) for v, n in counts.items() if v in tops), key=lambda vn: (-vn[1], vn[0]))
        return ranked[:limit]

    # did you mean ---------------------------------------------------------------------------
    def did_you_mean(self, query: str) -> str | None:
        normalised = text_mod.normalise(query)
        if not normalised:
            return None
        candidates: list[str] = []
        for _value, zh, en, _depth, _parent in taxonomy()["category"]:
            candidates.extend(n for n in (zh, en) if n)
        if is_postgres():
            rows = (
                SearchDocument.objects.filter(WordSimilar(Value(normalised), F("suggest_text")))
                .annotate(similarity=TrigramWordSimilarity(normalised, "suggest_text"))
                .order_by("-similarity", "listing_id")
                .values_list("text__title", "text__title_en")[:5]
            )
        else:
            rows = SearchDocumentText.objects.order_by("-document__boost").values_list("title", "title_en")[
                :5000
            ]
        for title, title_en in rows:
            candidates.extend(n for n in (title, title_en) if n)
        return closest(normalised, candidates)

    # autocomplete ---------------------------------------------------------------------------
    def suggest(self, prefix: str, *, language: str, limit: int = 10) -> list[dict]:
        needle = text_mod.normalise(prefix)[:50]
        if not needle:
            return []
        english = language.startswith("en")
        categories = category_suggestions(needle, english=english, limit=3)
        rows = (
            SearchDocument.objects.filter(suggest_text__contains=needle)
            .annotate(
                starts=Case(
                    When(Q(name_norm__startswith=needle) | Q(name_en_norm__startswith=needle), then=Value(1)),
                    default=Value(0),
                )
            )
            .order_by("-starts", F("active_subscriptions").desc(), F("boost").desc(), "listing_id")
            .values("listing_id")[: max(0, limit - len(categories))]
        )
        listings = [listing_suggestion(row, english) for row in with_text(list(rows))]
        return (listings + categories)[:limit]

    # indexing --------------------------------------------------------------------------------
    def index(self, documents, *, indexed_at=None) -> int:
        documents = list(documents)
        if not documents:
            return 0
        indexed_at = indexed_at or timezone.now()
        pairs = [document_rows(d, indexed_at) for d in documents]
        ids = [d.listing_id for d in documents]
        with transaction.atomic():
            SearchDocument.objects.bulk_create(
                [doc for doc, _text in pairs],
                update_conflicts=True,
                unique_fields=["listing"],
                update_fields=_update_fields(SearchDocument, ("listing", "search_vector", "head_vector")),
            )
            SearchDocumentText.objects.bulk_create(
                [text for _doc, text in pairs],
                update_conflicts=True,
                unique_fields=["document"],
                update_fields=_update_fields(SearchDocumentText, ("document",)),
            )
            if is_postgres():
                build_vectors(SearchDocument.objects.filter(pk__in=ids))
        bump_index_version()
        return len(pairs)

    def remove(self, listing_ids) -> int:
        ids = list(listing_ids)
        if not ids:
            return 0
        deleted, _ = SearchDocument.objects.filter(pk__in=ids).delete()
        bump_index_version()
        return deleted

    def rebuild(self, batches, *, total: int, progress=None) -> int:
        configure_database()
        started = timezone.now()
        done = 0
        for batch in batches:
            done += self.index(batch, indexed_at=timezone.now())
            if progress:
                progress(done, total)
        stale = SearchDocument.objects.filter(indexed_at__lt=started).values_list("pk", flat=True)
        self.remove(list(stale))
        return done

    def refresh_ranking(self, *, now=None) -> int:
        """Recompute quality and boost (freshness moves with time) for every document."""
        cfg = ranking.config()
        now = now or timezone.now()
        changed = 0
        last = 0
        while True:
            batch = list(
                SearchDocument.objects.filter(pk__gt=last)
                .order_by("pk")
                .only(
                    "pk",
                    "bayesian_rating",
                    "active_subscriptions",
                    "tier_rank",
                    "last_updated_at",
                    "stuffing_penalty",
                    "quality",
                    "boost",
                )[:2000]
            )
            if not batch:
                break
            last = batch[-1].pk
            for doc in batch:
                signals = ranking.signals(
                    bayesian=doc.bayesian_rating,
                    subscriptions=doc.active_subscriptions,
                    tier_rank=doc.tier_rank,
                    updated_at=doc.last_updated_at,
                    now=now,
                    cfg=cfg,
                )
                doc.quality = signals.quality(cfg)
                doc.boost = ranking.boost(doc.quality, doc.stuffing_penalty, cfg)
            SearchDocument.objects.bulk_update(batch, ["quality", "boost"], batch_size=1000)
            changed += len(batch)
        bump_index_version()
        return changed

    def count(self) -> int:
        return SearchDocument.objects.count()


# --- helpers shared with the Elasticsearch engine and the benchmark --------------------------
def closest(normalised: str, candidates: list[str]) -> str | None:
    """What the visitor probably meant: a listing or category name very close to the whole query
    (difflib ratio ≥ 0.75, case-insensitive); else the query with each Latin word replaced by the
    closest word of those names (≥ 0.75); else a name fairly close to the query (≥ 0.6)."""
    folded: dict[str, str] = {}
    words: set[str] = set()
    for candidate in candidates:
        folded.setdefault(candidate.casefold(), candidate)
        for word in text_mod.SPACES.split(candidate.casefold()):
            if len(word) >= 3 and word.isascii() and word.isalpha():
                words.add(word)
    folded.pop(normalised, None)  # the query itself is no suggestion
    scored = sorted(
        ((difflib.SequenceMatcher(None, normalised, name).ratio(), name) for name in folded),
        key=lambda pair: (-pair[0], pair[1]),
    )
    if scored and scored[0][0] >= 0.75:
        return folded[scored[0][1]]
    corrected, changed = [], False
    for word in normalised.split():
        if word in words or len(word) < 3 or not (word.isascii() and word.isalpha()):
            corrected.append(word)
            continue
        match = difflib.get_close_matches(word, sorted(words), n=1, cutoff=0.75)
        corrected.append(match[0] if match else word)
        changed = changed or bool(match)
    if changed:
        return " ".join(corrected)
    if scored and scored[0][0] >= 0.6:
        return folded[scored[0][1]]
    return None


def category_suggestions(needle: str, *, english: bool, limit: int) -> list[dict]:
    out = []
    for value, zh, en, _depth, _parent in taxonomy()["category"]:
        if needle in (zh or "").casefold() or needle in (en or "").casefold():
            label, alt = (en or zh, zh) if english else (zh or en, en)
            out.append(
                {"kind": "category", "value": value, "label": label, "alt": alt if alt != label else ""}
            )
            if len(out) >= limit:
                break
    return out


def listing_suggestion(row: dict, english: bool) -> dict:
    if english:
        label, alt, url = row["title_en"] or row["title"], row["title"], row["url_en"] or row["url"]
        partner = row["partner_name_en"] or row["partner_name"]
    else:
        label, alt, url = row["title"] or row["title_en"], row["title_en"], row["url"] or row["url_en"]
        partner = row["partner_name"] or row["partner_name_en"]
    return {
        "kind": "listing",
        "value": str(row["listing_id"]),
        "label": label,
        "alt": alt if alt != label else "",
        "url": url,
        "partner": partner,
    }


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


def _update_fields(model, skip) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if f.name not in skip]


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


def build_vectors(queryset) -> int:
    """PostgreSQL: (re)build ``search_vector`` and ``head_vector`` from the documents' tokens."""
    texts = SearchDocumentText.objects.filter(pk=OuterRef("pk"))
    return queryset.update(
        search_vector=Subquery(texts.annotate(v=vector_expression()).values("v")[:1]),
        head_vector=Subquery(texts.annotate(v=head_vector_expression()).values("v")[:1]),
    )


def vector_expression():
    """Every token and every facet lexeme: what a query and its filters match. Stripped of
    positions and weights (ranking reads ``head_vector``), so the rows stay small."""
    return Func(
        SearchVector("tokens", "tokens_facets", config="simple"),
        function="strip",
        output_field=SearchVectorField(),
    )


def head_vector_expression():
    """Names, tagline and keywords only: what relevance is ranked on."""
    return (
        SearchVector("tokens_name", weight="A", config="simple")
        + SearchVector("tokens_tagline", weight="B", config="simple")
        + SearchVector("tokens_meta", weight="C", config="simple")
    )


def facet_rows(d) -> list[tuple[str, str]]:
    rows = [("category", v) for v in d.categories]
    rows += [("industry", v) for v in d.industries]
    rows += [("region", v) for v in d.regions]
    rows += [("pricing", v) for v in d.pricing_models]
    rows += [("rating", v) for v in d.rating_buckets]
    if d.listing_type:
        rows.append(("type", d.listing_type))
    if d.deployment:
        rows.append(("deployment", d.deployment))
    if d.tier_slug:
        rows.append(("tier", d.tier_slug))
    if d.partner_kind:
        rows.append(("kind", d.partner_kind))
    if d.has_free_trial:
        rows.append(("trial", "1"))
    return list(dict.fromkeys((f, v[:80]) for f, v in rows if v and " " not in v and "=" not in f))


def _words(values) -> str:
    return f" {' '.join(values)} " if values else ""


def document_rows(d, indexed_at) -> tuple[SearchDocument, SearchDocumentText]:
    document = SearchDocument(
        listing_id=d.listing_id,
        partner_id=d.partner_id,
        categories=_words(d.categories),
        industries=_words(d.industries),
        regions=_words(d.regions),
        pricing_models=_words(d.pricing_models),
        rating_buckets=_words(d.rating_buckets),
        listing_type=d.listing_type,
        deployment=d.deployment,
        tier_slug=d.tier_slug,
        tier_rank=d.tier_rank,
        partner_kind=d.partner_kind,
        has_free_trial=d.has_free_trial,
        rating_average=d.rating_average,
        rating_count=d.rating_count,
        bayesian_rating=d.bayesian_rating,
        active_subscriptions=d.active_subscriptions,
        published_at=d.published_at,
        last_updated_at=d.last_updated_at,
        min_price_cny=d.min_price_cny,
        min_price_usd=d.min_price_usd,
        quality=d.quality,
        stuffing_penalty=d.stuffing_penalty,
        boost=d.boost,
        name_norm=text_mod.normalise(d.title)[:255],
        name_en_norm=text_mod.normalise(d.title_en)[:255],
        suggest_text=d.suggest_text(),
        indexed_at=indexed_at,
    )
    text = SearchDocumentText(
        document_id=d.listing_id,
        title=d.title[:255],
        title_en=d.title_en[:255],
        tagline=d.tagline[:255],
        tagline_en=d.tagline_en[:255],
        partner_name=d.partner_name[:255],
        partner_name_en=d.partner_name_en[:255],
        url=d.url[:500],
        url_en=d.url_en[:500],
        tier_name=d.tier_name[:60],
        tier_name_en=d.tier_name_en[:60],
        tier_colour=d.tier_colour[:7],
        body=d.body[:8000],
        body_en=d.body_en[:8000],
        tokens_facets=" ".join(facet_lexeme(f, v) for f, v in facet_rows(d)),
        **d.token_fields(),
    )
    return document, text

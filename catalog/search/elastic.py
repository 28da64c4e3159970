"""The Elasticsearch engine (``elasticsearch.dsl``), used when ``ELASTICSEARCH_URL`` is set.

Index. ``ListingDocument`` lives in a concrete index ``<prefix>-listings-<timestamp>`` reached
through the alias ``<prefix>-listings``; ``rebuild`` fills a new concrete index and swaps the
alias atomically, so searches never see a half-built index. Chinese fields use the ``cjk``
analyser (``standard`` tokenizer, ``cjk_width`` + ``lowercase`` + ``cjk_bigram``), English
fields the ``english`` analyser; facets are ``keyword`` fields; ``suggest`` is a completion
field fed with both names of each listing and its partner.

Search. One request per search: the text query (``multi_match`` over the Chinese fields, and
over the English fields with ``fuzziness: AUTO`` for Latin-script queries, plus an exact-name
bonus) wrapped in two ``function_score`` layers that apply ``catalog.search.ranking``'s
formula — ``(1 + Σ weight × signal)`` summed (rating, log subscriptions, tier, an ``exp``
freshness decay) and multiplied by ``1 − stuffing penalty`` — then the facet filters as a
``post_filter`` and, per facet, a ``filter`` aggregation holding the *other* facets' filters
around a ``terms`` aggregation, so each facet's counts reflect the other active filters.
Nothing a user typed is formatted into a query string: it is only ever a value in the DSL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

from django.conf import settings
from django.utils.safestring import mark_safe

from catalog.search import ranking
from catalog.search import text as text_mod
from catalog.search.base import (
    Engine,
    Hit,
    SearchRequest,
    SearchResult,
    bump_index_version,
    facet_lists,
    pages_for,
)
from catalog.search.database import category_suggestions, closest, listing_suggestion
from catalog.search.facets import FACETS, taxonomy

MAX_WINDOW = 10_000
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
SOURCE_FIELDS = [
    "listing_id",
    "partner_id",
    "title",
    "title_en",
    "tagline",
    "tagline_en",
    "partner_name",
    "partner_name_en",
    "url",
    "url_en",
    "tier_slug",
    "tier_name",
    "tier_name_en",
    "tier_colour",
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
]


def alias_name() -> str:
    return f"{settings.SEARCH_INDEX_PREFIX}-listings"


@lru_cache(maxsize=1)
def _dsl():
    """The document class, built on first use (the module imports without a server)."""
    from elasticsearch.dsl import (
        Boolean,
        Completion,
        Date,
        Document,
        Float,
        Integer,
        Keyword,
        ScaledFloat,
        Text,
        analyzer,
        normalizer,
    )

    cjk = analyzer("symbio_cjk", tokenizer="standard", filter=["cjk_width", "lowercase", "cjk_bigram"])
    suggest_analyzer = analyzer("symbio_suggest", tokenizer="keyword", filter=["cjk_width", "lowercase"])
    lowercase = normalizer("symbio_lowercase", filter=["lowercase"])

    def chinese(**kw):
        return Text(analyzer=cjk, fields={"en": Text(analyzer="english")}, **kw)

    def english(**kw):
        return Text(analyzer="english", fields={"cjk": Text(analyzer=cjk)}, **kw)

    class ListingDocument(Document):
        listing_id = Integer()
        partner_id = Integer()
        title = Text(
            analyzer=cjk, fields={"en": Text(analyzer="english"), "raw": Keyword(normalizer=lowercase)}
        )
        title_en = Text(
            analyzer="english", fields={"cjk": Text(analyzer=cjk), "raw": Keyword(normalizer=lowercase)}
        )
        tagline = chinese()
        tagline_en = english()
        body = chinese()
        body_en = english()
        keywords = chinese()  # tags, categories, industries, partner names (both languages)
        partner_name = Keyword(index=False)
        partner_name_en = Keyword(index=False)
        url = Keyword(index=False)
        url_en = Keyword(index=False)
        tier_name = Keyword(index=False)
        tier_name_en = Keyword(index=False)
        tier_colour = Keyword(index=False)
        listing_type = Keyword()
        deployment = Keyword()
        tier_slug = Keyword()
        partner_kind = Keyword()
        categories = Keyword(multi=True)
        industries = Keyword(multi=True)
        regions = Keyword(multi=True)
        pricing_models = Keyword(multi=True)
        rating_buckets = Keyword(multi=True)
        has_free_trial = Boolean()
        tier_rank = Integer()
        rating_average = Float()
        rating_count = Integer()
        bayesian_rating = Float()
        active_subscriptions = Integer()
        published_at = Date()
        last_updated_at = Date()
        min_price_cny = ScaledFloat(scaling_factor=100)
        min_price_usd = ScaledFloat(scaling_factor=100)
        rating_signal = Float()
        subscriptions_signal = Float()
        tier_signal = Float()
        stuffing_multiplier = Float()
        boost = Float()
        suggest = Completion(analyzer=suggest_analyzer)

        class Index:
            name = alias_name()
            settings = {"number_of_shards": 1, "number_of_replicas": 0}

    return ListingDocument


def document_class():
    return _dsl()


@lru_cache(maxsize=1)
def client():
    from elasticsearch import Elasticsearch

    return Elasticsearch(settings.ELASTICSEARCH_URL, request_timeout=10, retry_on_timeout=True)


def to_document(d):
    """A ``ListingData`` as a ``ListingDocument`` (id = listing id)."""
    suggest_inputs = []
    for name in (d.title, d.title_en, d.partner_name, d.partner_name_en):
        name = (name or "").strip()
        if name:
            suggest_inputs.append(name)
            words = name.split()
            suggest_inputs.extend(" ".join(words[i:]) for i in range(1, len(words)))
    doc = document_class()(
        meta={"id": d.listing_id},
        listing_id=d.listing_id,
        partner_id=d.partner_id,
        title=d.title,
        title_en=d.title_en,
        tagline=d.tagline,
        tagline_en=d.tagline_en,
        body=d.body,
        body_en=d.body_en,
        keywords=keywords(d),
        partner_name=d.partner_name,
        partner_name_en=d.partner_name_en,
        url=d.url,
        url_en=d.url_en,
        tier_name=d.tier_name,
        tier_name_en=d.tier_name_en,
        tier_colour=d.tier_colour,
        listing_type=d.listing_type,
        deployment=d.deployment,
        tier_slug=d.tier_slug,
        partner_kind=d.partner_kind,
        categories=d.categories,
        industries=d.industries,
        regions=d.regions,
        pricing_models=d.pricing_models,
        rating_buckets=d.rating_buckets,
        has_free_trial=d.has_free_trial,
        tier_rank=d.tier_rank,
        rating_average=d.rating_average,
        rating_count=d.rating_count,
        bayesian_rating=d.bayesian_rating,
        active_subscriptions=d.active_subscriptions,
        published_at=d.published_at,
        last_updated_at=d.last_updated_at or d.published_at or EPOCH,
        min_price_cny=float(d.min_price_cny) if d.min_price_cny is not None else None,
        min_price_usd=float(d.min_price_usd) if d.min_price_usd is not None else None,
        rating_signal=d.signals.rating,
        subscriptions_signal=d.signals.subscriptions,
        tier_signal=d.signals.tier,
        stuffing_multiplier=1 - d.stuffing_penalty,
        boost=d.boost,
        suggest={"input": list(dict.fromkeys(suggest_inputs))[:20]},
    )
    return doc


def keywords(d) -> str:
    parts = [*d.indexed_tags, *d.category_names, *d.industry_names, d.partner_name, d.partner_name_en]
    parts += d.co_partner_names
    return " ".join(p for p in parts if p)


# --- queries --------------------------------------------------------------------------------
def filter_query(key: str, values: list[str]):
    from elasticsearch.dsl import Q

    column = {f.key: f.column for f in FACETS}[key]
    if key == "trial":
        return Q("term", has_free_trial=True)
    if key == "rating":
        return Q("range", rating_average={"gte": min(int(v) for v in values)})
    return Q("terms", **{column: list(values)})


def text_query(request: SearchRequest):
    from elasticsearch.dsl import Q

    cfg = ranking.config()
    w = cfg["field_weights"]

    def boost(name):
        return round(float(w[name]) * 10, 3)

    text = request.text
    normalised = text_mod.normalise(text)
    should = [
        Q(
            "multi_match",
            query=text,
            type="best_fields",
            operator="and",
            fields=[
                f"title^{boost('name')}",
                f"title_en.cjk^{boost('name')}",
                f"tagline^{boost('tagline')}",
                f"tagline_en.cjk^{boost('tagline')}",
                f"keywords^{boost('meta')}",
                f"body^{boost('body')}",
                f"body_en.cjk^{boost('body')}",
            ],
        ),
    ]
    english = {
        "type": "best_fields",
        "operator": "and",
        "fields": [
            f"title_en^{boost('name')}",
            f"title.en^{boost('name')}",
            f"tagline_en^{boost('tagline')}",
            f"keywords.en^{boost('meta')}",
            f"body_en^{boost('body')}",
        ],
    }
    if text_mod.is_latin(text):
        english.update(fuzziness="AUTO", prefix_length=1, max_expansions=20)
    should.append(Q("multi_match", query=text, **english))
    bonus = float(cfg["exact_name_bonus"]) * 10
    should.append(Q("term", **{"title.raw": {"value": normalised, "boost": bonus}}))
    should.append(Q("term", **{"title_en.raw": {"value": normalised, "boost": bonus}}))
    return Q("bool", should=should, minimum_should_match=1)


def ranked(query):
    """The ranking formula around ``query`` (see ``catalog.search.ranking``)."""
    from elasticsearch.dsl import SF, Q

    cfg = ranking.config()
    qw = float(cfg["quality_weight"])
    w = cfg["signal_weights"]
    functions = [
        SF({"weight": 1}),
        SF("field_value_factor", field="rating_signal", factor=qw * w["rating"], missing=0),
        SF("field_value_factor", field="subscriptions_signal", factor=qw * w["subscriptions"], missing=0),
        SF("field_value_factor", field="tier_signal", factor=qw * w["tier"], missing=0),
        SF(
            "exp",
            last_updated_at={
                "origin": "now",
                "scale": f"{int(cfg['freshness_half_life_days'])}d",
                "decay": 0.5,
            },
            weight=max(qw * w["freshness"], 1e-6),
        ),
    ]
    inner = Q("function_score", query=query, functions=functions, score_mode="sum", boost_mode="multiply")
    return Q(
        "function_score",
        query=inner,
        functions=[SF("field_value_factor", field="stuffing_multiplier", missing=1)],
        boost_mode="multiply",
    )


def build_search(request: SearchRequest, *, offset: int | None = None):
    from elasticsearch.dsl import Q

    s = document_class().search(using=client(), index=alias_name())
    base = text_query(request) if request.text else Q("match_all")
    s = s.query(ranked(base))
    filters = {key: filter_query(key, values) for key, values in request.filters.items()}
    if filters:
        s = s.post_filter(Q("bool", filter=list(filters.values())))
    for facet in FACETS:
        others = [q for key, q in filters.items() if key != facet.key]
        holder = Q("bool", filter=others) if others else Q("match_all")
        s.aggs.bucket(f"f_{facet.key}", "filter", filter=holder).bucket(
            "by_value", "terms", field=facet.column if facet.key != "trial" else "has_free_trial", size=500
        )
    price = "min_price_usd" if request.currency == "USD" else "min_price_cny"
    other_price = "min_price_cny" if request.currency == "USD" else "min_price_usd"
    order = {
        "rating": [{"bayesian_rating": "desc"}, {"rating_count": "desc"}, {"listing_id": "asc"}],
        "newest": [{"published_at": {"order": "desc", "missing": "_last"}}, {"listing_id": "asc"}],
        "subscribed": [{"active_subscriptions": "desc"}, {"boost": "desc"}, {"listing_id": "asc"}],
        "price": [
            {price: {"order": "asc", "missing": "_last"}},
            {other_price: {"order": "asc", "missing": "_last"}},  # priced in the other currency only
            {"boost": "desc"},
            {"listing_id": "asc"},
        ],
    }.get(request.sort, ["_score", {"boost": "desc"}, {"listing_id": "asc"}])
    s = s.sort(*order)
    start = request.offset if offset is None else offset
    start = max(0, min(start, MAX_WINDOW - request.per_page))
    s = s.extra(from_=start, size=request.per_page, track_total_hits=True)
    s = s.source(SOURCE_FIELDS)
    if request.text:
        s = s.highlight(
            "title",
            "title_en",
            "tagline",
            "tagline_en",
            "body",
            "body_en",
            fragment_size=160,
            number_of_fragments=1,
        ).highlight_options(pre_tags=["<mark>"], post_tags=["</mark>"], encoder="html")
    return s


class ElasticsearchEngine(Engine):
    name = "elasticsearch"

    def search(self, request: SearchRequest) -> SearchResult:
        response = build_search(request).execute()
        total = int(response.hits.total.value)
        pages = pages_for(total, request.per_page)
        page = min(request.page, pages)
        if page != request.page:
            response = build_search(request, offset=(page - 1) * request.per_page).execute()
        counts: dict[str, dict[str, int]] = {}
        for facet in FACETS:
            buckets = getattr(response.aggregations, f"f_{facet.key}").by_value.buckets
            values = {}
            for bucket in buckets:
                key = bucket.key
                if facet.key == "trial":
                    if key in (1, True, "true"):
                        values["1"] = bucket.doc_count
                    continue
                values[str(key)] = bucket.doc_count
            counts[facet.key] = values
        facets, depths = facet_lists(counts, request)
        english = request.english
        hits = []
        for hit in response.hits:
            source = hit.to_dict()
            highlights = {}
            found = getattr(hit.meta, "highlight", None)
            if found:
                for name in ("title", "tagline", "body"):
                    for field_name in (name + "_en", name) if english else (name, name + "_en"):
                        fragments = getattr(found, field_name, None)
                        if fragments:
                            highlights[name] = mark_safe(fragments[0])  # noqa: S308 - encoder=html
                            break
            hits.append(
                Hit(
                    listing_id=int(source["listing_id"]),
                    score=float(hit.meta.score or 0.0),
                    highlights=highlights,
                    document=source,
                )
            )
        did_you_mean = self.did_you_mean(request.text) if request.text and total == 0 else None
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
            depths=depths,
        )

    def did_you_mean(self, query: str) -> str | None:
        from elasticsearch.dsl import Q

        normalised = text_mod.normalise(query)
        s = document_class().search(using=client(), index=alias_name())
        s = s.query(
            Q("multi_match", query=query, fields=["title_en", "title.en", "title"], fuzziness="AUTO")
        ).source(["title", "title_en"])[:5]
        candidates = []
        for _value, zh, en, _depth, _parent in taxonomy()["category"]:
            candidates.extend(n for n in (zh, en) if n)
        for hit in s.execute():
            candidates.extend(n for n in (hit.title, getattr(hit, "title_en", "")) if n)
        return closest(normalised, candidates)

    def popular_categories(self, limit: int = 6) -> list[tuple[str, int]]:
        s = document_class().search(using=client(), index=alias_name()).extra(size=0)
        s.aggs.bucket("categories", "terms", field="categories", size=200)
        buckets = s.execute().aggregations.categories.buckets
        tops = {value for value, _zh, _en, depth, _p in taxonomy()["category"] if depth == 0}
        ranked_ = [(b.key, b.doc_count) for b in buckets if b.key in tops]
        return ranked_[:limit]

    def suggest(self, prefix: str, *, language: str, limit: int = 10) -> list[dict]:
        needle = text_mod.normalise(prefix)[:50]
        if not needle:
            return []
        english = language.startswith("en")
        categories = category_suggestions(needle, english=english, limit=3)
        s = (
            document_class()
            .search(using=client(), index=alias_name())
            .source(["listing_id", "title", "title_en", "url", "url_en", "partner_name", "partner_name_en"])
        )
        s = s.suggest(
            "names",
            needle,
            completion={"field": "suggest", "size": max(1, limit - len(categories)), "skip_duplicates": True},
        )
        response = s.execute()
        listings = []
        for option in response.suggest.names[0].options:
            source = option._source.to_dict()
            source.setdefault("title_en", "")
            source.setdefault("url_en", "")
            source.setdefault("partner_name_en", "")
            listings.append(listing_suggestion(source, english))
        return (listings + categories)[:limit]

    # indexing --------------------------------------------------------------------------------
    def ensure_index(self) -> None:
        es = client()
        if not es.indices.exists_alias(name=alias_name()):
            name = self._new_index()
            es.indices.put_alias(index=name, name=alias_name())

    def _new_index(self) -> str:
        name = f"{alias_name()}-{datetime.now(UTC):%Y%m%d%H%M%S%f}"
        document_class().init(index=name, using=client())
        return name

    def index(self, documents, *, refresh="wait_for") -> int:
        from elasticsearch.helpers import bulk

        documents = list(documents)
        if not documents:
            return 0
        self.ensure_index()
        actions = [to_document(d).to_dict(include_meta=True) | {"_index": alias_name()} for d in documents]
        bulk(client(), actions, refresh=refresh)
        bump_index_version()
        return len(actions)

    def remove(self, listing_ids) -> int:
        from elasticsearch.helpers import bulk

        ids = list(listing_ids)
        if not ids:
            return 0
        self.ensure_index()
        actions = [{"_op_type": "delete", "_index": alias_name(), "_id": i} for i in ids]
        bulk(client(), actions, raise_on_error=False, refresh="wait_for")
        bump_index_version()
        return len(ids)

    def rebuild(self, batches, *, total: int, progress=None) -> int:
        from elasticsearch.helpers import bulk

        es = client()
        name = self._new_index()
        done = 0
        for batch in batches:
            actions = [to_document(d).to_dict(include_meta=True) | {"_index": name} for d in batch]
            bulk(es, actions)
            done += len(actions)
            if progress:
                progress(done, total)
        es.indices.refresh(index=name)
        old = list(es.indices.get_alias(name=alias_name(), ignore_unavailable=True).keys())
        actions = [{"remove": {"index": index, "alias": alias_name()}} for index in old]
        actions.append({"add": {"index": name, "alias": alias_name()}})
        es.indices.update_aliases(actions=actions)
        for index in old:
            if index != name:
                es.indices.delete(index=index, ignore_unavailable=True)
        bump_index_version()
        return done

    def count(self) -> int:
        return int(client().count(index=alias_name())["count"])

    def delete_everything(self) -> None:
        """Tests: drop the alias and every index behind it."""
        es = client()
        for index in es.indices.get_alias(name=alias_name(), ignore_unavailable=True):
            es.indices.delete(index=index, ignore_unavailable=True)

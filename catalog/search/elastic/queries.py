"""Request bodies: the search (text, ranking, facets, sort, page), the typo pass, "did you mean"
and autocomplete. Nothing a user typed is formatted into a query string: it is only ever a value.

Text matching follows the database engine term by term (``catalog.search.text.query_terms``):
every term must match; a term is a choice of token groups, each group matched with
``combined_fields`` (operator ``and``) over the four token fields, so the words of a query may sit
in different fields and languages; a single Chinese character is matched in the display fields
(``standard`` analyser: one token per character). The exact-name bonus is a constant
(``constant_score``), added like the database engine adds it.
"""

from __future__ import annotations

from catalog.search import ranking, relax
from catalog.search import text as text_mod
from catalog.search.base import SearchRequest
from catalog.search.elastic.mapping import DISPLAY_TEXT_FIELDS, TOKEN_FIELDS
from catalog.search.facets import FACETS

# Elasticsearch 8 refuses a query with more leaf clauses than its limit (at least 1,024; more
# with a bigger heap). The text query is kept under this budget, leaving room for the rest.
TEXT_CLAUSE_BUDGET = 800
FUZZY_MIN_LENGTH = 4
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
SUGGEST_SOURCE = ["listing_id", "title", "title_en", "url", "url_en", "partner_name", "partner_name_en"]
WEIGHT_OF_FIELD = {
    "tokens_name": "name",
    "tokens_tagline": "tagline",
    "tokens_meta": "meta",
    "tokens_body": "body",
}


def _weight(name: str) -> float:
    """A field weight on Elasticsearch's scale (×10; ``combined_fields`` wants ≥ 1)."""
    return max(1.0, round(float(ranking.config()["field_weights"][name]) * 10, 3))


def token_fields() -> list[str]:
    return [f"{field}^{_weight(WEIGHT_OF_FIELD[field])}" for field in TOKEN_FIELDS]


def capped_terms(text: str) -> tuple[list, bool]:
    """The query's terms, cut to fit ``TEXT_CLAUSE_BUDGET``: first the alternative segmentations
    of long words are dropped (the word itself stays), then the last terms. Returns (terms, cut)."""
    from catalog.search import synonyms

    terms = synonyms.query_terms(text)  # the database engine's terms, synonyms as alternatives
    fields = len(TOKEN_FIELDS)

    def cost(term) -> int:
        if term and term[0] and term[0][0].startswith("="):
            return len(DISPLAY_TEXT_FIELDS)
        return sum(len(group) * fields for group in term)

    if sum(cost(t) for t in terms) <= TEXT_CLAUSE_BUDGET:
        return terms, False
    terms = [t[:1] for t in terms]
    kept, used = [], 0
    for term in terms:
        if used + cost(term) > TEXT_CLAUSE_BUDGET:
            break
        kept.append(term)
        used += cost(term)
    return kept, True


def term_query(term) -> dict:
    if term and term[0] and term[0][0].startswith("="):  # one Chinese character: a substring
        char = term[0][0][1:]
        groups = (("title", "title_en"), ("tagline", "tagline_en"), ("body", "body_en"))
        weights = (_weight("name"), _weight("tagline"), _weight("body"))
        return {
            "dis_max": {
                "queries": [
                    {
                        "constant_score": {
                            "filter": {"multi_match": {"query": char, "fields": list(fields)}},
                            "boost": weight,
                        }
                    }
                    for fields, weight in zip(groups, weights, strict=True)
                ]
            }
        }
    alternatives = [
        {"combined_fields": {"query": " ".join(group), "fields": token_fields(), "operator": "and"}}
        for group in term
    ]
    if len(alternatives) == 1:
        return alternatives[0]
    return {"bool": {"should": alternatives, "minimum_should_match": 1}}


def exact_name_bonus(text: str) -> dict:
    """A constant added when the whole query is the listing's name (either language)."""
    normalised = text_mod.normalise(text)
    bonus = round(float(ranking.config()["exact_name_bonus"]) * 10, 3)
    return {
        "constant_score": {
            "filter": {
                "bool": {
                    "should": [{"term": {"name_norm": normalised}}, {"term": {"name_en_norm": normalised}}],
                    "minimum_should_match": 1,
                }
            },
            "boost": bonus,
        }
    }


def text_query(text: str, *, relaxed: bool = False) -> dict | None:
    """Every term must match; ``None`` when the text has no terms (only stop words, say).
    ``relaxed`` (``catalog.search.relax``): at least one term, a listing with every term lifted
    by a constant above the others (Elasticsearch's BM25 weighs each term by its rarity)."""
    terms, _cut = capped_terms(text)
    if not terms:
        return None
    if not relaxed:
        return {"bool": {"must": [term_query(t) for t in terms], "should": [exact_name_bonus(text)]}}
    every = {
        "constant_score": {
            "filter": {"bool": {"must": [term_query(t) for t in terms]}},
            "boost": relax.STRICT_BONUS,
        }
    }
    return {
        "bool": {
            "must": [{"bool": {"should": [term_query(t) for t in terms], "minimum_should_match": 1}}],
            "should": [exact_name_bonus(text), every],
        }
    }


def fuzzy_query(text: str) -> dict:
    """The typo pass (only when nothing matched a Latin-script query): every word within
    Elasticsearch's ``AUTO`` edit distance of a word of the listing's or partner's names."""
    return {
        "match": {
            "names": {
                "query": text_mod.normalise(text),
                "fuzziness": "AUTO",
                "prefix_length": 1,
                "max_expansions": 20,
                "operator": "and",
            }
        }
    }


def wants_fuzzy(text: str) -> bool:
    return text_mod.is_latin(text) and len(text_mod.normalise(text)) >= FUZZY_MIN_LENGTH


def ranked(query: dict) -> dict:
    """The ranking formula around ``query`` (see ``catalog.search.ranking``)."""
    cfg = ranking.config()
    qw = float(cfg["quality_weight"])
    w = cfg["signal_weights"]
    functions = [
        {"weight": 1},
        {"field_value_factor": {"field": "rating_signal", "factor": qw * w["rating"], "missing": 0}},
        {
            "field_value_factor": {
                "field": "subscriptions_signal",
                "factor": qw * w["subscriptions"],
                "missing": 0,
            }
        },
        {"field_value_factor": {"field": "tier_signal", "factor": qw * w["tier"], "missing": 0}},
        {
            "exp": {
                "last_updated_at": {
                    "origin": "now",
                    "scale": f"{int(cfg['freshness_half_life_days'])}d",
                    "decay": 0.5,
                }
            },
            "weight": max(qw * w["freshness"], 1e-6),
        },
    ]
    inner = {
        "function_score": {
            "query": query,
            "functions": functions,
            "score_mode": "sum",
            "boost_mode": "multiply",
        }
    }
    return {
        "function_score": {
            "query": inner,
            "functions": [{"field_value_factor": {"field": "stuffing_multiplier", "missing": 1}}],
            "boost_mode": "multiply",
        }
    }


def filter_query(key: str, values: list[str]) -> dict:
    column = {f.key: f.column for f in FACETS}[key]
    if key == "trial":
        return {"term": {"has_free_trial": True}}
    if key == "rating":
        return {"range": {"rating_average": {"gte": min(int(v) for v in values)}}}
    return {"terms": {column: list(values)}}


def sort_order(request: SearchRequest) -> list:
    price = "min_price_usd" if request.currency == "USD" else "min_price_cny"
    other_price = "min_price_cny" if request.currency == "USD" else "min_price_usd"
    return {
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


def search_body(
    request: SearchRequest,
    *,
    page: int | None = None,
    fuzzy: bool = False,
    text: str | None = None,
    relaxed: bool = False,
) -> dict:
    """One request: hits of the page, the total, every facet's counts (each over the *other*
    facets' filters) and, when there are filters, how many documents the text alone matches.
    ``text`` replaces the request's (a spelling correction)."""
    words = request.text if text is None else text
    text = text_query(words, relaxed=relaxed) if words and not fuzzy else None
    if fuzzy:
        text = fuzzy_query(request.text)
    query = ranked(text) if text is not None else ranked({"match_all": {}})
    filters = {key: filter_query(key, values) for key, values in request.filters.items()}
    aggs = {}
    for facet in FACETS:
        others = [q for key, q in filters.items() if key != facet.key]
        holder = {"bool": {"filter": others}} if others else {"match_all": {}}
        field = "has_free_trial" if facet.key == "trial" else facet.column
        aggs[f"f_{facet.key}"] = {
            "filter": holder,
            "aggs": {"by_value": {"terms": {"field": field, "size": 500}}},
        }
    if filters:
        aggs["text_only"] = {"filter": {"match_all": {}}}  # before the post_filter: the text alone
    page = request.page if page is None else page
    body = {
        "query": query,
        "aggs": aggs,
        "sort": sort_order(request),
        "from": (page - 1) * request.per_page,
        "size": request.per_page,
        "track_total_hits": True,
        "_source": SOURCE_FIELDS + (["body", "body_en"] if words else []),
    }
    if filters:
        body["post_filter"] = {"bool": {"filter": list(filters.values())}}
    return body


def did_you_mean_body(text: str) -> dict:
    return {"query": fuzzy_query(text), "_source": ["title", "title_en"], "size": 5}


def wildcard_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("*", "\\*").replace("?", "\\?")


def suggest_body(needle: str, *, size: int) -> dict:
    """Listings whose names (either language, or their partner's) contain ``needle``, ordered as
    the database engine orders them: names that start with it, then active subscriptions, then
    boost, then id. ``needle`` is already normalised (lower case)."""
    starts = {
        "constant_score": {
            "filter": {
                "bool": {
                    "should": [{"prefix": {"name_norm": needle}}, {"prefix": {"name_en_norm": needle}}],
                    "minimum_should_match": 1,
                }
            },
            "boost": 1,
        }
    }
    return {
        "query": {
            "bool": {
                "filter": [{"wildcard": {"suggest_text": {"value": f"*{wildcard_escape(needle)}*"}}}],
                "should": [starts],
            }
        },
        "sort": ["_score", {"active_subscriptions": "desc"}, {"boost": "desc"}, {"listing_id": "asc"}],
        "size": size,
        "_source": SUGGEST_SOURCE,
    }


def popular_categories_body() -> dict:
    return {"size": 0, "aggs": {"categories": {"terms": {"field": "categories", "size": 200}}}}


# --- the clause limit ---------------------------------------------------------------------------
def leaf_clauses(query) -> int:
    """How many leaf clauses Elasticsearch (Lucene) counts against its limit: each term × field of
    a multi-field query, each term of a ``match``, fuzzy expansions at their maximum."""
    if isinstance(query, list):
        return sum(leaf_clauses(q) for q in query)
    if not isinstance(query, dict):
        return 0
    total = 0
    for kind, spec in query.items():
        if kind in ("combined_fields", "multi_match"):
            words = len(str(spec["query"]).split()) or 1
            total += words * len(spec.get("fields", [])) * (1 if "fuzziness" not in spec else 50)
        elif kind == "match":
            for options in spec.values():
                options = options if isinstance(options, dict) else {"query": options}
                words = len(str(options["query"]).split()) or 1
                total += words * (int(options.get("max_expansions", 50)) if "fuzziness" in options else 1)
        elif kind in ("bool",):
            for part in ("must", "should", "filter", "must_not"):
                total += leaf_clauses(spec.get(part, []))
        elif kind == "dis_max":
            total += leaf_clauses(spec["queries"])
        elif kind == "constant_score":
            total += leaf_clauses(spec["filter"])
        elif kind == "function_score":
            total += leaf_clauses(spec.get("query", {}))
        else:  # term, terms, range, prefix, wildcard, match_all, exists
            total += 1
    return total

"""Pieces of catalogue search that need no catalogue: segmentation, the ranking arithmetic,
input cleaning, highlighting, and the Elasticsearch request (built without a server)."""

from __future__ import annotations

import pytest

from catalog.search import ranking
from catalog.search.base import highlight, make_request
from catalog.search.facets import clean_filters, rating_buckets
from catalog.search.text import MAX_QUERY_LENGTH, clean_query, fold, query_terms, token_string, tokens


def test_chinese_tokens_include_every_two_character_window():
    found = tokens("我们的系统让费用报销流程更快")
    assert "报销" in found and "用报" in found  # a word and a window across words
    assert "费用报销" in found or ("费用" in found and "报销" in found)


def test_tokens_are_deduplicated_and_lower_case():
    # each English word with its Snowball stem ("payrol"), once
    assert token_string("Payroll payroll PAYROLL payrolls") == " payroll payrol payrolls "


def test_plural_fold_is_conservative():
    assert fold("integrations") == "integration"
    assert fold("companies") == "company"
    assert fold("business") == "business" and fold("status") == "status" and fold("sas") == "sas"


def test_query_terms():
    assert query_terms("数字化 invoices") == [
        [["数字化"], ["数字", "字化"]],
        [["invoices"], ["invoice"], ["invoic"]],
    ]
    assert query_terms("云") == [[["=云"]]]
    assert query_terms("the of !!!") == []


def test_clean_query():
    assert clean_query("  a\x00b\tc  ") == "a b c"
    assert clean_query("ＡＢＣ") == "ABC"  # full-width folded
    assert len(clean_query("x" * 5000)) == MAX_QUERY_LENGTH
    assert clean_query(None) == "" and clean_query(["a"]) == "['a']"


def test_bayesian_rating_does_not_let_one_review_win(settings):
    settings.SEARCH_RANKING = {"bayes_prior_count": 10, "bayes_prior_mean": 3.5}
    one = ranking.bayesian_rating(5, 1)
    many = ranking.bayesian_rating(4.8, 200)
    assert one == pytest.approx((10 * 3.5 + 5) / 11)
    assert many == pytest.approx((10 * 3.5 + 4.8 * 200) / 210)
    assert many > one
    assert ranking.bayesian_rating(None, 0) == 3.5


def test_stuffing_penalty():
    honest = ranking.stuffing_penalty(tag_count=5, texts=["A payroll tool for small teams."])
    tags = ranking.stuffing_penalty(tag_count=14, texts=[""])
    stuffed = ranking.stuffing_penalty(tag_count=30, texts=[" ".join(["payroll"] * 40 + ["tool"] * 5)])
    assert honest == 0
    assert tags == pytest.approx(0.2)
    assert stuffed == pytest.approx(0.8)  # capped


def test_boost_blends_quality_and_penalty():
    assert ranking.boost(0.5, 0.0) == pytest.approx(1.5)
    assert ranking.boost(1.0, 0.5) == pytest.approx(1.0)


@pytest.mark.django_db
def test_filters_are_cleaned():
    assert clean_filters({"type": ["saas", "x", "saas"], "nope": ["1"], "rating": ["3", "4", "z"]}) == {
        "type": ["saas"],
        "rating": ["3"],
    }
    assert clean_filters({"trial": True, "deployment": "cloud"}) == {"trial": ["1"], "deployment": ["cloud"]}
    assert clean_filters(None) == {}


@pytest.mark.django_db
def test_requests_are_clamped():
    request = make_request(text="x" * 999, sort="evil", page="-4", per_page="10000", language="fr")
    assert len(request.text) == MAX_QUERY_LENGTH and request.sort == "relevance"
    assert request.page == 1 and request.per_page == 100 and request.language == "zh-hans"
    assert make_request(page="abc").page == 1
    assert make_request(page=10**30).page == 500
    assert make_request(language="en").currency == "USD" and make_request().currency == "CNY"


def test_rating_buckets():
    assert rating_buckets(4.2) == ["4", "3", "2", "1"]
    assert rating_buckets(2.0) == ["2", "1"]
    assert rating_buckets(None) == []


def test_highlight_escapes_and_marks():
    marked = highlight('<script>alert("x")</script> Invoice tool', ["invoice"])
    assert "<script>" not in marked and "&lt;script&gt;" in marked
    assert "<mark>Invoice</mark>" in marked
    assert highlight("nothing", ["invoice"]) is None


# --- Elasticsearch, without a server ---------------------------------------------------------
@pytest.fixture
def es_settings(settings):
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"  # never contacted: requests are only built
    settings.SEARCH_INDEX_PREFIX = "symbio-unit"
    from catalog.search import elastic

    elastic._dsl.cache_clear()
    elastic.client.cache_clear()
    yield elastic
    elastic._dsl.cache_clear()
    elastic.client.cache_clear()


@pytest.mark.django_db
def test_elasticsearch_request_shape(es_settings):
    elastic = es_settings
    request = make_request(
        text="invoice butler", filters={"type": ["saas"], "rating": ["4"]}, language="en", sort="relevance"
    )
    body = elastic.build_search(request).to_dict()
    outer = body["query"]["function_score"]
    assert outer["functions"][0]["field_value_factor"]["field"] == "stuffing_multiplier"
    inner = outer["query"]["function_score"]
    assert inner["score_mode"] == "sum" and inner["boost_mode"] == "multiply"
    assert any("exp" in f for f in inner["functions"])
    should = inner["query"]["bool"]["should"]
    assert should[1]["multi_match"]["fuzziness"] == "AUTO"  # Latin-script query
    assert {"terms": {"listing_type": ["saas"]}} in body["post_filter"]["bool"]["filter"]
    # Each facet's aggregation filters by the *other* facets only.
    type_filter = body["aggs"]["f_type"]["filter"]["bool"]["filter"]
    assert type_filter == [{"range": {"rating_average": {"gte": 4}}}]
    category_filter = body["aggs"]["f_category"]["filter"]["bool"]["filter"]
    assert len(category_filter) == 2
    chinese = elastic.build_search(make_request(text="报销")).to_dict()
    chinese_should = chinese["query"]["function_score"]["query"]["function_score"]["query"]["bool"]["should"]
    assert "fuzziness" not in chinese_should[1]["multi_match"]


@pytest.mark.django_db
def test_elasticsearch_mapping(es_settings):
    from elasticsearch.dsl import Index

    elastic = es_settings
    index = Index("unit")
    index.document(elastic.document_class())
    analysis = index.to_dict()["settings"]["analysis"]
    assert analysis["analyzer"]["symbio_cjk"] == {
        "type": "custom",
        "tokenizer": "standard",
        "filter": ["cjk_width", "lowercase", "cjk_bigram"],
    }
    properties = elastic.document_class()._doc_type.mapping.to_dict()["properties"]
    assert properties["title"]["analyzer"] == "symbio_cjk"
    assert properties["title_en"]["analyzer"] == "english"
    assert properties["categories"]["type"] == "keyword"
    assert properties["suggest"]["type"] == "completion"
    assert elastic.alias_name() == "symbio-unit-listings"


@pytest.mark.django_db
def test_elasticsearch_response_is_read_into_a_result(es_settings, monkeypatch):
    """A canned Elasticsearch answer (no server): hits, highlights, facet buckets, total."""
    from elasticsearch.dsl.response import Response

    from catalog.search.base import make_request

    elastic = es_settings
    real_build = elastic.build_search

    def canned(request, offset=None):
        search = real_build(request, offset=offset)

        class Executed:
            def execute(self):
                aggregations = {
                    f"f_{facet}": {"doc_count": 3, "by_value": {"buckets": buckets}}
                    for facet, buckets in {
                        "category": [],
                        "type": [{"key": "saas", "doc_count": 2}, {"key": "integration", "doc_count": 1}],
                        "pricing": [],
                        "trial": [{"key": 1, "key_as_string": "true", "doc_count": 1}],
                        "rating": [{"key": "4", "doc_count": 1}],
                        "industry": [],
                        "region": [],
                        "deployment": [],
                        "tier": [],
                        "kind": [],
                    }.items()
                }
                body = {
                    "hits": {
                        "total": {"value": 2, "relation": "eq"},
                        "max_score": 3.0,
                        "hits": [
                            {
                                "_index": "x",
                                "_id": "7",
                                "_score": 3.0,
                                "_source": {
                                    "listing_id": 7,
                                    "title": "发票管家",
                                    "title_en": "Invoice Butler",
                                },
                                "highlight": {"title_en": ["<mark>Invoice</mark> Butler"]},
                            },
                            {
                                "_index": "x",
                                "_id": "9",
                                "_score": 1.0,
                                "_source": {"listing_id": 9, "title": "总账", "title_en": "Ledger"},
                            },
                        ],
                    },
                    "aggregations": aggregations,
                }
                return Response(search, body)

        return Executed()

    monkeypatch.setattr(elastic, "build_search", canned)
    result = elastic.ElasticsearchEngine().search(
        make_request(text="invoice", filters={"type": ["saas"]}, language="en")
    )
    assert result.total == 2 and [h.listing_id for h in result.hits] == [7, 9]
    assert result.hits[0].highlights["title"] == "<mark>Invoice</mark> Butler"
    assert {(v.value, v.count, v.selected) for v in result.facets["type"]} == {
        ("saas", 2, True),
        ("integration", 1, False),
    }
    assert [(v.value, v.count) for v in result.facets["trial"]] == [("1", 1)]
    assert result.engine == "elasticsearch"

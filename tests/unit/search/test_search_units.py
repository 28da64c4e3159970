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

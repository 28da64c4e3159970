"""Relevance in the database engine: English stemming, the synonym and abbreviation dictionary,
typo and pinyin correction and the corrected results the search page shows."""

from __future__ import annotations

import pytest

from catalog.search import search
from tests.factories.accounts import staff_member
from tests.factories.search import publish_listing

pytestmark = pytest.mark.django_db


def ids(result):
    return [hit.listing_id for hit in result.hits]


@pytest.fixture
def contracts(catalogue, committed):
    """Two English-only listings named for contract managers, and one Chinese-only listing."""
    with committed():
        manager = publish_listing(
            catalogue.basic,
            title="Contract Manager",
            title_en="Contract Manager",
            tagline_en="Keep every contract on track",
            body_en="Templates, approvals and renewals.",
        )
        managers = publish_listing(
            catalogue.premier,
            title="Managed Contracts",
            title_en="Managed Contracts",
            tagline_en="Contracts managed for you",
        )
    return manager, managers


# --- stemming ----------------------------------------------------------------------------------
def test_english_word_forms_meet(contracts):
    manager, managers = contracts
    for query in ("contract management", "managing contracts", "contract managers"):
        found = set(ids(search(text=query, language="en")))
        assert {manager.pk, managers.pk} <= found, query
    # Stemming widens a word, not the whole query: every word must still match.
    assert ids(search(text="contract payroll", language="en")) == []


def test_stemming_reaches_descriptions_too(catalogue):
    # Ledger Pro's tagline says "accounting"; nobody wrote "accountant" or "accounts".
    assert catalogue.ledger.pk in ids(search(text="accountant", language="en"))
    assert catalogue.ledger.pk in ids(search(text="accounts", language="en"))


def test_stems_are_tokens_of_the_index():
    from catalog.search import text

    assert text.stem("management") == text.stem("manager") == text.stem("managing")
    assert text.stem("manag") in text.tokens("Contract Manager")
    assert text.stem("sso") == "sso" and text.stem("财务") == "财务"


# --- synonyms and abbreviations ----------------------------------------------------------------
@pytest.fixture
def one_language(catalogue, committed):
    """A listing described only in English and one described only in Chinese."""
    with committed():
        gateway = publish_listing(
            catalogue.basic,
            title="Identity Gateway",
            title_en="Identity Gateway",
            tagline_en="Single sign-on for every staff app",
            body_en="One password for all your company's tools.",
        )
        customers = publish_listing(
            catalogue.service,
            title="客户管家",
            tagline="中小企业的客户关系管理系统",
            body="线索、跟进与回款一处管理。",
        )
    return gateway, customers


def test_a_chinese_query_finds_an_english_listing_through_the_dictionary(one_language):
    gateway, _customers = one_language
    for query in ("单点登录", "统一身份认证", "SSO"):
        assert gateway.pk in ids(search(text=query)), query


def test_an_english_abbreviation_finds_a_chinese_listing(one_language):
    _gateway, customers = one_language
    assert customers.pk in ids(search(text="CRM"))
    assert customers.pk in ids(search(text="customer relationship management", language="en"))


def test_synonyms_widen_one_word_and_the_other_words_still_count(one_language):
    gateway, customers = one_language
    assert ids(search(text="SSO 回款")) == []
    assert ids(search(text="sso tools", language="en")) == [gateway.pk]


def test_a_group_saved_by_staff_applies_to_the_next_search(catalogue, committed):
    from catalog.models import SearchSynonym

    # Trip Desk's text never says "差旅报销"'s English; nothing is called "T&E" either.
    assert catalogue.travel.pk not in ids(search(text="tne"))
    group = SearchSynonym.objects.create(terms="TNE, business travel")
    assert catalogue.travel.pk in ids(search(text="tne"))
    group.active = False
    group.save()
    assert catalogue.travel.pk not in ids(search(text="tne"))


def test_expansion_api_for_either_engine():
    from catalog.search import synonyms

    groups = [("SSO", "single sign-on", "单点登录"), ("HR", "HRM", "人力资源")]
    found = synonyms.expand("SSO 集成", groups)
    assert found.rest == "集成" and [g.matched for g in found.groups] == ["sso"]
    assert found.variants() == ["sso 集成", "single sign-on 集成", "单点登录 集成"]
    assert synonyms.expand("hrm", groups).groups[0].terms == ("HR", "HRM", "人力资源")
    assert synonyms.expand("shrm payroll", groups).groups == ()  # words match whole
    assert [g.matched for g in synonyms.expand("人力资源外包", groups).groups] == ["人力资源"]


def test_staff_edit_the_dictionary_in_the_admin(client):

    from catalog.models import SearchSynonym

    url = "/admin/snippets/catalog/searchsynonym/"
    reviewer = staff_member("reviewer", is_staff=True)
    client.force_login(reviewer)
    listing = client.get(url)
    assert listing.status_code == 200 and "单点登录" in listing.content.decode()  # the default groups
    response = client.post(
        f"{url}add/", {"terms": "KPI，关键绩效指标\nkey performance indicator", "note": ""}
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    saved = SearchSynonym.objects.filter(terms__contains="KPI").get()
    assert saved.term_list() == ["KPI", "关键绩效指标", "key performance indicator"]
    refused = client.post(f"{url}add/", {"terms": "KPI", "note": "one term"})
    assert refused.status_code == 200 and not SearchSynonym.objects.filter(note="one term").exists()

    finance = staff_member("finance", is_staff=True)
    client.force_login(finance)
    assert client.get(url).status_code in (302, 403)


# --- typo and pinyin correction ----------------------------------------------------------------
def test_a_misspelt_word_anywhere_is_corrected_and_its_results_shown(catalogue):
    # Not a name (so not PostgreSQL's trigram pass): Ledger Pro's tagline says "consolidation".
    result = search(text="consolidaton", language="en")
    assert result.corrected == "consolidation"
    assert ids(result) == [catalogue.ledger.pk] and result.total == 1
    assert result.did_you_mean is None and not result.fuzzy
    # Asked not to correct: nothing, as typed.
    exact = search(text="consolidaton", language="en", correct=False)
    assert exact.total == 0 and exact.corrected == ""


def test_pinyin_typed_for_chinese_finds_the_chinese_words(catalogue):
    for typed, chinese in (("caiwu", "财务"), ("fapiao", "发票"), ("xin zi", "薪资")):
        result = search(text=typed)
        assert result.corrected == chinese, typed
        assert result.total and ids(result) == ids(search(text=chinese)), typed


def test_correction_keeps_good_words_and_filters(catalogue):
    result = search(text="payroll xinzi", language="en")
    assert result.corrected == "payroll 薪资" and catalogue.payroll.pk in ids(result)
    filtered = search(text="caiwu", filters={"type": ["integration"]})
    assert filtered.corrected == "财务" and ids(filtered) == [catalogue.travel.pk]


def test_nothing_to_correct_leaves_the_empty_result(catalogue):
    result = search(text="zzzqqq xylophone")
    assert result.total == 0 and result.corrected == ""


def test_the_page_shows_corrected_results_and_offers_the_typed_query(
    catalogue, client, search_urls, settings
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.SEARCH_PAGE_CACHE_SECONDS = 0
    client.get(search_urls, {"q": "caiwu", "type": "saas"})  # warm the caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(search_urls, {"q": "caiwu", "type": "saas"})
    html = response.content.decode()
    assert response.status_code == 200 and "发票管家" in html
    assert "search-corrected" in html and "<strong>财务</strong>" in html
    assert "q=caiwu&amp;type=saas&amp;exact=1" in html  # "search instead for" keeps the filters
    assert len(queries) <= 14, len(queries)
    typed = client.get(search_urls, {"q": "caiwu", "type": "saas", "exact": "1"}).content.decode()
    assert "search-corrected" not in typed and "发票管家" not in typed


def test_highlights_mark_word_forms_and_synonyms(contracts, one_language):
    manager, _managers = contracts
    gateway, _customers = one_language
    hit = next(
        h for h in search(text="contract management", language="en").hits if h.listing_id == manager.pk
    )
    assert "<mark>Contract</mark> <mark>Manager</mark>" in hit.highlights["title"]
    hit = next(h for h in search(text="单点登录", language="en").hits if h.listing_id == gateway.pk)
    assert "<mark>Single sign-on</mark>" in hit.highlights["tagline"]

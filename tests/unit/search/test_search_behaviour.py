"""What catalogue search must do, whichever engine serves it.

Every test that takes ``engine`` (directly or through ``catalogue``) runs once per engine: the
database engine always, Elasticsearch only when ``ELASTICSEARCH_URL`` is set (skipped with that
reason otherwise). The facet-count oracle below reads listings straight from the database.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from catalog.models import ListingPage, PricingModel, SearchQueryLog
from catalog.search import search, suggest
from catalog.search.analytics import flush_search_log
from catalog.search.facets import FACETS
from catalog.search.indexing import reindex_all
from catalog.selectors.listings import live_listings
from tests.factories.search import (
    build_listing,
    change_tier,
    priced_plan,
    publish,
    search_partner,
    set_rating,
    set_subscriptions,
)

pytestmark = pytest.mark.django_db


def ids(result):
    return [hit.listing_id for hit in result.hits]


def position(result, listing):
    return ids(result).index(listing.pk)


# --- relevance ---------------------------------------------------------------------------------
def test_exact_name_outranks_a_passing_mention(catalogue):
    # Ledger Pro mentions "Invoice Butler" in its description and has far better quality signals.
    for language in ("en", "zh-hans"):
        result = search(text="Invoice Butler", language=language)
        assert ids(result)[0] == catalogue.invoice.pk
        assert catalogue.ledger.pk in ids(result)


def test_chinese_name_query_finds_the_chinese_listing(catalogue):
    result = search(text="发票管家")
    assert ids(result)[0] == catalogue.invoice.pk


def test_two_character_chinese_word_inside_a_description(catalogue):
    # "报销" appears only inside the descriptions of Trip Desk (…费用报销流程…) and Invoice Butler.
    result = search(text="报销")
    assert set(ids(result)) == {catalogue.travel.pk, catalogue.invoice.pk}
    # "库存" is only a two-character window of "数据库存储" in Trip Desk's description.
    assert ids(search(text="库存")) == [catalogue.travel.pk]


def test_chinese_query_of_several_words_must_match_all(catalogue):
    assert ids(search(text="员工出差审批")) == [catalogue.travel.pk]
    assert ids(search(text="员工 发票")) == []


def test_english_plurals_fold(catalogue):
    assert catalogue.invoice.pk in ids(search(text="invoices"))
    assert catalogue.crm_app.pk in ids(search(text="opportunity"))


def test_misspelt_english_name_still_finds_its_listing(catalogue):
    if catalogue.engine.name == "database" and connection.vendor != "postgresql":
        pytest.skip("typo tolerance needs PostgreSQL trigrams (or Elasticsearch)")
    result = search(text="Invoce Butler", language="en")  # one letter missing
    assert catalogue.invoice.pk in ids(result)
    assert ids(result)[0] == catalogue.invoice.pk


def test_stuffed_listing_does_not_outrank_an_honest_one(catalogue):
    # Both are named "Payroll …"; the stuffed one repeats the word, carries 24 tags and has
    # better rating and subscriptions — the penalty still keeps it below.
    for language in ("en", "zh-hans"):
        result = search(text="payroll", language=language)
        assert position(result, catalogue.payroll) < position(result, catalogue.stuffed)


def test_highlights_mark_the_query(catalogue):
    result = search(text="Butler", language="en")
    hit = next(h for h in result.hits if h.listing_id == catalogue.invoice.pk)
    assert "<mark>Butler</mark>" in hit.highlights["title"]


# --- facets ------------------------------------------------------------------------------------
def _listing_facets(page) -> dict[str, set[str]]:
    """A listing's facet values, read from the database (the oracle)."""
    categories = set()
    for category in page.categories.all():
        node = category
        while node is not None:
            categories.add(node.slug)
            node = node.parent
    models = {p.pricing_model for p in page.plans.all()}
    rating = float(page.rating_average) if page.rating_average is not None else None
    return {
        "category": categories,
        "type": {page.listing_type},
        "pricing": models,
        "trial": {"1"} if PricingModel.FREE_TRIAL in models else set(),
        "rating": {t for t in ("1", "2", "3", "4") if rating is not None and rating >= int(t)},
        "industry": {i.slug for i in page.industries.all()},
        "region": {r.code for r in page.regions.all()},
        "deployment": {page.deployment},
        "tier": {page.partner.tier.slug} if page.partner and page.partner.tier else set(),
        "kind": {page.partner.kind} if page.partner else set(),
    }


def _expected_counts(filters: dict, matching_ids=None) -> dict[str, Counter]:
    pages = live_listings().prefetch_related("categories__parent", "plans", "industries", "regions")
    rows = [(p.pk, _listing_facets(p)) for p in pages if matching_ids is None or p.pk in matching_ids]
    expected = {}
    for facet in FACETS:
        counts = Counter()
        for _pk, values in rows:
            others_ok = all(values[key] & set(wanted) for key, wanted in filters.items() if key != facet.key)
            if others_ok:
                counts.update(values[facet.key])
        expected[facet.key] = counts
    return expected


FILTER_COMBINATIONS = [
    {},
    {"type": ["saas"]},
    {"type": ["saas", "integration"]},
    {"category": ["finance"], "region": ["east"]},
    {"tier": ["premier"], "industry": ["retail", "manufacturing"], "pricing": ["free", "per_seat"]},
    {"rating": ["4"], "kind": ["isv"]},
    {"trial": ["1"]},
    {"deployment": ["cloud", "hybrid"], "category": ["hr", "crm"]},
]


@pytest.mark.parametrize("filters", FILTER_COMBINATIONS, ids=lambda f: json.dumps(f, sort_keys=True))
def test_facet_counts_equal_counts_computed_from_the_database(catalogue, filters):
    result = search(filters=filters, per_page=100)
    expected = _expected_counts(filters)
    for facet in FACETS:
        got = {fv.value: fv.count for fv in result.facets[facet.key] if fv.count}
        want = {value: n for value, n in expected[facet.key].items() if n}
        assert got == want, facet.key
        for fv in result.facets[facet.key]:
            assert fv.selected == (fv.value in filters.get(facet.key, []))
    # And the hits are exactly the listings that satisfy every filter.
    everything = _expected_counts({})
    assert everything  # oracle sanity
    pages = live_listings().prefetch_related("categories__parent", "plans", "industries", "regions")
    matching = {
        p.pk for p in pages if all(_listing_facets(p)[key] & set(wanted) for key, wanted in filters.items())
    }
    assert set(ids(result)) == matching
    assert result.total == len(matching)


def test_facet_counts_with_text_reflect_the_text_match(catalogue):
    result = search(text="报销", filters={"region": ["north"]})
    expected = _expected_counts(
        {"region": ["north"]}, matching_ids={catalogue.travel.pk, catalogue.invoice.pk}
    )
    region = {fv.value: fv.count for fv in result.facets["region"] if fv.count}
    assert region == {k: v for k, v in expected["region"].items() if v}
    assert ids(result) == [catalogue.travel.pk]


def test_or_within_a_facet_and_across_facets(catalogue):
    saas = set(ids(search(filters={"type": ["saas"]})))
    integration = set(ids(search(filters={"type": ["integration"]})))
    either = set(ids(search(filters={"type": ["saas", "integration"]})))
    assert either == saas | integration and saas and integration
    east = set(ids(search(filters={"region": ["east"]})))
    both = set(ids(search(filters={"type": ["saas", "integration"], "region": ["east"]})))
    assert both == either & east


def test_unknown_facet_values_are_ignored(catalogue):
    result = search(
        filters={"type": ["nope"], "colour": ["red"], "rating": ["9", "x"], "category": ["finance"]}
    )
    assert result.filters == {"category": ["finance"]}
    assert result.total == 3


# --- sorts -------------------------------------------------------------------------------------
def test_rating_sort_uses_the_bayesian_average(catalogue):
    # Invoice Butler: one 5★ review; Ledger Pro: 200 reviews averaging 4.8.
    result = search(sort="rating", per_page=100)
    assert position(result, catalogue.ledger) < position(result, catalogue.invoice)
    assert ids(result)[0] == catalogue.stuffed.pk  # 300 reviews at 4.9


def test_newest_most_subscribed_and_price_sorts(catalogue):
    newest = ids(search(sort="newest", per_page=100))
    assert newest[0] == catalogue.crm_app.pk  # published last
    subscribed = ids(search(sort="subscribed", per_page=100))
    assert subscribed[:2] == [catalogue.stuffed.pk, catalogue.ledger.pk]
    cny = ids(search(sort="price", currency="CNY", per_page=100))
    # Free (0) < stuffed 10 < payroll 20 < invoice 199 < ledger 999; contact-sales only: last.
    assert cny == [
        catalogue.travel.pk,
        catalogue.stuffed.pk,
        catalogue.payroll.pk,
        catalogue.invoice.pk,
        catalogue.ledger.pk,
        catalogue.crm_app.pk,
    ]
    usd = ids(search(sort="price", currency="USD", per_page=100))
    assert usd[0] == catalogue.travel.pk and usd[-1] == catalogue.crm_app.pk


def test_pagination_is_stable(engine, committed):
    partner = search_partner()
    with committed():
        made = [
            build_listing(partner, title=f"同名应用 {i}", title_en=f"Same App {i}", live=True)
            for i in range(23)
        ]
        reindex_all()
    for query in ("", "Same App"):
        seen = []
        for page in range(1, 5):
            result = search(text=query, page=page, per_page=7)
            assert result.total == 23 and result.pages == 4
            seen += ids(result)
        assert len(seen) == len(set(seen)) == 23
        assert set(seen) == {p.pk for p in made}
    # Past the last page: the last page, not an error.
    assert search(page=99, per_page=7).page == 4


# --- autocomplete -------------------------------------------------------------------------------
def test_autocomplete_gives_at_most_ten_in_both_languages(engine, committed):
    partner = search_partner()
    with committed():
        for i in range(14):
            build_listing(partner, title=f"阿尔法工具 {i}", title_en=f"Alpha Tool {i}", live=True)
        reindex_all()
    english = suggest("alpha", language="en")
    chinese = suggest("阿尔法", language="zh-hans")
    assert 0 < len(english) <= 10 and 0 < len(chinese) <= 10
    assert all(item["label"].startswith("Alpha Tool") for item in english if item["kind"] == "listing")
    assert all(item["label"].startswith("阿尔法工具") for item in chinese if item["kind"] == "listing")
    # The other language's name comes along, and the URL is the listing's own.
    first = english[0]
    assert first["alt"].startswith("阿尔法工具") and first["url"].startswith("/en/")
    page = ListingPage.objects.get(pk=int(chinese[0]["value"]))
    assert chinese[0]["url"] == page.get_url()


def test_autocomplete_offers_categories(catalogue):
    kinds = {(item["kind"], item["value"]) for item in suggest("fin", language="en")}
    assert ("category", "finance") in kinds
    assert ("category", "finance") in {(i["kind"], i["value"]) for i in suggest("财务", language="zh-hans")}


# --- indexing follows the catalogue --------------------------------------------------------------
def test_index_follows_publish_edit_unpublish_and_delete(engine, committed):
    partner = search_partner()
    with committed():
        page = build_listing(partner, title="蓝鲸监控", title_en="Blue Whale Monitor")
    assert ids(search(text="Blue Whale")) == []  # a draft is not searchable
    with committed():
        page = publish(page)
    assert ids(search(text="Blue Whale")) == [page.pk]
    with committed():
        page.title_en = "Orca Monitor"
        page.save_revision()  # a draft edit changes nothing public …
    assert ids(search(text="Blue Whale")) == [page.pk]
    with committed():
        ListingPage.objects.get(pk=page.pk).get_latest_revision().publish()  # … until published
    assert ids(search(text="Orca")) == [page.pk]
    assert ids(search(text="Blue Whale")) == []
    with committed():
        ListingPage.objects.get(pk=page.pk).unpublish()
    assert ids(search(text="Orca")) == []
    with committed():
        publish(page)
    assert ids(search(text="Orca")) == [page.pk]
    with committed():
        ListingPage.objects.get(pk=page.pk).delete()
    assert ids(search(text="Orca")) == []


def test_index_follows_rating_subscription_and_tier_changes(catalogue, committed):
    assert catalogue.travel.pk not in ids(search(filters={"rating": ["3"]}))  # no reviews yet
    with committed():
        set_rating(catalogue.travel, "3.5", 40)
    assert catalogue.travel.pk in ids(search(filters={"rating": ["3"]}))
    assert catalogue.travel.pk not in ids(search(filters={"rating": ["4"]}))
    with committed():
        set_subscriptions(catalogue.payroll, 5000)
    assert ids(search(sort="subscribed"))[0] == catalogue.payroll.pk
    assert catalogue.invoice.pk not in ids(search(filters={"tier": ["premier"]}))
    with committed():
        change_tier(catalogue.basic, 3, "premier")
    premier = set(ids(search(filters={"tier": ["premier"]})))
    assert {catalogue.invoice.pk, catalogue.payroll.pk} <= premier


def test_reindex_rebuilds_everything_and_drops_strays(catalogue, committed):
    from catalog.search import get_engine

    before = get_engine().count()
    calls = []
    assert reindex_all(progress=lambda done, total: calls.append((done, total))) == before == 6
    assert calls[0] == (0, 6) and calls[-1] == (6, 6)
    # Delisted behind the index's back (no signal): the next rebuild drops it.
    ListingPage.objects.filter(pk=catalogue.crm_app.pk).update(live=False)
    reindex_all()
    assert get_engine().count() == 5
    assert catalogue.crm_app.pk not in ids(search(per_page=100))


# --- the search page ------------------------------------------------------------------------------
BAD_QUERIES = [
    {"q": "x" * 5000},
    {"q": "报销" * 300},
    {"page": "-3"},
    {"page": "0"},
    {"page": "abc"},
    {"page": "1e9"},
    {"page": "99999999999999999999999999"},
    {"page": ["1", "2"]},
    {"type": "unknown"},
    {"type": ["saas", "saas", "x" * 500]},
    {"rating": "9"},
    {"rating": "-1"},
    {"rating": "abc"},
    {"sort": "'; DROP TABLE catalog_searchdocument; --"},
    {"currency": "XBT"},
    {"q": "' OR 1=1 --"},
    {"q": "<script>alert(1)</script>"},
    {"q": "a\x00b"},
    {"q": "%", "category": "%"},
    {"q": "_"},
    {"q": "|finance|"},
    {"q": "& | ! : * ( ) < >"},
    {"q": "\u200b\ufeff"},
    {"tier": ["premier", "premier"], "trial": "yes"},
]


@pytest.mark.parametrize("params", BAD_QUERIES, ids=lambda p: json.dumps(p)[:40])
def test_bad_input_never_breaks_the_search_page(catalogue, client, search_urls, params):
    response = client.get(search_urls, params)
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert b"search-app" in response.content
        assert b"<script>alert(1)</script>" not in response.content


def test_search_page_shows_results_facets_and_links_to_canonical_urls(catalogue, client, search_urls):
    response = client.get(search_urls, {"q": "报销", "type": ["saas", "integration"]})
    assert response.status_code == 200
    html = response.content.decode()
    for page in (catalogue.travel, catalogue.invoice):
        assert f'href="{page.get_url()}"' in html
    assert 'name="type" value="saas" checked' in html
    assert 'id="facet-region-east"' in html
    flush_search_log()  # an anonymous visitor's search is queued (docs/caching.md)
    assert SearchQueryLog.objects.filter(normalised="报销", result_count=2).exists()


def test_search_page_in_english(catalogue, client, search_urls):
    response = client.get("/en" + search_urls, {"q": "payroll"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Payroll Pilot" in html
    assert f'href="{catalogue.payroll.get_url()}"' not in html or catalogue.payroll.get_url().startswith(
        "/en/"
    )


def test_htmx_request_gets_the_fragment(catalogue, client, search_urls):
    response = client.get(search_urls, {"q": "发票"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="search-app"') and "<html" not in html


def test_no_results_offers_did_you_mean_and_popular_categories(catalogue, client, search_urls):
    response = client.get(search_urls, {"q": "Ledgr Proo zzz"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Popular categories" in html or "热门分类" in html
    empty = search(text="薪资助理")  # no listing has "助理"; "薪资助手" is one character away
    assert empty.total == 0 and empty.did_you_mean == "薪资助手"


def test_typos_are_forgiven_on_latin_queries(catalogue):
    if catalogue.engine.name == "database" and connection.vendor != "postgresql":
        pytest.skip("typo tolerance needs PostgreSQL trigrams (or Elasticsearch)")
    result = search(text="Paroll Pilott", language="en")
    assert ids(result)[0] == catalogue.payroll.pk
    if catalogue.engine.name == "database":
        assert result.fuzzy and result.did_you_mean == "Payroll Pilot"


def test_suggest_endpoint(catalogue, client, search_urls):
    with translation.override("zh-hans"):
        url = reverse("search_suggest")
    data = client.get(url, {"q": "发票"}).json()
    assert 0 < len(data["suggestions"]) <= 10
    assert data["suggestions"][0]["url"] == catalogue.invoice.get_url()
    assert client.get(url, {"q": ""}).json()["suggestions"] == []
    assert client.get(url, {"q": "x" * 5000}).status_code == 200
    english = client.get("/en" + url, {"q": "invoice"}).json()["suggestions"]
    assert english[0]["label"] == "Invoice Butler"


def test_click_logs_and_redirects_only_to_live_listings(catalogue, client, search_urls):
    with translation.override("zh-hans"):
        url = reverse("search_click")
    response = client.get(url, {"q": "发票", "listing": catalogue.invoice.pk, "pos": 1})
    assert response.status_code == 302 and response["Location"] == catalogue.invoice.get_url()
    from catalog.models import SearchClick

    assert SearchClick.objects.filter(listing_id=catalogue.invoice.pk, position=1, normalised="发票").exists()
    assert client.post(url, {"listing": catalogue.invoice.pk, "pos": 2}).status_code == 204
    assert client.get(url, {"listing": "https://evil.example/"}).status_code == 400
    assert client.get(url, {"listing": "//evil.example"}).status_code == 400
    assert client.get(url, {}).status_code == 400
    assert client.get(url, {"listing": 999999}).status_code == 404
    draft = build_listing(catalogue.basic, title="草稿", title_en="Draft")
    assert client.get(url, {"listing": draft.pk}).status_code == 404


def test_search_page_queries_are_bounded(engine, client, search_urls, committed, settings):
    """The same number of SQL queries for 10 and for 60 listings (the page cache off: the
    search itself is measured)."""
    settings.SEARCH_PAGE_CACHE_SECONDS = 0
    settings.FRAGMENT_CACHE_SECONDS = 0  # and the fragment caches (core.fragments) off
    partner = search_partner()
    counts = []
    for target in (10, 60):
        with committed():
            existing = live_listings().count()
            for i in range(existing, target):
                build_listing(
                    partner,
                    title=f"数据应用 {i}",
                    title_en=f"Data App {i}",
                    body="数据分析与报表",
                    plans=[
                        priced_plan(cny=str(10 + i), usd=str(2 + i)),
                        priced_plan(PricingModel.FREE_TRIAL, trial_days=7),
                    ],
                    live=True,
                )
            reindex_all()
        params = {"q": "数据", "type": "saas", "trial": "1", "sort": "rating"}
        client.get(search_urls, params)  # warm the label and site caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(search_urls, params)
        assert response.status_code == 200
        counts.append(len(queries))
        page2 = client.get(search_urls, {**params, "page": 2})
        assert page2.status_code == 200
    assert counts[0] == counts[1], counts
    assert counts[1] <= 12, counts

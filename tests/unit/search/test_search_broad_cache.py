"""Broad words kept per index version (``catalog.search.database.broad``): the second search of
a broad text reads its page of hits and its ids from the scan kept by the first, and must
answer exactly as the scan does — same hits in the same order, scores, total, pages and facet
counts — for every query, filter, sort and page; and a change to the index, or to the ranking
weights, must never be answered from an older scan.

``SEARCH_BITSET_MIN_HITS`` is lowered so the small catalogue's texts count as broad.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.search import search
from catalog.search.base import bump_index_version
from catalog.search.database import broad
from tests.factories.search import publish_listing
from tests.unit.search.test_search_behaviour import FILTER_COMBINATIONS
from tests.unit.search.test_search_broad import _answer

pytestmark = pytest.mark.django_db

QUERIES = ["管理", "payroll", "invoice butler", "Invoice", "发票", "expense management", "报销 审批", "sales"]


@pytest.fixture(autouse=True)
def _postgres_only(db, settings):
    if connection.vendor != "postgresql":
        pytest.skip("the kept scans are PostgreSQL's")
    settings.SEARCH_BITSET_MIN_HITS = 1
    bump_index_version()  # rolled-back tests change rows without a bump
    broad._local.clear()


def _scans(fn) -> tuple[object, int]:
    """``fn()``'s result and how many statements ranked documents (``ts_rank``)."""
    with CaptureQueriesContext(connection) as queries:
        result = fn()
    return result, sum("ts_rank" in q["sql"] for q in queries.captured_queries)


def _kept_and_scanned(settings, **kwargs) -> tuple[dict, dict, dict]:
    """(the scan's answer with keeping off, the first answer with it on, the second)."""
    settings.SEARCH_BROAD_CACHE = False
    scanned = _answer(search(**kwargs))
    settings.SEARCH_BROAD_CACHE = True
    first = _answer(search(**kwargs))
    second = _answer(search(**kwargs))
    return scanned, first, second


@pytest.mark.parametrize("text", QUERIES)
def test_kept_scan_gives_the_scans_answer_on_every_page(catalogue, settings, text):
    for per_page in (1, 2, 5):
        for page in (1, 2, 3, 7):
            scanned, first, second = _kept_and_scanned(settings, text=text, page=page, per_page=per_page)
            assert first == scanned, (text, per_page, page)
            assert second == scanned, (text, per_page, page)


@pytest.mark.parametrize("text", ["管理", "payroll", "发票"])
@pytest.mark.parametrize("sort", ["relevance", "rating", "newest", "subscribed", "price"])
def test_kept_ids_give_the_same_counts_under_filters_and_sorts(catalogue, settings, text, sort):
    for filters in FILTER_COMBINATIONS:
        settings.SEARCH_BROAD_CACHE = False
        scanned = _answer(search(text=text, filters=filters, sort=sort, per_page=2))
        settings.SEARCH_BROAD_CACHE = True
        search(text=text)  # keeps the text's scan
        kept = _answer(search(text=text, filters=filters, sort=sort, per_page=2))
        assert kept == scanned, (filters, sort)


def test_the_second_search_does_not_scan(catalogue, settings):
    first, first_scans = _scans(lambda: search(text="管理", per_page=2))
    second, second_scans = _scans(lambda: search(text="管理", page=2, per_page=2))
    assert first_scans == 1 and second_scans == 0
    assert first.total == second.total > 2
    settings.SEARCH_BROAD_CACHE = False
    _again, scans = _scans(lambda: search(text="管理", per_page=2))
    assert scans == 1


def test_pages_past_the_kept_positions_are_scanned(catalogue, settings, monkeypatch):
    monkeypatch.setattr(broad, "RANKED", 3)
    search(text="管理", per_page=1)
    kept, kept_scans = _scans(lambda: search(text="管理", page=3, per_page=1))
    past, past_scans = _scans(lambda: search(text="管理", page=2, per_page=2))
    assert (kept_scans, past_scans) == (0, 1)
    settings.SEARCH_BROAD_CACHE = False
    assert _answer(past) == _answer(search(text="管理", page=2, per_page=2))
    assert _answer(kept) == _answer(search(text="管理", page=3, per_page=1))


def test_texts_below_the_threshold_are_not_kept(catalogue, settings):
    settings.SEARCH_BITSET_MIN_HITS = 10**9
    search(text="管理")
    _result, scans = _scans(lambda: search(text="管理"))
    assert scans == 1


def test_a_change_to_the_index_is_never_answered_from_an_older_scan(catalogue, settings, committed):
    before = search(text="管理", per_page=100)
    with committed():
        page = publish_listing(catalogue.basic, title="管理大师", tagline="管理一切")
    after = search(text="管理", per_page=100)
    assert after.total == before.total + 1
    assert after.hits[0].listing_id == page.pk  # name and tagline match: ranked first
    settings.SEARCH_BROAD_CACHE = False
    assert _answer(search(text="管理", per_page=100)) == _answer(after)


def test_other_ranking_weights_are_another_scan(catalogue, settings):
    search(text="管理", per_page=100)
    ranking = {
        **settings.SEARCH_RANKING,
        "field_weights": {"name": 0.1, "tagline": 1.0, "meta": 0.2, "body": 0.1},
    }
    settings.SEARCH_RANKING = ranking
    reweighted, scans = _scans(lambda: search(text="管理", per_page=100))
    assert scans == 1
    settings.SEARCH_BROAD_CACHE = False
    assert _answer(reweighted) == _answer(search(text="管理", per_page=100))

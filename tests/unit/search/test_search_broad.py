"""Broad words on PostgreSQL: the page of hits and the ids from one scan, and the total and facet
counts from bitsets (``catalog.search.database.bitsets``), must answer exactly as the SQL path
does — same hits in the same order, same total, same facet counts — and follow index changes.

``SEARCH_BITSET_MIN_HITS`` is lowered so the small catalogue counts as broad (the word used
matches most of it); the same searches with the threshold out of reach take the SQL path.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from catalog.search import search
from catalog.search.base import bump_index_version
from catalog.search.database import bitsets
from catalog.search.facets import FACETS
from tests.factories.search import build_listing, priced_plan, publish
from tests.unit.search.test_search_behaviour import FILTER_COMBINATIONS, _expected_counts

pytestmark = pytest.mark.django_db

BROAD = "管理"  # in most of the catalogue's listings (names, taglines, categories)
SQL_ONLY = 10**9


@pytest.fixture(autouse=True)
def _postgres_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("the bitset path is PostgreSQL's")
    # Each test starts from a fresh snapshot: rolled-back tests change rows without a bump.
    bump_index_version()


def _answer(result) -> dict:
    return {
        "total": result.total,
        "pages": result.pages,
        "hits": [hit.listing_id for hit in result.hits],
        "scores": [round(hit.score, 9) for hit in result.hits],
        "facets": {
            key: [(fv.value, fv.count, fv.selected) for fv in values] for key, values in result.facets.items()
        },
    }


def _both(**kwargs) -> tuple[dict, dict]:
    """The SQL answer, then the bitsets' (``override_settings`` for each call: the ``settings``
    fixture would stack a layer per assignment for the rest of the test)."""
    with override_settings(SEARCH_BITSET_MIN_HITS=SQL_ONLY, SEARCH_BITSET_FILTERED_MIN_HITS=SQL_ONLY):
        slow = _answer(search(**kwargs))
        with override_settings(SEARCH_BITSET_MIN_HITS=1):
            fast = _answer(search(**kwargs))
    return slow, fast


def test_the_word_is_broad(catalogue):
    everything = search(per_page=100).total
    assert search(text=BROAD, per_page=100).total * 2 > everything


@pytest.mark.parametrize("filters", FILTER_COMBINATIONS, ids=lambda f: json.dumps(f, sort_keys=True))
def test_fast_path_gives_the_sql_answer(catalogue, filters):
    slow, fast = _both(text=BROAD, filters=filters, per_page=3)
    assert fast == slow


@pytest.mark.parametrize("sort", ["relevance", "rating", "newest", "subscribed", "price"])
def test_fast_path_gives_the_sql_answer_for_every_sort_and_page(catalogue, sort):
    for page in (1, 2, 99):
        slow, fast = _both(text=BROAD, sort=sort, page=page, per_page=2)
        assert fast == slow, (sort, page)


def test_fast_counts_equal_counts_computed_from_the_database(catalogue, settings):
    settings.SEARCH_BITSET_MIN_HITS = SQL_ONLY
    settings.SEARCH_BITSET_FILTERED_MIN_HITS = SQL_ONLY
    matching = {hit.listing_id for hit in search(text=BROAD, per_page=100).hits}
    settings.SEARCH_BITSET_MIN_HITS = 1
    filters = {"type": ["saas"], "region": ["east", "north"]}
    result = search(text=BROAD, filters=filters, per_page=100)
    expected = _expected_counts(filters, matching_ids=matching)
    for facet in FACETS:
        got = {fv.value: fv.count for fv in result.facets[facet.key] if fv.count}
        assert got == {value: n for value, n in expected[facet.key].items() if n}, facet.key


def test_fast_path_counts_without_a_counting_statement(catalogue, settings):
    settings.SEARCH_BITSET_MIN_HITS = 1
    search(text=BROAD)  # the snapshot is built on first use
    with CaptureQueriesContext(connection) as queries:
        result = search(text=BROAD)
    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert result.total and result.facets["category"]
    assert not any("GROUP BY" in sql or "COUNT(" in sql.upper() for sql in statements), statements
    assert len(statements) <= 4  # jit off, hits + ids, display text (no facet statement)


def test_snapshot_follows_the_index(catalogue, settings, committed):
    settings.SEARCH_BITSET_MIN_HITS = 1
    before = search(text=BROAD, per_page=100)
    with committed():
        page = build_listing(
            catalogue.basic,
            title="管理新秀",
            title_en="Fresh Manager",
            tagline="新的管理工具",
            body="管理一切。",
            categories=[catalogue.hr],
            plans=[priced_plan(cny="9", usd="1")],
        )
        publish(page)
    after = search(text=BROAD, per_page=100)
    assert after.total == before.total + 1
    assert page.pk in {hit.listing_id for hit in after.hits}
    hr = {fv.value: fv.count for fv in after.facets["category"]}
    assert hr["hr"] == {fv.value: fv.count for fv in before.facets["category"]}.get("hr", 0) + 1
    settings.SEARCH_BITSET_MIN_HITS = SQL_ONLY
    assert _answer(search(text=BROAD, per_page=100)) == _answer(after)


def test_a_hit_the_snapshot_does_not_know_falls_back_to_sql(catalogue, settings):
    settings.SEARCH_BITSET_MIN_HITS = 1
    snap = bitsets.snapshot()
    assert snap.mask(snap.ids[:2]) is not None
    assert snap.mask(snap.ids[:1] * 0 - 5) is None  # an id it has never seen

"""Text with filters on PostgreSQL (the search page's usual request): the ids of the candidates
(the text and every filter but at most one) fetched in one statement, the total and every facet's
counts from bitsets whatever their number, the page of hits with no window count
(``catalog.search.database.bitsets``, ``SEARCH_BITSET_FILTERED_MIN_HITS``) — the same hits in the
same order, totals, counts, corrections and relaxations as the SQL path, over many queries;
and the relaxed query's term counts, kept per index version.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from catalog.models import SearchDocument
from catalog.search import search
from catalog.search.base import bump_index_version
from catalog.search.database import bitsets, broad
from catalog.search.database.query import RelaxedMatch
from tests.unit.search.test_search_behaviour import FILTER_COMBINATIONS
from tests.unit.search.test_search_broad import _answer as broad_answer

pytestmark = pytest.mark.django_db

OFF = 10**9
TEXTS = [
    "管理",
    "发票",
    "payroll",
    "薪资",
    "invoice",
    "报销 发票",
    "员工 发票",
    "payroll 发票",
    "fapiao",
    "paroll",
]
MORE_FILTERS = [
    {"category": ["hr"]},
    {"category": ["finance"]},
    {"rating": ["4", "3"], "type": ["saas"], "region": ["east"]},
    {"region": ["north"], "trial": ["1"], "kind": ["isv", "service"]},
    {"tier": ["nonexistent"], "type": ["saas"]},
]


@pytest.fixture(autouse=True)
def _postgres_only(db, settings):
    if connection.vendor != "postgresql":
        pytest.skip("the bitset path is PostgreSQL's")
    settings.SEARCH_BROAD_CACHE = False  # the candidates' path, not a broad word's kept ids
    settings.SEARCH_BITSET_MIN_HITS = OFF
    bump_index_version()  # rolled-back tests change rows without a bump
    broad._local.clear()
    broad._latest.clear()
    bitsets._local.clear()


def _answer(result) -> dict:
    """``test_search_broad``'s answer, and what a correction or relaxation changes."""
    return {
        **broad_answer(result),
        "page": result.page,
        "did_you_mean": result.did_you_mean,
        "corrected": result.corrected,
        "relaxed": result.relaxed,
        "fuzzy": result.fuzzy,
    }


def _both(**kwargs) -> tuple[dict, dict]:
    """The answer without and with the filtered bitsets (``override_settings`` for each call: the
    ``settings`` fixture would stack a layer per assignment for the rest of the test)."""
    with override_settings(SEARCH_BITSET_FILTERED_MIN_HITS=OFF):
        slow = _answer(search(**kwargs))
    with override_settings(SEARCH_BITSET_FILTERED_MIN_HITS=0):
        fast = _answer(search(**kwargs))
    return slow, fast


@pytest.mark.parametrize("text", TEXTS)
def test_filtered_counts_give_the_sql_answer_for_many_queries(catalogue, text):
    for filters in [*FILTER_COMBINATIONS, *MORE_FILTERS]:
        for relax in (False, True):
            slow, fast = _both(text=text, filters=filters, per_page=3, relax=relax)
            assert fast == slow, (text, filters, relax)


@pytest.mark.parametrize("sort", ["relevance", "rating", "newest", "subscribed", "price"])
def test_filtered_counts_give_the_sql_answer_for_every_sort_and_page(catalogue, sort):
    for filters in ({}, {"type": ["saas"]}, {"category": ["hr", "finance"], "region": ["east"]}):
        for page in (1, 2, 99):
            slow, fast = _both(text="管理", filters=filters, sort=sort, page=page, per_page=2)
            assert fast == slow, (sort, filters, page)


def test_filtered_search_counts_without_a_counting_statement(catalogue, settings):
    settings.SEARCH_BITSET_FILTERED_MIN_HITS = 0
    filters = {"category": ["hr", "finance"], "region": ["east"], "type": ["saas"]}
    search(text="管理", filters=filters)  # the snapshot is built on first use
    with CaptureQueriesContext(connection) as queries:
        result = search(text="管理", filters=filters)
    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert result.facets["category"]
    assert not any("GROUP BY" in sql or "OVER" in sql for sql in statements), statements
    assert sum("string_agg(int4send" in sql for sql in statements) == 1  # the candidates' ids


def test_nothing_found_with_filters_reads_no_page_and_still_blames_the_filters(catalogue, settings):
    settings.SEARCH_BITSET_FILTERED_MIN_HITS = 0
    filters = {"category": ["crm"], "type": ["saas"], "region": ["east"]}
    with CaptureQueriesContext(connection) as queries:
        result = search(text="payroll", filters=filters)
    assert result.total == 0 and not result.did_you_mean and not result.corrected
    assert not any("ts_rank" in q["sql"] for q in queries.captured_queries)  # no page of hits read
    settings.SEARCH_BITSET_FILTERED_MIN_HITS = OFF
    assert _answer(search(text="payroll", filters=filters)) == _answer(result)


def test_relaxed_term_counts_are_exact_and_kept_per_index_version(catalogue):
    match = RelaxedMatch("员工 发票")
    n, per_term = match._head_counts()
    assert n == SearchDocument.objects.count()
    for index, found in enumerate(per_term):  # the narrowed count is the whole table's
        assert found == SearchDocument.objects.filter(match._head_q(index)).count()
    with CaptureQueriesContext(connection) as queries:
        again = RelaxedMatch("员工 发票")
    assert again.weights == match.weights
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)
    bump_index_version()
    with CaptureQueriesContext(connection) as queries:
        RelaxedMatch("员工 发票")
    assert any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)


def test_sql_path_is_taken_when_the_planner_expects_few(catalogue, settings):
    settings.SEARCH_BITSET_FILTERED_MIN_HITS = OFF
    with CaptureQueriesContext(connection) as queries:
        search(text="管理", filters={"type": ["saas"], "region": ["east"]})
    assert any("GROUP BY" in q["sql"] for q in queries.captured_queries)


def test_remembered_scan_digest_is_the_compiled_one(catalogue, settings):
    """``broad._digest`` remembers digests per process: always the digest of the scan's SQL as
    compiled now, another one when the ranking settings or the words change."""
    from catalog.search.database.query import TextMatch

    def fresh(match):
        broad._digests.clear()
        return broad._digest(match)

    for text in ("管理", "payroll", "报销 发票"):
        match = TextMatch(text)
        first = fresh(match)
        assert broad._digest(TextMatch(text)) == first  # remembered
    before = broad._digest(TextMatch("管理"))
    settings.SEARCH_RANKING = {**getattr(settings, "SEARCH_RANKING", {}), "exact_name_bonus": 7.5}
    assert broad._digest(TextMatch("管理")) == fresh(TextMatch("管理")) != before
    assert broad._digest(TextMatch("发票")) != broad._digest(TextMatch("管理"))


def test_a_large_index_fetches_the_candidates_without_asking_the_planner(catalogue, settings, monkeypatch):
    settings.SEARCH_BITSET_FILTERED_MIN_HITS = 0
    filters = {"category": ["hr", "finance"], "region": ["east"], "type": ["saas"]}
    search(text="管理", filters=filters)  # builds this process's snapshot
    settings.SEARCH_BITSET_FILTERED_MIN_HITS = 1
    monkeypatch.setattr(bitsets, "LARGE_INDEX", 1)
    for text in ("管理", "payroll", "报销 发票"):
        with CaptureQueriesContext(connection) as queries:
            fast = _answer(search(text=text, filters=filters, relax=True))
        assert not any(q["sql"].startswith("EXPLAIN") for q in queries.captured_queries)
        settings.SEARCH_BITSET_FILTERED_MIN_HITS = OFF  # and the SQL path (never "large" then)
        assert _answer(search(text=text, filters=filters, relax=True)) == fast, text
        settings.SEARCH_BITSET_FILTERED_MIN_HITS = 1

"""Broad words after an index write (``catalog.search.database.changes``): the scan kept for a
broad text and the facet bitsets of an earlier index version are brought up to date with the
documents written or removed since, instead of being rebuilt — and must answer exactly as the
engine's normal path does (no kept scans, facet counts in SQL) for every page, filter and sort,
after new listings, changed listings and removed ones; a write that is not noted (not
committed, or a bump that names no documents) is never bridged.

``SEARCH_BITSET_MIN_HITS`` is lowered so the small catalogue's texts count as broad.
"""

from __future__ import annotations

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from catalog.models import ListingPage
from catalog.search import search
from catalog.search.base import bump_index_version
from catalog.search.database import bitsets, broad, changes
from catalog.search.indexing import index_listings, remove_listings
from tests.factories.search import publish, publish_listing
from tests.unit.search.test_search_behaviour import FILTER_COMBINATIONS
from tests.unit.search.test_search_broad import _answer

pytestmark = pytest.mark.django_db

SORTS = ["relevance", "rating", "newest", "subscribed", "price"]


@pytest.fixture(autouse=True)
def _postgres_only(db, settings):
    if connection.vendor != "postgresql":
        pytest.skip("the kept scans and bitsets are PostgreSQL's")
    settings.SEARCH_BITSET_MIN_HITS = 1
    bump_index_version()  # rolled-back tests change rows without a bump (and without a note)
    broad._local.clear()
    broad._latest.clear()
    bitsets._local.clear()


def _normal(**kwargs) -> dict:
    """The engine's normal path: no kept scans, facet counts in SQL. The settings are changed for
    the call only, with ``override_settings``: the ``settings`` fixture stacks a layer per
    assignment until the test ends, and the ~40 calls of ``_assert_same_everywhere`` left every
    settings read of the test walking ~500 layers."""
    with override_settings(
        SEARCH_BROAD_CACHE=False, SEARCH_BITSET_MIN_HITS=10**9, SEARCH_BITSET_FILTERED_MIN_HITS=10**9
    ):
        return _answer(search(**kwargs))


BUILT: list = []  # one entry per snapshot built from every document


@pytest.fixture(autouse=True)
def _count_builds(monkeypatch):
    """Counts the calls of ``bitsets.build`` (which still runs)."""
    BUILT.clear()
    build = bitsets.build

    def counted():
        BUILT.append(1)
        return build()

    monkeypatch.setattr(bitsets, "build", counted)


def _traced(fn):
    """``fn()``'s result, how many full scans ran (the ranked ``MATERIALIZED`` statement) and
    how many bitset snapshots were built from every document."""
    before = len(BUILT)
    with CaptureQueriesContext(connection) as queries:
        result = fn()
    sqls = [q["sql"] for q in queries.captured_queries]
    scans = sum(sql.startswith("WITH m AS MATERIALIZED") and "ts_rank" in sql for sql in sqls)
    return result, scans, len(BUILT) - before


def _assert_same_everywhere(text: str) -> None:
    for per_page, page in ((2, 1), (2, 2), (3, 3), (1, 7), (50, 1)):
        kept = _answer(search(text=text, page=page, per_page=per_page))
        assert kept == _normal(text=text, page=page, per_page=per_page), (per_page, page)
    for sort in SORTS:
        for filters in FILTER_COMBINATIONS:
            kept = _answer(search(text=text, filters=filters, sort=sort, per_page=2))
            assert kept == _normal(text=text, filters=filters, sort=sort, per_page=2), (
                filters,
                sort,
            )


def test_a_new_listing_updates_the_kept_scan_and_bitsets(catalogue, committed):
    before = search(text="管理", per_page=100)  # keeps the scan and builds the snapshot
    with committed():
        page = publish_listing(
            catalogue.basic, title="管理大师", tagline="管理一切", categories=[catalogue.hr]
        )
    after, scans, builds = _traced(lambda: search(text="管理", per_page=100))
    assert (scans, builds) == (0, 0)
    assert after.total == before.total + 1
    assert after.hits[0].listing_id == page.pk  # name and tagline match: ranked first
    _assert_same_everywhere("管理")


def test_a_changed_listing_moves_in_the_order_and_its_counts(catalogue, committed):
    search(text="管理", per_page=100)
    search(text="管理", filters={"type": ["saas"]})
    last = search(text="管理", per_page=100).hits[-1].listing_id
    with committed():
        page = ListingPage.objects.get(pk=last)
        page.title, page.tagline = "管理管理", "管理"
        page.deployment = "hybrid"
        page.save()
        publish(page)
    after, scans, builds = _traced(lambda: search(text="管理", per_page=100))
    assert (scans, builds) == (0, 0)
    assert after.hits[0].listing_id == last
    _assert_same_everywhere("管理")


def test_a_listing_that_stops_matching_or_is_removed_leaves_the_kept_scan(catalogue, committed):
    before = search(text="管理", per_page=100)
    first, second = before.hits[0].listing_id, before.hits[1].listing_id
    with committed():
        remove_listings([first])
    after, scans, builds = _traced(lambda: search(text="管理", per_page=100))
    assert (scans, builds) == (0, 0)
    assert after.total == before.total - 1
    assert first not in [hit.listing_id for hit in after.hits]
    _assert_same_everywhere("管理")
    with committed():
        page = ListingPage.objects.get(pk=second)
        page.title, page.title_en, page.tagline, page.tagline_en = "无关", "Unrelated", "", ""
        page.body, page.body_en = "", ""
        page.save()
        publish(page)
    _result, scans, builds = _traced(lambda: search(text="管理", per_page=100))
    assert (scans, builds) == (0, 0)
    _assert_same_everywhere("管理")


def test_writes_in_a_row_are_bridged_together(catalogue, committed):
    search(text="管理", per_page=100)
    with committed():
        publish_listing(catalogue.premier, title="管理顾问", categories=[catalogue.crm])
    with committed():
        publish_listing(catalogue.service, title="流程管理", deployment="hybrid")
    with committed():
        index_listings([catalogue.invoice.pk])
    _result, scans, builds = _traced(lambda: search(text="管理", per_page=100))
    assert (scans, builds) == (0, 0)
    _assert_same_everywhere("管理")


def test_a_write_that_is_not_noted_is_never_bridged(catalogue, committed):
    search(text="管理", per_page=100)
    page = publish_listing(catalogue.basic, title="管理新人")  # not committed: its index task waits
    index_listings([page.pk])  # indexed and bumped, but noted only at a commit that never comes
    _result, scans, builds = _traced(lambda: search(text="管理", per_page=100))
    assert (scans, builds) == (1, 1)
    _assert_same_everywhere("管理")
    bump_index_version()  # a bump naming no documents (a ranking refresh, a synonym change …)
    _result, scans, _builds = _traced(lambda: search(text="管理", per_page=100))
    assert scans == 1


def test_positions_an_update_leaves_unknown_are_scanned(catalogue, committed, monkeypatch):
    monkeypatch.setattr(broad, "RANKED", 2)  # 2 of the word's 4 matches kept
    top = [hit.listing_id for hit in search(text="管理", per_page=2).hits]
    assert search(text="管理").total > 2
    with committed():
        remove_listings([top[-1]])  # the last kept position: the one after it is unknown now
    kept, scans, _builds = _traced(lambda: search(text="管理", page=1, per_page=1))
    assert scans == 0
    assert _answer(kept) == _normal(text="管理", page=1, per_page=1)
    past, scans, _builds = _traced(lambda: search(text="管理", page=2, per_page=1))
    assert scans == 1
    assert _answer(past) == _normal(text="管理", page=2, per_page=1)


def test_an_updated_snapshot_equals_a_new_one(catalogue, committed):
    old = bitsets.snapshot()
    with committed():
        new_page = publish_listing(
            catalogue.premier, title="新品", categories=[catalogue.crm], deployment="hybrid"
        )
        remove_listings([catalogue.payroll.pk])
    changed = np.asarray(sorted({new_page.pk, catalogue.payroll.pk}), dtype=np.int64)
    updated, fresh = old.updated(changed), bitsets.build()
    assert updated is not None
    assert updated.values.keys() == fresh.values.keys()
    for key, values in fresh.values.items():
        assert list(updated.values[key]) == list(values), key
        for name, row in values.items():
            members = fresh.ids[np.unpackbits(fresh.bits[row], bitorder="little")[: fresh.size].astype(bool)]
            bits = np.unpackbits(updated.bits[updated.values[key][name]], bitorder="little")
            assert updated.ids[bits[: updated.size].astype(bool)].tolist() == members.tolist(), (key, name)


def test_changes_since_reads_the_notes(committed):
    at_epoch, start = changes.current()
    with committed():
        changes.record([5, 3])
    with committed():
        changes.record([3, 9])
    at_epoch, version = changes.current()
    assert changes.since(at_epoch, start, version).tolist() == [3, 5, 9]
    assert changes.since(at_epoch, version, version).tolist() == []
    with committed():
        changes.record(None)  # everything
    assert changes.since(at_epoch, start, changes.current()[1]) is None
    changes.record([1])  # not committed: no note
    assert changes.since(at_epoch, version + 1, changes.current()[1]) is None

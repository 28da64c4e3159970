"""The search page served whole to cookieless anonymous visitors (``core.anonymous_pages``) and
its analytics rows queued in Redis and written in bulk (``catalog.search.analytics``): every
search becomes one row after the flush, with its own time, whatever path served it."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from catalog.models import SearchQueryLog
from catalog.search import analytics
from catalog.search.analytics import flush_search_log, report
from core.cache import redis_client
from tests.factories.accounts import UserFactory
from tests.factories.search import publish_listing, search_partner

pytestmark = pytest.mark.django_db


@pytest.fixture
def listings(settings, committed):
    settings.SEARCH_ENGINE = "database"
    settings.FRAGMENT_CACHE_SECONDS = 3600
    settings.SEARCH_PAGE_CACHE_SECONDS = 0  # the whole-page path alone (the time-based cache off)
    import catalog.search as search_module

    search_module._engines.clear()
    partner = search_partner()
    with committed():
        return [
            publish_listing(partner, title=f"报销助手{i}", title_en=f"Expense Helper {i}", body="移动报销")
            for i in range(3)
        ]


def _queued() -> int:
    client, key = redis_client()
    return client.llen(key(analytics.QUEUE_KEY))


def _get(url, params=None, client=None):
    response = (client or Client()).get(url, params or {})
    assert response.status_code == 200
    return response


def test_n_searches_through_the_whole_page_are_n_rows_after_the_flush(listings, search_urls):
    for _ in range(5):  # the first renders and stores the page, the next four are hits
        _get(search_urls, {"q": "报销"})
    _get(search_urls, {"q": "nothing-here"})
    assert SearchQueryLog.objects.count() == 0 and _queued() == 6
    assert flush_search_log() == 6
    assert _queued() == 0 and flush_search_log() == 0
    rows = list(SearchQueryLog.objects.order_by("created_at"))
    assert [(r.query, r.result_count, r.language) for r in rows] == [("报销", 3, "zh-hans")] * 5 + [
        ("nothing-here", 0, "zh-hans")
    ]
    assert len({r.created_at for r in rows}) == 6  # each row keeps the time of its search
    assert rows[0].engine == "database" and rows[0].session_hash


def test_a_hit_runs_no_sql_and_reads_the_cache_once(listings, search_urls, monkeypatch):
    _get(search_urls, {"q": "报销"})
    first = _get(search_urls, {"q": "报销"}).content.decode()
    calls = []
    backend = type(caches["default"])
    for name in ("get", "get_many", "set"):
        original = getattr(backend, name)
        monkeypatch.setattr(
            backend,
            name,
            lambda self, *a, _o=original, _n=name, **k: calls.append(_n) or _o(self, *a, **k),
        )
    with CaptureQueriesContext(connection) as queries:
        html = _get(search_urls, {"q": "报销"}).content.decode()
    assert len(queries) == 0, [q["sql"][:100] for q in queries]
    assert calls == ["get_many"]  # the versions and the page; the row is one RPUSH beside it
    assert html.count("data-search-hit") == first.count("data-search-hit") == 3
    assert _queued() == 3


def test_a_change_to_the_index_shows_on_the_next_search_and_in_its_row(listings, search_urls, committed):
    _get(search_urls, {"q": "报销"})
    _get(search_urls, {"q": "报销"})
    with committed():
        publish_listing(listings[0].partner, title="报销新秀", title_en="Expense Rookie", body="报销")
    assert _get(search_urls, {"q": "报销"}).content.decode().count("data-search-hit") == 4
    flush_search_log()
    assert [r.result_count for r in SearchQueryLog.objects.order_by("created_at")] == [3, 3, 4]


def test_signed_in_and_session_visitors_are_written_at_once(listings, search_urls):
    client = Client()
    client.force_login(UserFactory())
    _get(search_urls, {"q": "报销"}, client)
    _get(search_urls, {"q": "报销"}, client)
    assert SearchQueryLog.objects.count() == 2 and _queued() == 0


def test_the_request_that_fills_the_queue_writes_it(listings, search_urls, monkeypatch):
    monkeypatch.setattr(analytics, "FLUSH_SIZE", 3)
    for _ in range(2):
        _get(search_urls, {"q": "报销"})
    assert SearchQueryLog.objects.count() == 0
    _get(search_urls, {"q": "报销"})
    assert SearchQueryLog.objects.count() == 3 and _queued() == 0


def test_the_staff_report_sees_queued_searches(listings, search_urls):
    for _ in range(3):
        _get(search_urls, {"q": "报销"})
    _get(search_urls, {"q": "nothing-here"})
    data = report(7)
    assert data.searches == 4 and data.zero_results == 1
    assert [row["normalised"] for row in data.zero_queries] == ["nothing-here"]


def test_the_report_waits_for_a_flush_under_way(listings, search_urls):
    client, key = redis_client()
    _get(search_urls, {"q": "报销"})
    client.set(key(analytics.LOCK_KEY), "another-process", px=300)  # a flush elsewhere, ending soon
    assert report(7).searches == 1


def test_the_periodic_task_writes_the_queue(listings, search_urls):
    from catalog.tasks import flush_search_log as task

    for _ in range(2):
        _get(search_urls, {"q": "报销"})
    assert task.apply().get() == 2
    assert SearchQueryLog.objects.count() == 2


def test_a_flush_that_died_is_finished_once_by_the_next(listings, search_urls):
    """Rows claimed by a flush that stopped before writing them are written by the next flush; a
    chunk whose INSERT committed but was not removed from Redis is not written twice."""
    client, key = redis_client()
    for _ in range(3):
        _get(search_urls, {"q": "报销"})
    client.rename(key(analytics.QUEUE_KEY), key(analytics.CLAIMED_KEY))  # died after claiming
    _get(search_urls, {"q": "nothing-here"})  # queued meanwhile
    assert flush_search_log() == 4
    assert SearchQueryLog.objects.count() == 4

    for _ in range(2):
        _get(search_urls, {"q": "报销"})
    client.rename(key(analytics.QUEUE_KEY), key(analytics.CLAIMED_KEY))
    claimed = [
        analytics._row(analytics.json.loads(item))
        for item in client.lrange(key(analytics.CLAIMED_KEY), 0, -1)
    ]
    analytics._insert(claimed)  # died after its INSERT committed, before trimming the list
    assert flush_search_log() == 0
    assert SearchQueryLog.objects.count() == 6 and client.llen(key(analytics.CLAIMED_KEY)) == 0


def test_one_flush_at_a_time(listings, search_urls):
    client, key = redis_client()
    _get(search_urls, {"q": "报销"})
    client.set(key(analytics.LOCK_KEY), "another-process", ex=60)
    assert flush_search_log() == 0 and _queued() == 1
    client.delete(key(analytics.LOCK_KEY))
    assert flush_search_log() == 1

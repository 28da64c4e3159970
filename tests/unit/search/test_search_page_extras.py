"""The search page's cache for anonymous visitors, the staff analytics report and the reindex
command (database engine)."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client, TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from catalog.models import SearchClick, SearchQueryLog
from catalog.search.analytics import flush_search_log, report
from tests.factories.accounts import UserFactory, staff_member
from tests.factories.search import publish_listing, search_partner
from tests.unit.accounts.helpers import built_once_per_module, copies, enrol_totp

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_engine(settings):
    settings.SEARCH_ENGINE = "database"
    import catalog.search as search_module

    search_module._engines.clear()


@pytest.fixture
def listings(database_engine, committed):
    with committed():
        return make_listings()


def _csrf(html: str) -> str:
    return re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)


def test_anonymous_pages_are_cached_with_their_own_token_and_log(listings, search_urls):
    first, second = Client(), Client()
    response = first.get(search_urls, {"q": "报销"})
    assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        again = second.get(search_urls, {"q": "报销"})
    assert again.status_code == 200
    assert not any("catalog_searchdocument" in q["sql"] for q in queries.captured_queries)
    html_first, html_again = response.content.decode(), again.content.decode()
    assert "csrfTokenPlaceholder" not in html_again and "qidPlaceholder" not in html_again
    assert _csrf(html_first) != _csrf(html_again)
    # Both searches are queued (pages shared by anonymous visitors carry no row id) and written
    # together by the flush.
    assert SearchQueryLog.objects.count() == 0
    assert flush_search_log() == 2
    logs = list(SearchQueryLog.objects.order_by("pk"))
    assert len(logs) == 2 and {log.result_count for log in logs} == {3}
    assert "qidPlaceholder" not in html_first and f"qid={logs[0].pk}" not in html_first


def test_signed_in_searches_are_written_at_once_with_their_id_in_the_links(listings, search_urls):
    client = Client()
    client.force_login(UserFactory())
    html = client.get(search_urls, {"q": "报销"}).content.decode()
    (log,) = SearchQueryLog.objects.all()
    assert f"qid={log.pk}" in html.replace("&amp;", "&")


def _nonces(response) -> tuple[set[str], str]:
    """The nonces of the page's inline scripts, and the script-src of its CSP header."""
    html = response.content.decode()
    header = response["Content-Security-Policy"]
    script_src = next(part for part in header.split(";") if part.strip().startswith("script-src"))
    return set(re.findall(r'<script nonce="([^"]+)"', html)), script_src


def test_a_cached_page_carries_its_own_csp_nonce(listings, search_urls):
    """A page served from the cache gets this response's nonce in its inline scripts and in its
    CSP header: with the first visitor's nonce its scripts (the ``js`` class, the filters drawer)
    would be refused by the browser."""
    first = Client().get(search_urls, {"q": "报销"})
    again = Client().get(search_urls, {"q": "报销"})
    (first_nonces, _), (again_nonces, again_src) = _nonces(first), _nonces(again)
    assert len(first_nonces) == 1 and len(again_nonces) == 1
    assert first_nonces != again_nonces  # a fresh nonce for each response
    (nonce,) = again_nonces
    assert f"'nonce-{nonce}'" in again_src
    assert "cspNoncePlaceholder" not in again.content.decode()
    flush_search_log()  # the cached page's search is buffered: written here, not in a later test


def test_cache_follows_the_index_and_skips_signed_in_users(listings, search_urls, committed, settings):
    settings.FRAGMENT_CACHE_SECONDS = 0  # the page cache alone (fragments serve signed-in users too)
    client = Client()
    assert client.get(search_urls, {"q": "报销"}).content.decode().count("data-search-hit") == 3
    with committed():
        publish_listing(listings[0].partner, title="报销新秀", title_en="Expense Rookie", body="报销")
    assert client.get(search_urls, {"q": "报销"}).content.decode().count("data-search-hit") == 4
    user = UserFactory()
    signed_in = Client()
    signed_in.force_login(user)
    signed_in.get(search_urls, {"q": "报销"})
    with CaptureQueriesContext(connection) as queries:
        signed_in.get(search_urls, {"q": "报销"})
    assert any("catalog_searchdocument" in q["sql"] for q in queries.captured_queries)


# --- staff report --------------------------------------------------------------------------------
def _admin_url(name):
    with translation.override("zh-hans"):
        return reverse(name)


def make_listings():
    partner = search_partner()
    return [
        publish_listing(partner, title=f"报销助手{i}", title_en=f"Expense Helper {i}", body="移动报销")
        for i in range(3)
    ]


def build_analytics():
    """The ``listings`` (indexed by the database engine, as the ``listings`` fixture makes them),
    then searches and clicks: "报销" three times (clicked at 1 and 2), "nothing-here" twice.
    Built once for the module; the searches queued by the page cache are written at the end."""
    from django.core.cache import cache

    import catalog.search as search_module
    from catalog.search.apps_ready import connect
    from marketplace.views import search_cache

    connect()
    cache.clear()  # as the autouse fixtures do before each test: no page cached by an earlier one
    search_cache._local.clear()
    with override_settings(SEARCH_ENGINE="database"):
        search_module._engines.clear()
        with TestCase.captureOnCommitCallbacks(execute=True):
            listings = make_listings()
        with translation.override("zh-hans"):
            search_url = reverse("search")
        client = Client()
        for _ in range(3):
            client.get(search_url, {"q": "报销"})
        for _ in range(2):
            client.get(search_url, {"q": "nothing-here"})
        click = _admin_url("search_click")
        client.get(click, {"q": "报销", "listing": listings[0].pk, "pos": 1})
        client.get(click, {"q": "报销", "listing": listings[1].pk, "pos": 2})
        flush_search_log()
    search_module._engines.clear()
    search_cache._local.clear()
    return listings


_analytics_built_once = built_once_per_module(build_analytics)


@pytest.fixture
def analytics(_analytics_built_once, database_engine, search_urls):
    return copies(_analytics_built_once)


def test_report_figures(analytics):
    data = report(7)
    assert data.searches == 5 and data.zero_results == 2 and data.clicks == 2
    top = {row["normalised"]: row for row in data.top_queries}
    assert top["报销"]["searches"] == 3 and top["报销"]["clicks"] == 2
    assert [row["normalised"] for row in data.zero_queries] == ["nothing-here"]
    assert data.positions[0]["clicks"] == 1 and data.positions[1]["clicks"] == 1
    assert SearchClick.objects.count() == 2


@pytest.mark.parametrize(
    "who, allowed",
    [
        ("anonymous", False),
        ("customer", False),
        ("finance", False),
        ("reviewer", True),
        ("programme_manager", True),
        ("admin", True),
        ("superuser", True),
    ],
)
def test_report_access(analytics, who, allowed):
    client = Client()
    if who == "customer":
        client.force_login(UserFactory())
    elif who == "superuser":
        superuser = UserFactory(is_superuser=True, is_staff=True)
        enrol_totp(superuser)
        client.force_login(superuser)
    elif who != "anonymous":
        client.force_login(staff_member(who))
    url = _admin_url("catalog_search_report")
    response = client.get(url, {"days": "30"})
    if allowed:
        assert response.status_code == 200
        html = response.content.decode()
        assert "nothing-here" in html and "报销" in html
    else:
        assert response.status_code in (302, 403)
        if response.status_code == 302:
            assert response["Location"].split("?")[0] != url  # to the login page or the dashboard


def test_staff_can_rebuild_the_index_and_watch_progress(analytics, committed):
    client = Client()
    client.force_login(staff_member("reviewer"))
    with committed():
        response = client.post(_admin_url("catalog_search_reindex"))
    assert response.status_code == 302
    progress = client.get(_admin_url("catalog_search_reindex_progress"))
    assert progress.status_code == 200
    assert 'max="3" value="3"' in progress.content.decode()


def test_report_shows_in_the_reports_menu(analytics):
    client = Client()
    client.force_login(staff_member("programme_manager"))
    html = client.get("/admin/").content.decode()
    assert _admin_url("catalog_search_report") in html


# --- reindex command ------------------------------------------------------------------------------
def test_reindex_command_prints_progress(listings, capsys):
    from io import StringIO

    out = StringIO()
    call_command("reindex", stdout=out)
    text = out.getvalue()
    assert "100%" in text and "3/3" in text and "Indexed 3 listings" in text

"""Wagtail's admin search index on PostgreSQL: a save upserts its own entry without scanning the
whole index; the deferred title norms are set by the periodic refresh (core/wagtail_search.py)."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page
from wagtail.search.backends import get_search_backend
from wagtail.search.models import IndexEntry

from core.tasks import refresh_search_title_norms
from core.wagtail_search import DeferredNormsBackend

pytestmark = pytest.mark.django_db


def _page(title):
    root = Page.get_first_root_node()
    return root.add_child(instance=Page(title=title, slug=title.lower().replace(" ", "-")))


def _entry(page):
    return IndexEntry.objects.get(object_id=str(page.pk), content_type_id=page.content_type_id)


def test_the_postgresql_backend_defers_title_norms():
    assert connection.vendor == "postgresql"
    assert isinstance(get_search_backend(), DeferredNormsBackend)


def test_a_save_writes_its_entry_without_an_aggregate_over_the_index():
    backend = get_search_backend()
    short, long = _page("Ledger"), _page("Consolidated ledger and group reporting suite")
    with CaptureQueriesContext(connection) as queries:
        backend.add(short)
        backend.add(long)
    sql = " ".join(q["sql"].upper() for q in queries.captured_queries)
    assert "INSERT INTO" in sql and "AVG(" not in sql  # no full scan for the norm
    assert _entry(short).title_norm == 1.0 and _entry(long).title_norm == 1.0  # deferred

    assert refresh_search_title_norms() is True
    short_norm, long_norm = _entry(short).title_norm, _entry(long).title_norm
    assert short_norm > 1.0 > long_norm  # shorter than average ranks up, longer ranks down
    # The deferred entries are found by the admin's search all along.
    found = {p.pk for p in backend.search("ledger", Page)}
    assert {short.pk, long.pk} <= found


def test_the_refresh_runs_on_beat():
    schedule = settings.CELERY_BEAT_SCHEDULE["core-search-title-norms"]
    assert schedule["task"] == refresh_search_title_norms.name

"""Cache reads shared by one request (issue #17): ``core.cache.per_request`` keeps a value from
``request_started`` to ``request_finished`` only, a change in the request drops it, and the Redis
cache reuses one client per connection pool instead of building one per operation."""

import pytest
from django.core.cache import cache

from core.cache import (
    ReusedClientRedisCacheClient,
    end_request_reads,
    forget_request_reads,
    per_request,
    start_request_reads,
)


def counter():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    return calls, compute


def test_the_memo_follows_the_request_signals():
    from django.core.signals import request_finished, request_started

    assert any("start_request_reads" in str(receiver) for receiver in request_started.receivers)
    assert any("end_request_reads" in str(receiver) for receiver in request_finished.receivers)


def test_outside_a_request_every_call_computes():
    calls, compute = counter()
    assert [per_request("k", compute), per_request("k", compute)] == [1, 2]


def test_within_a_request_a_key_is_computed_once_until_forgotten():
    calls, compute = counter()
    start_request_reads()  # what request_started does (core.apps)
    try:
        assert [per_request("k", compute), per_request("k", compute)] == [1, 1]
        assert per_request("other", compute) == 2
        forget_request_reads()
        assert per_request("k", compute) == 3
    finally:
        end_request_reads()
    assert per_request("k", compute) == 4  # the request is over: nothing kept


@pytest.mark.django_db
def test_a_taxonomy_change_inside_a_request_is_seen_by_the_same_request():
    from catalog.models import Category
    from catalog.search.facets import facet_options

    start_request_reads()  # what request_started does (core.apps)
    try:
        before = {value for value, _label, _depth in facet_options("category")}
        Category.objects.create(slug="request-reads-new", name="新类目", name_en="New category")
        after = {value for value, _label, _depth in facet_options("category")}
    finally:
        end_request_reads()
    assert "request-reads-new" not in before
    assert after - before == {"request-reads-new"}


def test_the_redis_cache_reuses_its_client():
    client = getattr(cache, "_cache", None)
    if not isinstance(client, ReusedClientRedisCacheClient):
        pytest.skip("the tests' cache is not Redis")
    assert client.get_client("a") is client.get_client("b")
    cache.set("reuse", 1)
    assert cache.get("reuse") == 1

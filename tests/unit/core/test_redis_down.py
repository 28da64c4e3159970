"""Redis stopped: public pages are still served (the cache degrades to misses), the health
check answers 503 naming the broker, and the cache works again when Redis is back."""

import socket

import pytest
from django.core.cache import cache
from django.urls import reverse

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_caches(url, backend="core.cache.ResilientRedisCache"):
    return {"default": {"BACKEND": backend, "LOCATION": url, "OPTIONS": {"socket_connect_timeout": 1}}}


@pytest.fixture
def redis_down(settings):
    url = f"redis://127.0.0.1:{closed_port()}/0"
    settings.CACHES = redis_caches(url)  # setting_changed resets django.core.cache.caches
    settings.CELERY_BROKER_URL = url
    return url


def test_public_pages_served_with_redis_down(client_en, redis_down, caplog):
    for url in ("/", reverse("search") + "?q=crm", reverse("search")):
        response = client_en.get(url, follow=True)
        assert response.status_code == 200, url
    assert "Cache unavailable" in caplog.text  # the search page did try the cache, and logged it


def test_cache_calls_degrade_to_misses(redis_down):
    assert cache.get("k", "fallback") == "fallback"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.add("k", 1) is False
    assert cache.set("k", 1) is None
    assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]  # reported as not stored
    assert cache.incr("counter") == 1


def test_plain_redis_cache_would_fail_the_page(client_en, settings, redis_down):
    """What the wrapper prevents: Django's own Redis backend raises, the search page fails."""
    from redis.exceptions import ConnectionError as RedisConnectionError

    settings.CACHES = redis_caches(redis_down, backend="django.core.cache.backends.redis.RedisCache")
    with pytest.raises(RedisConnectionError):
        client_en.get(reverse("search") + "?q=crm")


def test_healthz_names_the_broker_when_redis_is_down(client, redis_down):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["broker"]["status"] == "error"
    assert body["checks"]["database"]["status"] == "ok"


def test_cache_works_when_redis_is_up(settings):
    import os

    settings.CACHES = redis_caches(os.environ["REDIS_URL"])
    cache.set("symbio-test-redis-up", "here", 30)
    assert cache.get("symbio-test-redis-up") == "here"
    cache.delete("symbio-test-redis-up")

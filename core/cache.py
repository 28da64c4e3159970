"""A Redis cache that degrades instead of failing: with Redis unreachable, reads miss and
writes are dropped (logged), so pages are served uncached instead of answering 500.

Only connection-level errors are swallowed (Redis stopped, restarting, unreachable); bugs
such as an unpicklable value still raise. While Redis is down, what lives in the cache is
simply absent: cached search pages are rebuilt per request, and allauth's login rate limits
do not count (they resume when Redis is back). ``/healthz`` reports the broker (same Redis)
as failing meanwhile.
"""

import functools
import logging
import threading

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)


def _degrades(fallback):
    """Run the cache operation; on a connection error log it and return ``fallback(args)``."""

    def decorator(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except UNAVAILABLE as exc:
                logger.warning(
                    "Cache unavailable, %s skipped: %s: %s", method.__name__, type(exc).__name__, exc
                )
                return fallback(*args, **kwargs)

        return wrapper

    return decorator


class ReusedClientRedisCacheClient(RedisCacheClient):
    """One ``redis.Redis`` per connection pool instead of a new one per operation: Django builds
    a client (its response-callback table, ~170 entries) on every ``get``, ~0.4 ms each, and an
    uncached search page makes a dozen cache operations (issue #17). The client is thread-safe
    and holds no connection of its own (the pool does, and re-creates them after a fork)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient

    get = _degrades(lambda key, default=None, version=None: default)(RedisCache.get)
    get_many = _degrades(lambda keys, version=None: {})(RedisCache.get_many)
    has_key = _degrades(lambda *a, **k: False)(RedisCache.has_key)
    add = _degrades(lambda *a, **k: False)(RedisCache.add)
    set = _degrades(lambda *a, **k: None)(RedisCache.set)
    set_many = _degrades(lambda data, *a, **k: list(data))(RedisCache.set_many)
    touch = _degrades(lambda *a, **k: False)(RedisCache.touch)
    delete = _degrades(lambda *a, **k: False)(RedisCache.delete)
    delete_many = _degrades(lambda *a, **k: None)(RedisCache.delete_many)
    # A counter that cannot be read starts again from the increment (version keys, limits).
    incr = _degrades(lambda key, delta=1, version=None: delta)(RedisCache.incr)


def redis_client(alias: str = "default"):
    """``(client, make_key)``: the ``redis.Redis`` behind the ``alias`` cache (its write pool) and
    the cache's key maker, for what the cache API has no verb for (lists, locks); ``None`` when
    that cache is not Redis (local memory in some settings)."""
    from django.core.cache import caches

    cache = caches[alias]
    if not isinstance(cache, RedisCache):
        return None
    return cache._cache.get_client(write=True), cache.make_key


# --- reads shared by one request ----------------------------------------------------------------
# A page asks for the same cached values many times (the search facets' labels and their version
# number ten times on a search page): ``per_request`` keeps what one request has read, so each is
# one round trip per request. The memo lives from ``request_started`` to ``request_finished``
# (``core.apps``); outside a request (tasks, commands, tests calling functions directly) nothing is
# kept. Code that changes such a value calls ``forget_request_reads`` (the version bumps do).
_request = threading.local()


def start_request_reads(**_kwargs) -> None:
    _request.memo = {}


def end_request_reads(**_kwargs) -> None:
    _request.memo = None


def forget_request_reads() -> None:
    memo = getattr(_request, "memo", None)
    if memo:
        memo.clear()


def per_request(key, compute):
    """``compute()``, once per request for ``key`` (every call outside a request)."""
    memo = getattr(_request, "memo", None)
    if memo is None:
        return compute()
    try:
        return memo[key]
    except KeyError:
        value = memo[key] = compute()
        return value

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

from django.core.cache.backends.redis import RedisCache
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


class ResilientRedisCache(RedisCache):
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

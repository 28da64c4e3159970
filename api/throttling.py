"""Per-key rate limit: a token bucket (GCRA) in Django's cache — ``rate_per_second`` requests a
second on average, bursts of up to ``burst``. Its state is published on every response as
``X-RateLimit-Limit`` (the burst), ``X-RateLimit-Remaining`` and ``X-RateLimit-Reset``
(seconds until the bucket is full again); a refusal is a 429 with ``Retry-After``.

Two processes updating one key's bucket at the same instant may both pass (get then set, no
lock): the limit is a fair-use guard, not an accounting figure.
"""

import math
import time

from django.core.cache import cache
from rest_framework.throttling import BaseThrottle


class ApiKeyRateThrottle(BaseThrottle):
    def allow_request(self, request, view):
        key = getattr(request, "auth", None)
        if key is None or not hasattr(key, "rate_per_second"):
            return True
        now = time.time()
        interval = 1.0 / max(key.rate_per_second, 1)
        burst = max(key.burst, 1)
        cache_key = f"api-rate:{key.pk}"
        tat = max(cache.get(cache_key) or now, now)  # theoretical arrival time
        new_tat = tat + interval
        allow_at = new_tat - burst * interval
        if now < allow_at:
            self._wait = allow_at - now
            remaining = 0
            reset = tat - now
            allowed = False
        else:
            cache.set(cache_key, new_tat, timeout=int(burst * interval) + 2)
            self._wait = None
            remaining = int((now - allow_at) / interval)
            reset = new_tat - now
            allowed = True
        request._request.symbio_ratelimit = {
            "X-RateLimit-Limit": str(burst),
            "X-RateLimit-Remaining": str(max(min(remaining, burst), 0)),
            "X-RateLimit-Reset": str(math.ceil(reset)),
        }
        return allowed

    def wait(self):
        return self._wait

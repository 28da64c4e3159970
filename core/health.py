"""`/healthz`: JSON status of the database, the cache/broker and the search engine."""

import time

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _timed(check):
    started = time.perf_counter()
    try:
        detail = check()
        status = "ok"
    except Exception as exc:  # a health check reports every failure, whatever it is
        detail = (str(exc) if isinstance(exc, SearchDegraded) else f"{type(exc).__name__}: {exc}")[:300]
        status = "error"
    return {"status": status, "detail": detail, "ms": round((time.perf_counter() - started) * 1000, 1)}


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def check_broker():
    url = settings.CELERY_BROKER_URL
    if settings.CELERY_TASK_ALWAYS_EAGER and not url.startswith("redis"):
        return "tasks run inline (eager); no broker needed"
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    finally:
        client.close()
    return "redis"


DEGRADED = "degraded: catalogue search and suggestions are answered by the database engine"


class SearchDegraded(Exception):
    """Elasticsearch cannot answer; the site still searches, through the database engine."""


def check_search():
    if not settings.ELASTICSEARCH_URL:
        return "database engine"
    from elasticsearch import Elasticsearch

    client = Elasticsearch(settings.ELASTICSEARCH_URL, request_timeout=2, max_retries=0)
    try:
        info = client.cluster.health()
        if info["status"] == "red":
            raise RuntimeError("cluster status red")
        return f"elasticsearch ({info['status']})"
    except Exception as exc:
        if not getattr(settings, "SEARCH_DATABASE_FALLBACK", True):
            raise
        # Still an error (503: the engine the site runs on is down), saying what visitors get.
        raise SearchDegraded(f"{type(exc).__name__}: {str(exc)[:150]} ({DEGRADED})") from exc
    finally:
        client.close()


CHECKS = {"database": check_database, "broker": check_broker, "search": check_search}


@never_cache
@require_GET
def healthz(request):
    results = {name: _timed(check) for name, check in CHECKS.items()}
    healthy = all(r["status"] == "ok" for r in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": results}, status=200 if healthy else 503
    )

"""Liveness tasks for the Celery side of Symbio.

``ping`` answers "pong" (for ``celery call`` and smoke tests). ``record_heartbeat`` is run by
beat on a schedule (``CELERY_BEAT_SCHEDULE["core-heartbeat"]``): it stores the time it ran in
the Django cache (Redis in production), so "beat schedules and a worker executes" can be
observed from anywhere that shares the cache, e.g. the beat container's health check::

    python manage.py shell --no-imports -c "from core.tasks import check_heartbeat; check_heartbeat()"
"""

from datetime import datetime

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_CACHE_KEY = "symbio:core:heartbeat"
# Beat runs the heartbeat every minute; three missed beats mean the schedule is not running.
HEARTBEAT_MAX_AGE_SECONDS = 180


@shared_task(name="core.tasks.ping")
def ping() -> str:
    return "pong"


@shared_task(name="core.tasks.refresh_search_title_norms", ignore_result=True)
def refresh_search_title_norms() -> bool:
    """The title norms Wagtail's admin search index defers on PostgreSQL (core/wagtail_search.py)."""
    from core.wagtail_search import refresh_title_norms

    return refresh_title_norms()


@shared_task(name="core.tasks.record_heartbeat", ignore_result=True)
def record_heartbeat() -> str:
    """Store the current time (ISO 8601, UTC) under HEARTBEAT_CACHE_KEY; return it."""
    now = timezone.now().isoformat()
    cache.set(HEARTBEAT_CACHE_KEY, now, timeout=None)
    return now


def last_heartbeat() -> datetime | None:
    """When a worker last ran ``record_heartbeat``; None if it never did (or the cache was flushed)."""
    value = cache.get(HEARTBEAT_CACHE_KEY)
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def check_heartbeat(max_age: int = HEARTBEAT_MAX_AGE_SECONDS) -> None:
    """Exit non-zero unless a heartbeat newer than ``max_age`` seconds is recorded."""
    at = last_heartbeat()
    if at is None:
        raise SystemExit("No Celery heartbeat recorded yet: is beat running, and a worker?")
    age = (timezone.now() - at).total_seconds()
    if age > max_age:
        raise SystemExit(f"Last Celery heartbeat {age:.0f} s ago (limit {max_age} s).")
    print(f"Celery heartbeat {age:.0f} s ago.")

"""core.tasks run inline (eager in unit tests): ping, the heartbeat and its check."""

from datetime import timedelta

import pytest
from celery.result import allow_join_result
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from core.tasks import (
    HEARTBEAT_CACHE_KEY,
    HEARTBEAT_MAX_AGE_SECONDS,
    check_heartbeat,
    last_heartbeat,
    ping,
    record_heartbeat,
)


def test_ping_answers_pong():
    # Celery's "joining would block" flag is process-wide; eager tasks run concurrently by a
    # threaded live server in earlier tests (webhook deliveries) can leave it set.
    with allow_join_result():
        assert ping.delay().get() == "pong"


def test_record_heartbeat_stores_the_time_in_the_cache():
    before = timezone.now()
    record_heartbeat.delay()
    at = last_heartbeat()
    assert at is not None and before <= at <= timezone.now()
    assert at.tzinfo is not None


def test_no_heartbeat_yet():
    cache.delete(HEARTBEAT_CACHE_KEY)
    assert last_heartbeat() is None
    with pytest.raises(SystemExit, match="No Celery heartbeat"):
        check_heartbeat()


def test_fresh_heartbeat_passes_the_check(capsys):
    record_heartbeat()
    check_heartbeat()
    assert "Celery heartbeat" in capsys.readouterr().out


def test_stale_heartbeat_fails_the_check():
    stale = timezone.now() - timedelta(seconds=HEARTBEAT_MAX_AGE_SECONDS + 60)
    cache.set(HEARTBEAT_CACHE_KEY, stale.isoformat())
    with pytest.raises(SystemExit, match="limit"):
        check_heartbeat()


def test_garbage_in_the_cache_counts_as_no_heartbeat():
    cache.set(HEARTBEAT_CACHE_KEY, "not a time")
    assert last_heartbeat() is None


def test_beat_schedules_the_heartbeat_often_enough_for_the_health_check():
    entry = settings.CELERY_BEAT_SCHEDULE["core-heartbeat"]
    assert entry["task"] == "core.tasks.record_heartbeat"
    # Three beats fit in the health check's window, so one late run does not flag beat.
    assert float(entry["schedule"]) * 3 <= HEARTBEAT_MAX_AGE_SECONDS

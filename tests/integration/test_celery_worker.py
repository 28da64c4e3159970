"""Tasks travel through Redis to a real Celery worker (and beat schedules them from the DB).

The test process itself runs with eager tasks (config/settings/test.py); here messages are
published to the broker explicitly. Results are observed through a side effect, the
heartbeat written into the Django cache, which the worker and this process share (Redis at
REDIS_URL), because the project has no Celery result backend.
"""

from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from config.celery import app
from core.tasks import HEARTBEAT_CACHE_KEY, last_heartbeat, record_heartbeat
from tests.conftest import celery_worker

# One xdist worker runs the module's tests one after the other, so they share one Celery worker
# (pytest-django would otherwise put the transactional test among the last of its worker).
pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("celery-worker")]

TIMEOUT = 30  # seconds; a warm worker answers in well under one


def fail_with_logs(message, *processes):
    logs = "\n".join(f"--- {p['log'].name}\n{p['log'].read_text()[-4000:]}" for p in processes)
    pytest.fail(f"{message}\n{logs}")


def heartbeat_after(moment: datetime):
    at = last_heartbeat()
    return at if at is not None and at >= moment else None


@pytest.fixture(scope="module")
def celery_worker_process(django_db_setup, redis_url, tmp_path_factory):
    """One worker for this module's tests instead of one each (~3 s of CPU to start one): none
    changes its configuration, and each looks only at what it sent (heartbeats after its own
    start, the log written since)."""
    with celery_worker(redis_url, tmp_path_factory.mktemp("celery")) as worker:
        yield worker


def log_since(worker, offset: int) -> str:
    return worker["log"].read_text()[offset:]


@contextmanager
def tasks_through_broker():
    """Turn eager execution off for this process, as in production; restore afterwards."""
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield
    finally:
        app.conf.task_always_eager = saved


@pytest.mark.django_db
def test_task_sent_by_name_runs_on_the_worker(celery_worker_process, wait_for):
    cache.delete(HEARTBEAT_CACHE_KEY)
    sent_at = timezone.now() - timedelta(seconds=1)

    with tasks_through_broker():  # send_task always publishes; this only silences a warning
        app.send_task("core.tasks.record_heartbeat")

    at = wait_for(lambda: heartbeat_after(sent_at), timeout=TIMEOUT)
    if at is None:
        fail_with_logs("the worker did not run core.tasks.record_heartbeat", celery_worker_process)
    assert at <= timezone.now()
    assert celery_worker_process["process"].poll() is None, "the worker died"


@pytest.mark.django_db
def test_delay_publishes_to_redis_when_eager_is_off(celery_worker_process, wait_for):
    log_offset = len(celery_worker_process["log"].read_text())
    cache.delete(HEARTBEAT_CACHE_KEY)
    sent_at = timezone.now() - timedelta(seconds=1)

    with tasks_through_broker():
        result = record_heartbeat.delay()

    # Not run here: the message went to the broker, so nothing is recorded until the worker
    # picks it up (the result is an AsyncResult, not an EagerResult).
    assert type(result).__name__ == "AsyncResult"
    at = wait_for(lambda: heartbeat_after(sent_at), timeout=TIMEOUT)
    if at is None:
        fail_with_logs("the worker did not run record_heartbeat.delay()", celery_worker_process)
    assert "core.tasks.record_heartbeat" in log_since(celery_worker_process, log_offset)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_beat_schedules_the_heartbeat_from_the_database(celery_worker_process, celery_beat_process, wait_for):
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    every_second = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(
        name="test: heartbeat every second",
        task="core.tasks.record_heartbeat",
        interval=every_second,
    )
    cache.delete(HEARTBEAT_CACHE_KEY)
    started = timezone.now()

    first = wait_for(lambda: heartbeat_after(started), timeout=TIMEOUT)
    if first is None:
        fail_with_logs("beat + worker recorded no heartbeat", celery_beat_process, celery_worker_process)
    # The schedule keeps firing: a later heartbeat replaces the first.
    second = wait_for(lambda: heartbeat_after(first + timedelta(microseconds=1)), timeout=TIMEOUT)
    if second is None:
        fail_with_logs("the heartbeat did not repeat", celery_beat_process, celery_worker_process)
    assert "Sending due task test: heartbeat every second" in celery_beat_process["log"].read_text()
    # Entries of CELERY_BEAT_SCHEDULE (the production heartbeat among them) were synced into
    # the table, where staff can see and change them.
    synced = set(PeriodicTask.objects.values_list("name", flat=True))
    assert set(getattr(settings, "CELERY_BEAT_SCHEDULE", {})) <= synced

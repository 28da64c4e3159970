"""A real Celery worker (prefork) whose child process is killed with SIGKILL in the middle of a
task: with ``acks_late`` and ``task_reject_on_worker_lost`` the message goes back to the queue and
a new child runs the task again; the effect happens once."""

import os
import signal
import uuid

import pytest
from django.core.cache import cache

from config.celery import app
from tests.conftest import celery_worker

pytestmark = pytest.mark.integration
TIMEOUT = 60


@pytest.fixture
def prefork_worker(redis_url, tmp_path):
    with celery_worker(
        redis_url, tmp_path, pool="prefork", SYMBIO_TEST_CELERY_IMPORTS="tests.integration.worker_tasks"
    ) as worker:
        yield worker


def test_a_task_whose_worker_process_is_killed_runs_again_and_its_effect_happens_once(
    prefork_worker, wait_for
):
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost
    key = f"killed-{uuid.uuid4().hex}"
    app.send_task("tests.integration.slow_effect", args=[key, 10])  # killed long before the end

    first = wait_for(lambda: cache.get(f"{key}:last-pid"), timeout=TIMEOUT)
    assert first, prefork_worker["log"].read_text()[-3000:]
    os.kill(first, signal.SIGKILL)  # the pool child, mid-task

    done_by = wait_for(lambda: cache.get(f"{key}:done"), timeout=TIMEOUT)
    log = prefork_worker["log"].read_text()
    assert done_by and done_by != first, log[-3000:]
    assert cache.get(f"{key}:started:{first}") and cache.get(f"{key}:started:{done_by}")  # delivered twice
    # The task counts its effect just after taking ``:done``: wait for the count, not only the lock.
    assert wait_for(lambda: cache.get(f"{key}:effects"), timeout=TIMEOUT) == 1  # applied once
    assert "WorkerLostError" in log or "Worker exited prematurely" in log

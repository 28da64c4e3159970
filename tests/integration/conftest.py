"""Fixtures for integration tests that run real Celery processes next to the test database."""

import os
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import celery_command, stop_process

REPO = Path(__file__).resolve().parents[2]


def _wait_for(predicate, timeout=30.0, interval=0.05):
    """Poll ``predicate`` until it returns something truthy; return that, or None on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            return None
        time.sleep(interval)


@pytest.fixture
def wait_for():
    return _wait_for


@pytest.fixture
def celery_beat_process(redis_url, tmp_path):
    """``celery beat`` with django_celery_beat's DatabaseScheduler on the test database.

    The schedule is read from the database, so the test must commit its PeriodicTask rows
    (``django_db(transaction=True)``) for this process to see them.
    """
    from django.db import connection

    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test_worker",
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": redis_url,
        "EMAIL_URL": "consolemail://",
        "C_FORCE_ROOT": "1",
    }
    log_path = tmp_path / "beat.log"
    log = open(log_path, "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [
            *celery_command(),
            "-A",
            "config",
            "beat",
            "-l",
            "INFO",
            "--scheduler",
            "django_celery_beat.schedulers:DatabaseScheduler",
            "--max-interval",
            "1",
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        # Wait until the scheduler runs ("beat: Starting...") before handing it over: on a loaded
        # machine importing Django alone can take longer than the test's own 30-second window.
        started = _wait_for(
            lambda: proc.poll() is not None or "beat: Starting" in log_path.read_text(), timeout=180
        )
        if not started or proc.poll() is not None:
            pytest.fail(f"celery beat did not start\n{log_path.read_text()[-4000:]}")
        yield {"process": proc, "log": log_path}
    finally:
        stop_process(proc)
        log.close()

"""A real Celery worker started by integration tests: the test settings, but not eager."""

from .test import *  # noqa: F401,F403
from .test import env

CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_URL = env.str("REDIS_URL")
EMAIL_CONFIG = env.email_url("EMAIL_URL")
vars().update(EMAIL_CONFIG)
# Task modules that only integration tests use (e.g. tests.integration.worker_tasks).
CELERY_IMPORTS = env.list("SYMBIO_TEST_CELERY_IMPORTS", default=[])
# A webhook test's worker reaches the test's receiver on 127.0.0.1 (tests/integration/test_webhook_worker.py).
OUTBOUND_ALLOW_LOOPBACK_FOR_TESTS = env.bool("OUTBOUND_ALLOW_LOOPBACK_FOR_TESTS", default=False)

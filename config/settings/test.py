"""`make test`: PostgreSQL (DATABASE_URL set by the test runner), locmem email, eager tasks."""

import os
import re

# Under pytest-xdist each worker (PYTEST_XDIST_WORKER = gw0, gw1, …) gets a Redis database of its
# own (1, 2, …), so one worker's ``cache.clear()`` or broker traffic never reaches another. Set in
# the environment before base.py reads it: the Celery processes that integration tests start
# inherit the variable and land on the same database (the rewrite is idempotent).
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if re.fullmatch(r"gw\d+", _worker) and os.environ.get("REDIS_URL"):
    _database = int(_worker[2:]) + 1
    os.environ["REDIS_URL"] = re.sub(r"(/\d*)?$", f"/{_database}", os.environ["REDIS_URL"], count=1)

from .base import *  # noqa: E402,F401,F403
from .base import env  # noqa: E402

DEBUG = False
SECRET_KEY = "test-only-secret"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = env.str("REDIS_URL", default="memory://")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="http://127.0.0.1:8420")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ACCOUNT_RATE_LIMITS = {**ACCOUNT_RATE_LIMITS}  # noqa: F405 - tests of rate limits set their own
# Only this module sets TESTING: test-only switches such as core.outbound's
# OUTBOUND_ALLOW_LOOPBACK_FOR_TESTS (a receiver on 127.0.0.1) are ignored anywhere else.
TESTING = True
OUTBOUND_ALLOW_LOOPBACK_FOR_TESTS = False

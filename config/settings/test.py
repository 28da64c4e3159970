"""`make test`: PostgreSQL (DATABASE_URL set by the test runner), locmem email, eager tasks."""

from .base import *  # noqa: F401,F403
from .base import env

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

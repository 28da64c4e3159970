"""`make bench`: production-like (PostgreSQL from DATABASE_URL, DEBUG off, persistent
connections, compiled templates) with no outside services: locmem email, eager tasks unless
a Redis URL is given. Benchmarks never run against SQLite."""

from .base import *  # noqa: F401,F403
from .base import env

DEBUG = False
SECRET_KEY = "bench-only-secret-not-for-production-use-0123456789abcdef"
DATABASES = {"default": env.db("DATABASE_URL")}  # required: no SQLite fallback
DATABASES["default"]["CONN_MAX_AGE"] = 60
if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("Benchmarks run on PostgreSQL: set DATABASE_URL=postgres://…")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast demo users
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

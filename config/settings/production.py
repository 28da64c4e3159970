"""Production: every secret comes from the environment; a missing one stops start-up."""

import os

from django.core.exceptions import ImproperlyConfigured

# Set-but-empty is as wrong as unset (an `.env` line like `ALLOWED_HOSTS=` would otherwise
# start a site that rejects every request, or one without a database). Checked before base
# reads them, so the message names the variable.
for _name in ("ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "EMAIL_URL"):
    if _name in os.environ and not os.environ[_name].strip():
        raise ImproperlyConfigured(f"The {_name} environment variable is empty; give it a value.")

from .base import *  # noqa: E402,F401,F403
from .base import REDIS_CACHE_OPTIONS, env  # noqa: E402

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.secret("SECRET_KEY")
if (
    len(SECRET_KEY) < 50
    or len(set(SECRET_KEY)) < 5
    or "change-me" in SECRET_KEY
    or SECRET_KEY.startswith("django-insecure-")
):
    raise ImproperlyConfigured(
        "SECRET_KEY is a placeholder or too weak: use 50+ random characters, e.g. "
        'python -c "import secrets; print(secrets.token_urlsafe(50))"'
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
REDIS_URL = env.str("REDIS_URL")
CACHES = {
    "default": {
        "BACKEND": "core.cache.ResilientRedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": REDIS_CACHE_OPTIONS,
    }
}
CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_ALWAYS_EAGER = False
STRIPE_SECRET_KEY = env.secret("STRIPE_SECRET_KEY")
STRIPE_WEBHOOK_SECRET = env.secret("STRIPE_WEBHOOK_SECRET")
EMAIL_CONFIG = env.email_url("EMAIL_URL")
vars().update(EMAIL_CONFIG)

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# allauth's login limits are per client address: behind the documented reverse proxy it reads the
# client from X-Forwarded-For, trusting this many proxies (0 = no proxy: REMOTE_ADDR).
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("ALLAUTH_TRUSTED_PROXY_COUNT", default=1)
if not 0 <= ALLAUTH_TRUSTED_PROXY_COUNT <= 5:
    raise ImproperlyConfigured("ALLAUTH_TRUSTED_PROXY_COUNT must be between 0 and 5.")

"""`make run`: SQLite, eager tasks, database search, localstripe on loopback, console email."""

from .base import *  # noqa: F401,F403
from .base import STRIPE_API_BASE, VAR_DIR, env

DEBUG = env.bool("DEBUG", default=True)
STRIPE_API_BASE = STRIPE_API_BASE or env.str("LOCALSTRIPE_URL", default="http://127.0.0.1:8420")
STRIPE_JS_URL = f"{STRIPE_API_BASE}/js.stripe.com/v3/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The SQLite file and media live here; create it so a bare `manage.py migrate` works too.
VAR_DIR.mkdir(parents=True, exist_ok=True)

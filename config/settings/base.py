"""Settings shared by every environment. Environment-specific files import * from here.

One file because Django reads the shared settings as one module; its sections are headed and the
environment files override them by name.
"""

import zoneinfo
from decimal import Decimal
from pathlib import Path

from celery.schedules import crontab
from csp.constants import NONCE as CSP_NONCE

from config.env import env

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env.str("SYMBIO_VAR_DIR", default=str(BASE_DIR / "var")))

# --- Core ----------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.secret("SECRET_KEY", default="insecure-dev-key-change-me")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
SITE_ID = 1

# --- Apps ----------------------------------------------------------------------------
DJANGO_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
]
WAGTAIL_APPS = [
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "accounts.apps.WagtailUsersConfig",  # wagtail.users with display_name on the user forms
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
]
THIRD_PARTY_APPS = [
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_celery_beat",
    "django_filters",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "oauth2_provider",
]
LOCAL_APPS = [
    "core",
    "themes",
    "accounts",
    "partners",
    "health",
    "catalog",
    "billing",
    "demand",
    "cosell",
    "incentives",
    "marketplace",
    "api",
    "demo",
]
# Local apps first so their templates override allauth's and Wagtail's.
INSTALLED_APPS = LOCAL_APPS + DJANGO_APPS + WAGTAIL_APPS + THIRD_PARTY_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.csp.SymbioCSPMiddleware",
    "core.limits.BoundedPathIntegersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.ActiveOrganisationMiddleware",
    "accounts.middleware.RequireMFAMiddleware",
    "accounts.admin_scope.AdminScopeMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "themes.middleware.CachedSiteMiddleware",  # the Site for the redirects above, cached
    "core.anonymous_pages.AnonymousPageMiddleware",
    "core.page_routes.CachedPageRouteMiddleware",
]

# --- Content-Security-Policy (django-csp; core/csp.py adds Stripe's origins per request) ---
_CSP_COMMON = {
    "default-src": ["'self'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
    "style-src": ["'self'", "'unsafe-inline'"],  # style="" attributes; scripts are what matter
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'self'"],
    "form-action": ["'self'"],
}
CONTENT_SECURITY_POLICY = {"DIRECTIVES": {**_CSP_COMMON, "script-src": ["'self'", CSP_NONCE]}}
# Wagtail's admin writes inline <script> tags without nonces (date pickers, inline panels).
CONTENT_SECURITY_POLICY_ADMIN = {
    "DIRECTIVES": {**_CSP_COMMON, "script-src": ["'self'", "'unsafe-inline'"], "frame-src": ["'self'"]},
}

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "accounts.context_processors.organisations",
            ],
        },
    },
]

# --- Database ------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'symbio.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)

# --- Cache ---------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
# core.cache.ResilientRedisCache: with Redis down, cache reads miss and writes are dropped
# (pages served uncached) instead of failing the request; short timeouts keep that quick.
REDIS_CACHE_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 2}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": REDIS_CACHE_OPTIONS,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Auth ----------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:dashboard"

# allauth: email is the login; verification is mandatory; TOTP MFA with recovery codes.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# A marketplace tells people plainly that their email is already registered (see README).
ACCOUNT_PREVENT_ENUMERATION = False
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
# User, email address, organisation and membership are created in one transaction.
ACCOUNT_FORMS = {"signup": "accounts.allauth_forms.AtomicSignupForm"}
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_RATE_LIMITS = {
    "login_failed": "5/5m/ip,5/5m/key",
    "login": "30/m/ip",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Symbio] "  # fallback only: e-mails use the site's brand (core.emails)
ACCOUNT_USER_DISPLAY = "accounts.adapters.user_display"  # the name entered, never a username
ACCOUNT_LOGOUT_ON_GET = False  # logout only by POST; it ends the server session
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Symbio"
# One way in (accounts/admin_auth.py): Wagtail's login, password and email screens defer to
# allauth's (rate limits, verification, MFA); MFA is required for staff (accounts/mfa.py).
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAIL_EMAIL_MANAGEMENT_ENABLED = False

# --- Internationalisation -----------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [Path(env.str("SYMBIO_LOCALE_PATH", default=str(BASE_DIR / "locale")))]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True
# Wagtail's account page offers every zone the system knows; Debian's list includes file names
# such as "localtime" and "posixrules" that browsers reject (RangeError on /admin/account/).
WAGTAIL_USER_TIME_ZONES = sorted(
    tz for tz in zoneinfo.available_timezones() if tz not in {"localtime", "posixrules", "Factory"}
)
WAGTAIL_I18N_ENABLED = False  # content is bilingual by field; see core.i18n.TranslatedField
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
CURRENCIES = ("CNY", "USD")
FORMS_URLFIELD_ASSUME_HTTPS = True

# --- Static and media -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Uploads nobody may fetch by URL (application documents); served by permission-checked views.
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Email ---------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Symbio <noreply@symbio.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Wagtail -------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Symbio"
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")  # the one site address (links in e-mails)
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # offline-safe avatars
# Wagtail's database backend, minus its full scan after every save on PostgreSQL (core/wagtail_search.py).
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "core.wagtail_search"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "txt", "xlsx", "zip", "png", "jpg"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 5 * 1024 * 1024
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False

# --- Search engine (catalogue) --------------------------------------------------------
ELASTICSEARCH_URL = env.str("ELASTICSEARCH_URL", default="")
SEARCH_ENGINE = "elasticsearch" if ELASTICSEARCH_URL else "database"
SEARCH_INDEX_PREFIX = env.str("SEARCH_INDEX_PREFIX", default="symbio")
# Elasticsearch (catalog/search/elastic; docs/search.md): shards and replicas of a new index, a
# search's time budget (one retry), a write's, how long a process serves search from the database
# engine after finding Elasticsearch unreachable, and when a rebuild's lock counts as abandoned.
ELASTICSEARCH_SHARDS = env.int("ELASTICSEARCH_SHARDS", default=1)
ELASTICSEARCH_REPLICAS = env.int("ELASTICSEARCH_REPLICAS", default=0)
ELASTICSEARCH_SEARCH_TIMEOUT = env.float("ELASTICSEARCH_SEARCH_TIMEOUT", default=1.5)
ELASTICSEARCH_WRITE_TIMEOUT = env.float("ELASTICSEARCH_WRITE_TIMEOUT", default=30.0)
ELASTICSEARCH_RETRY_AFTER = env.float("ELASTICSEARCH_RETRY_AFTER", default=10.0)
ELASTICSEARCH_REBUILD_STALE = env.int("ELASTICSEARCH_REBUILD_STALE", default=6 * 3600)
# With Elasticsearch, the database engine's index is kept current too: search falls back to it.
SEARCH_DATABASE_FALLBACK = env.bool("SEARCH_DATABASE_FALLBACK", default=True)
ELASTICSEARCH_NODE_CLASS = "urllib3"  # elastic_transport's HTTP client (a dotted path also works)
# Catalogue ranking (catalog.search; the formula is written out in docs/search.md):
#   score = relevance × (1 + quality_weight × quality) × (1 − stuffing penalty)
#   quality = Σ weight × signal, each signal in [0, 1]; rating is the Bayesian average
#   (C × m + Σ stars) / (C + n), with C = bayes_prior_count and m = bayes_prior_mean.
SEARCH_RANKING = {
    "bayes_prior_count": 10,  # C: how many reviews' worth of the prior mean a rating starts with
    "bayes_prior_mean": 3.5,  # m: the mean a listing with few reviews is pulled towards
    "quality_weight": 1.0,  # 0 = text relevance only; 1 = quality can at most double a score
    "signal_weights": {"rating": 0.4, "subscriptions": 0.3, "tier": 0.15, "freshness": 0.15},
    "subscriptions_saturation": 1000,  # log1p(subs) / log1p(this), capped at 1
    "tier_max_rank": 4,  # the longest ladder (service partners: registered … diamond)
    "freshness_half_life_days": 180,
    "field_weights": {"name": 1.0, "tagline": 0.4, "meta": 0.2, "body": 0.1},
    "exact_name_bonus": 1.0,  # added to relevance when the query is a listing's whole name
    "fuzzy_weight": 0.3,  # PostgreSQL trigram matches on names (typos) count this much
    "fuzzy_min_similarity": 0.45,
    "max_tags": 10,  # tags beyond this are not indexed and cost tag_penalty each
    "tag_penalty": 0.05,
    "max_word_share": 0.10,  # one word above this share of a description (of ≥ min words) …
    "repetition_min_words": 30,
    "repetition_penalty": 0.5,  # … costs this much
    "max_penalty": 0.8,
}
# Anonymous visitors without cookies get the same search page for the same URL: it is cached
# this long (and until the index changes; the CSRF token is filled in per request). 0 = off.
SEARCH_PAGE_CACHE_SECONDS = env.int("SEARCH_PAGE_CACHE_SECONDS", default=60)
# Page bodies cached until a version they were made with moves (core.fragments, docs/caching.md);
# the seconds only bound how long an unused entry stays. 0 = off.
FRAGMENT_CACHE_SECONDS = env.int("FRAGMENT_CACHE_SECONDS", default=86400)
# The release the fragments were rendered by (set it to the image's commit); empty = a digest of
# the source and template files' names, sizes and times, computed once per process.
FRAGMENT_CACHE_RELEASE = env.str("FRAGMENT_CACHE_RELEASE", default="")
# Saving or deleting any of these (or any Wagtail page) bumps the fragments' content version.
FRAGMENT_CACHE_MODELS = [
    *(f"catalog.{m}" for m in ("category", "listingtag", "listingplan", "listingscreenshot")),
    *(f"catalog.{m}" for m in ("listingversion", "listingdelisting", "catalogsettings", "searchsynonym")),
    *(f"marketplace.{m}" for m in ("review", "reviewreply", "reviewreport")),
    *(f"partners.{m}" for m in ("tier", "region", "industry", "partner", "certification", "certifiedperson")),
    *(f"billing.{m}" for m in ("planprice", "privateoffer", "subscription", "trial", "entitlement")),
    *(f"accounts.{m}" for m in ("user", "organisation", "membership")),
    "themes.brandingsettings",
    *(f"wagtailcore.{m}" for m in ("site", "locale", "pageviewrestriction")),
    "wagtailimages.image",
    *(f"taggit.{m}" for m in ("tag", "taggeditem")),
]

# Health snapshots: connections that score month chunks side by side (about one per database core).
HEALTH_SQL_WORKERS = env.int("HEALTH_SQL_WORKERS", default=2)

# Sections the apps above partners add to a partner's public profile page (templates, in order).
PARTNER_PROFILE_SECTIONS = [
    "marketplace/partner_profile/listings.html",
    "marketplace/partner_profile/ratings.html",
    "incentives/partner_profile/stars.html",
]

# --- Celery --------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_TASK_ACKS_LATE = True
# A worker process killed mid-task (OOM, SIGKILL) leaves its message to be delivered again
# instead of acknowledged and lost; tasks are idempotent (they take ids and re-check state).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Synced into django_celery_beat's table when beat starts. The heartbeat proves that beat
# schedules and a worker executes; the beat container's health check reads it.
CELERY_BEAT_SCHEDULE = {
    "core-heartbeat": {"task": "core.tasks.record_heartbeat", "schedule": 60.0},
    "core-search-title-norms": {"task": "core.tasks.refresh_search_title_norms", "schedule": 900.0},
    # tasks that could not be enqueued while the broker was down (core.tasks.enqueue)
    "core-drain-task-outbox": {"task": "core.tasks.drain_task_outbox", "schedule": 60.0},
    # searches queued in Redis by pages served whole (catalog.search.analytics), written in bulk
    "catalog-flush-search-log": {"task": "catalog.flush_search_log", "schedule": 10.0},
    # billing (billing/tasks/trials.py, subscriptions.py): trials, dunning
    "billing-expire-trials": {"task": "billing.expire_trials", "schedule": crontab(minute="*/15")},
    "billing-remind-trials": {"task": "billing.remind_trials", "schedule": crontab(minute=0, hour=9)},
    "billing-suspend-overdue": {"task": "billing.suspend_overdue_subscriptions", "schedule": 3600.0},
    # billing (billing/tasks/payouts.py, facts.py): statements, facts (fulfilment: partners' webhooks)
    "billing-monthly-statements": {
        "task": "billing.generate_monthly_statements",
        "schedule": crontab(minute=0, hour=2, day_of_month=1),
    },
    "billing-facts": {"task": "billing.report_billing_facts", "schedule": crontab(minute=30, hour=1)},
    # co-sell (cosell/tasks.py): protection ends, monthly facts
    "cosell-expire-protection": {"task": "cosell.expire_protection", "schedule": crontab(minute=5, hour=0)},
    "cosell-facts": {"task": "cosell.report_facts", "schedule": crontab(minute=40, hour=1)},
    "cosell-remind-expiring": {"task": "cosell.remind_expiring", "schedule": crontab(minute=0, hour=9)},
    "cosell-escalate-reviews": {"task": "cosell.escalate_reviews", "schedule": crontab(minute=20)},
    # health model (health/tasks/runs.py, catalog/tasks.py): facts, then snapshots
    "catalog-facts": {
        "task": "catalog.report_catalog_facts",
        "schedule": crontab(minute=0, hour=2, day_of_month=2),
    },
    "partners-health": {
        "task": "partners.compute_health",
        "schedule": crontab(minute=0, hour=4, day_of_month=3),
    },
    # demand (demand/tasks.py): overdue leads, expiry and directed fallback, monthly facts
    "demand-remind-overdue-leads": {"task": "demand.remind_overdue_leads", "schedule": crontab(minute=0)},
    "demand-expire-and-fall-back": {"task": "demand.expire_and_fall_back", "schedule": crontab(minute=20)},
    "demand-facts": {"task": "demand.report_facts", "schedule": crontab(minute=50, hour=1)},
    "demand-milestone-waiting": {
        "task": "demand.send_milestone_waiting_alerts",
        "schedule": crontab(minute=0, hour=8),
    },
    # partner API webhooks (partners/tasks/webhooks.py): retries due, event retention
    "partners-send-due-webhooks": {"task": "partners.send_due_webhooks", "schedule": 5.0},
    "partners-purge-events": {"task": "partners.purge_events", "schedule": crontab(minute=40, hour=3)},
    "api-purge-idempotent-responses": {"task": "api.purge_idempotent_responses", "schedule": 3600.0},
    # incentives (incentives/tasks.py): last month's stars and MDF facts, expiry at period end
    "incentives-stars": {
        "task": "incentives.compute_star_ratings",
        "schedule": crontab(minute=30, hour=2, day_of_month=2),
    },
    "incentives-expire": {"task": "incentives.expire", "schedule": crontab(minute=15, hour=0)},
    # health reports (health/tasks/reports.py): last quarter's ecosystem report, emailed
    "partners-quarterly-health-reports": {
        "task": "partners.send_quarterly_health_reports",
        "schedule": crontab(minute=0, hour=6, day_of_month=5, month_of_year="1,4,7,10"),
    },
    "health-partner-quarterly-reports": {  # each partner's own report, to its owners
        "task": "health.send_partner_quarterly_reports",
        "schedule": crontab(minute=0, hour=7, day_of_month=5, month_of_year="1,4,7,10"),
    },
}
CELERY_TIMEZONE = TIME_ZONE

# --- Payments ------------------------------------------------------------------------
STRIPE_SECRET_KEY = env.secret("STRIPE_SECRET_KEY", default="sk_test_12345")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="pk_test_12345")
STRIPE_WEBHOOK_SECRET = env.secret("STRIPE_WEBHOOK_SECRET", default="whsec_symbio_dev")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="")  # empty = real Stripe
# Connect calls (payout transfers) only; empty = STRIPE_API_BASE. `make run` points it at the
# recorded stand-in (billing/stripe_standin) because localstripe has no Connect API.
STRIPE_CONNECT_API_BASE = env.str("STRIPE_CONNECT_API_BASE", default="")
STRIPE_JS_URL = env.str(
    "STRIPE_JS_URL",
    default=f"{STRIPE_API_BASE}/js.stripe.com/v3/" if STRIPE_API_BASE else "https://js.stripe.com/v3/",
)
# Billing core: legacy Plans instead of Prices (default: on when STRIPE_API_BASE points at
# localstripe), Stripe client network retries, plan sync on publish (default: with a real worker).
STRIPE_LEGACY_PLANS = env.bool("STRIPE_LEGACY_PLANS", default=None)
STRIPE_MAX_NETWORK_RETRIES = env.int("STRIPE_MAX_NETWORK_RETRIES", default=2)
BILLING_SYNC_PLANS_ON_PUBLISH = env.bool("BILLING_SYNC_PLANS_ON_PUBLISH", default=None)
# Billing money: platform commission when no rule matches, USD→CNY for facts, fulfilment retries.


def _decimal_setting(var: str, default: str, low: str, high: str) -> Decimal:
    from decimal import InvalidOperation

    from django.core.exceptions import ImproperlyConfigured

    raw = env.str(var, default=default)
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = None
    if value is None or not Decimal(low) <= value <= Decimal(high):
        raise ImproperlyConfigured(f"{var}={raw!r} is not a number between {low} and {high}.")
    return value


BILLING_DEFAULT_COMMISSION_RATE = _decimal_setting("BILLING_DEFAULT_COMMISSION_RATE", "0.15", "0", "1")
BILLING_USD_CNY_RATE = _decimal_setting("BILLING_USD_CNY_RATE", "7.10", "0.01", "1000")
BILLING_FULFILMENT_MAX_ATTEMPTS = env.int("BILLING_FULFILMENT_MAX_ATTEMPTS", default=6)
BILLING_FULFILMENT_BACKOFF_SECONDS = env.int("BILLING_FULFILMENT_BACKOFF_SECONDS", default=60)
BILLING_FULFILMENT_TIMEOUT_SECONDS = env.int("BILLING_FULFILMENT_TIMEOUT_SECONDS", default=5)
# Partner fulfilment URLs must be public https addresses: core.outbound checks and connects.

# --- REST API ------------------------------------------------------------------------
# The partner API (api/): API keys, problem documents, per-key rate limits. Wagtail's admin API
# sets its own authentication and keeps DRF's error format (api.problems answers /api/ only).
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # API keys first; the session second only for Wagtail's own admin API (choosers), which is
    # DRF too. Partner API views require a key's scope (core.api.HasScope): a session is not enough.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ApiKeyRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "api.problems.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
}
# OAuth 2.0 client credentials for the partner API (api/oauth.py): a client is backed by an API
# key (partner, scopes, expiry, IP allow-list, rate limit); tokens live an hour.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "SCOPES_BACKEND_CLASS": "api.oauth.PartnerScopes",
    "OAUTH2_VALIDATOR_CLASS": "api.oauth.ClientCredentialsValidator",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Symbio partner API",
    "DESCRIPTION": (
        "The partner REST API: your profile, listings, subscriptions, entitlements, usage, money "
        "and webhooks. Authenticate with `Authorization: Bearer symb_…`; errors are "
        "`application/problem+json`. 伙伴 REST API：以 API 密钥认证，错误以 problem+json 返回。"
    ),
    "VERSION": "2026-12-01",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {  # several models call their state field "state"
        "LeadStateEnum": "demand.models.LeadState",
        "ProposalStateEnum": "demand.models.ProposalState",
        "RequirementStateEnum": "demand.models.RequirementState",
        "FundRequestStateEnum": "incentives.models.RequestState",
        "ProposalPricingModelEnum": "demand.models.PricingModel",
    },
    # Symbio's API only, not the Wagtail admin's internal one (also keeps `check --deploy` clean).
    "PREPROCESSING_HOOKS": ["config.schema.exclude_wagtail_admin_api"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_conventions",
    ],
}

# --- Logging -------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Wagtail's background-task runner logs every task start and end at INFO; WeasyPrint and
    # fontTools log each PDF step (fonts, subsetting).
    "loggers": {
        "django_tasks": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- Product ------------------------------------------------------------------------
SYMBIO_DEMO_PASSWORD = "symbio-demo-2026"

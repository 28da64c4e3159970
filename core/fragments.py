"""Fragment caching keyed on exact version tokens (issue #17): the one home for it.

A customer page's body (a listing's details, the home page's blocks, the partner directory, the
search app of the search and category pages) is rendered once and reused until something it shows
changes. Nothing here expires by time: an entry is used only while the **version tokens** it was
made with are still current, and the versions move when the data moves:

* ``content`` — ``bump_content_version()``, sent by ``post_save``/``post_delete``/``m2m_changed``
  of every Wagtail page and of the models listed in ``settings.FRAGMENT_CACHE_MODELS`` (listings,
  plans, prices, screenshots, versions, categories, reviews and their replies and reports,
  partners, tiers, industries, regions, organisations, users, subscriptions, trials, branding,
  sites, images, tags…), connected in ``core.apps``;
* the catalogue's own versions, registered by the apps that own them with ``register_version``
  (``catalog``: the search index version — bumped on every (re-)index, so also by the rating and
  subscription figures written with ``update()`` — and the taxonomy labels version);
* the date (freshness badges — "updated 3 months ago" — move with the days).

Each entry is also keyed on what the caller names (``parts``: a page's id, the normalised search
query, the currency…) plus the language, the host and full path, and the visitor's compare tray
ids. What belongs to one visitor is never stored: the CSRF token and the CSP nonce are stored as
placeholders and filled in per response (``fill_in``); signed-in visitors' pages that show
per-user content (the listing page's trial button and review form) are not cached at all
(``per_user=True``); the page shell (header with the user menu, messages, compare tray) is
rendered per request around the fragment — except for anonymous visitors without cookies, who get
whole pages stored the same way (``core.anonymous_pages``).

``FRAGMENT_CACHE_SECONDS`` only bounds how long an unused entry occupies memory; ``0`` turns
fragment caching off. The entries live in the default cache (Redis), shared by every worker.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import threading
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation

from core.cache import forget_request_reads, per_request

logger = logging.getLogger(__name__)

CONTENT_VERSION_KEY = "core.fragments.content.version"
CSRF_PLACEHOLDER = "csrfFragmentPlaceholder5d8e"
NONCE_PLACEHOLDER = "cspNonceFragmentPlaceholder2b7c"
_VERSIONS_MEMO = "core.fragments.versions"

_version_keys: dict[str, str] = {"content": CONTENT_VERSION_KEY}
_lock = threading.Lock()


def register_version(name: str, key: str) -> None:
    """Make the cache counter ``key`` (an integer another app bumps) part of every fragment's
    versions, under ``name``."""
    with _lock:
        _version_keys[name] = key


def enabled() -> bool:
    return bool(getattr(settings, "FRAGMENT_CACHE_SECONDS", 0))


def versions() -> tuple:
    """The current version tokens (one cache round trip a request), with today's date."""
    return per_request(_VERSIONS_MEMO, _read_versions)


def versions_with(keys) -> tuple[tuple, dict]:
    """``(versions(), cache.get_many(keys))`` in one round trip when the versions have not been
    read yet in this request (``core.anonymous_pages``: a whole page and its versions at once)."""
    found = None

    def read():
        nonlocal found
        current, found = _read_versions_with(keys)
        return current

    current = per_request(_VERSIONS_MEMO, read)
    if found is None:
        found = cache.get_many(keys)
    return current, found


@functools.cache
def release() -> str:
    """The code a fragment was rendered by: ``FRAGMENT_CACHE_RELEASE`` when a deploy sets it (the
    image's commit), else a digest of the names, sizes and modification times of the project's
    source and template files — so a deploy that changes a template or the code never serves
    markup the old code made (the entries live in Redis, which outlives the workers)."""
    configured = getattr(settings, "FRAGMENT_CACHE_RELEASE", "")
    if configured:
        return str(configured)
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    for folder in ("config", *settings.LOCAL_APPS):
        for path in sorted((base / folder).rglob("*")):
            if path.suffix in _CODE_SUFFIXES and "__pycache__" not in path.parts:
                stat = path.stat()
                digest.update(f"{path.relative_to(base)}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()[:16]


_CODE_SUFFIXES = frozenset({".py", ".html", ".txt", ".json", ".mo"})


#: Settings no page shows: where files are written (their URLs follow ``MEDIA_URL``). Every test
#: gives itself new media directories, and each change cost two cache round trips.
_UNSHOWN_SETTINGS = frozenset({"MEDIA_ROOT", "PRIVATE_MEDIA_ROOT"})


def on_setting_changed(setting=None, **_kwargs) -> None:
    """``setting_changed`` (tests' ``override_settings`` / the ``settings`` fixture): markup made
    under other settings is not reused."""
    if setting in ("FRAGMENT_CACHE_RELEASE", "BASE_DIR", "LOCAL_APPS"):
        release.cache_clear()
    # other caches hold none of these entries (and may be unreachable)
    if setting != "CACHES" and setting not in _UNSHOWN_SETTINGS:
        bump_content_version()


def _read_versions() -> tuple:
    return _read_versions_with(())[0]


def _read_versions_with(extra_keys) -> tuple[tuple, dict]:
    names = sorted(_version_keys)
    keys = [_version_keys[name] for name in names]
    found = cache.get_many([*keys, *extra_keys])
    values = []
    for key in keys:
        value = found.pop(key, None)
        if value is None:
            value = 1
            cache.add(key, value, None)
        values.append(value)
    return (*values, release(), timezone.localdate().isoformat()), found


_bumps = threading.local()


@contextmanager
def one_content_bump():
    """The content-version bumps inside count as one, made when the block ends (a page publish
    saves the page and each of its child rows: eleven cache increments for a listing, now one).
    Nested blocks leave it to the outermost; after an error the bumps made inside still count."""
    if getattr(_bumps, "pending", None) is not None:
        yield
        return
    _bumps.pending = False
    try:
        yield
    finally:
        bumped, _bumps.pending = _bumps.pending, None
        if bumped:
            bump_content_version()


def bump_content_version(**_kwargs) -> None:
    """Receiver (and function): something a customer page shows has changed."""
    if getattr(_bumps, "pending", None) is not None:
        _bumps.pending = True  # inside one_content_bump(): once, at its end
        return
    try:
        cache.incr(CONTENT_VERSION_KEY)
    except ValueError:
        cache.set(CONTENT_VERSION_KEY, 2, None)
    forget_request_reads()


def _tracked_labels() -> frozenset:
    return frozenset(label.lower() for label in getattr(settings, "FRAGMENT_CACHE_MODELS", ()))


#: Fields no customer page shows, written by saves that name only them (``update_fields``).
_UNSHOWN_FIELDS = frozenset({"last_login"})


def on_model_changed(sender, **kwargs) -> None:
    """``post_save``/``post_delete`` receiver for every model: bumps the content version for
    Wagtail pages and the models of ``FRAGMENT_CACHE_MODELS``; ignores the rest (logs, sessions,
    renditions…)."""
    if kwargs.get("raw"):
        return
    update_fields = kwargs.get("update_fields")
    if update_fields and set(update_fields) <= _UNSHOWN_FIELDS:
        return  # a sign-in's last_login: no page shows it, and every sign-in would empty the caches
    if _is_tracked(sender):
        bump_content_version()


def on_m2m_changed(sender, instance, action, **kwargs) -> None:
    if action.startswith("post_") and _is_tracked(type(instance)):
        bump_content_version()


def _is_tracked(model) -> bool:
    meta = getattr(model, "_meta", None)
    if meta is None:
        return False
    if meta.label_lower in _tracked_labels():
        return True
    from wagtail.models import Page

    return issubclass(model, Page)


# --- the fragments themselves ----------------------------------------------------------------------
_visitor_sources: dict[str, object] = {}


def register_visitor_part(name: str, source) -> None:
    """``source(request)`` → a hashable value of the visitor that changes fragments' markup (the
    marketplace registers the compare tray: cards show "In compare"). Part of every key."""
    with _lock:
        _visitor_sources[name] = source


def _visitor_parts(request) -> tuple:
    if request is None:
        return ()
    return tuple((name, source(request)) for name, source in sorted(_visitor_sources.items()))


def fragment_key(request, name: str, parts) -> str:
    where = f"{request.get_host()}{request.get_full_path()}" if request is not None else ""
    raw = repr((name, tuple(parts), translation.get_language(), where, _visitor_parts(request)))
    return f"fragment:{name}:{hashlib.sha256(raw.encode()).hexdigest()}"


def cacheable(request, *, per_user: bool = False) -> bool:
    if not enabled() or request is None or request.method != "GET":
        return False
    return not (per_user and request.user.is_authenticated)


def cached(request, name: str, parts, render, *, per_user: bool = False):
    """``render()``'s value (a dict with ``html`` — markup with the placeholders of
    ``strip_visitor`` — and anything else the caller keeps) for these parts at the current
    versions: from the cache, else rendered and stored. ``(value, hit)``."""
    if not cacheable(request, per_user=per_user):
        return render(), False
    key = fragment_key(request, name, parts)
    current = versions()
    try:
        entry = cache.get(key)
    except Exception:  # noqa: BLE001 - an unreadable entry (a changed class) is a miss
        logger.exception("Unreadable fragment %s", name)
        entry = None
    if entry is not None and entry.get("versions") == current:
        return entry["value"], True
    value = render()
    cache.set(key, {"versions": current, "value": value}, settings.FRAGMENT_CACHE_SECONDS)
    return value, False


def strip_visitor(request, html: str) -> str:
    """Markup rendered for this request, with its CSP nonce made a placeholder (the CSRF token is
    rendered as ``CSRF_PLACEHOLDER`` in the first place: ``render_context``)."""
    nonce = str(getattr(request, "csp_nonce", "") or "") if request is not None else ""
    if nonce:
        html = html.replace(nonce, NONCE_PLACEHOLDER)
    return html


def fill_in(request, html: str) -> str:
    """Put this response's CSRF token and CSP nonce into stored markup."""
    if CSRF_PLACEHOLDER in html:
        from django.middleware.csrf import get_token

        html = html.replace(CSRF_PLACEHOLDER, get_token(request))
    if NONCE_PLACEHOLDER in html:
        # reading the nonce puts it into this response's CSP header
        html = html.replace(NONCE_PLACEHOLDER, str(getattr(request, "csp_nonce", "")))
    return html

"""The search page's own page cache: anonymous visitors without cookies share the page of a URL
while the index and the taxonomy it was made from are current (``SEARCH_PAGE_CACHE_SECONDS``),
in the shared cache and, for ``LOCAL_SECONDS``, in each worker's memory.

The CSRF token and CSP nonce are ``core.fragments``' placeholders (``strip_visitor`` /
``fill_in``); the id of the visitor's search in the analytics is the search page's own
placeholder, filled in per request.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import translation

from catalog.search.base import INDEX_VERSION_KEY, index_version, local_generation
from catalog.search.facets import LABELS_VERSION_KEY, labels_version
from core import fragments

QID_PLACEHOLDER = "qidPlaceholder4b2d"


def page_cache_key(request) -> str | None:
    """Anonymous, cookie-less GETs share the page of a URL (until the index or the taxonomy
    changes, at most ``SEARCH_PAGE_CACHE_SECONDS``): nothing on it is theirs but the CSRF token,
    the CSP nonce of its inline scripts and the id of their search in the analytics, all filled in
    per request."""
    seconds = getattr(settings, "SEARCH_PAGE_CACHE_SECONDS", 0)
    if not seconds or request.method != "GET" or request.user.is_authenticated:
        return None
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES:
        return None
    htmx = "h" if getattr(request, "htmx", False) and not getattr(request.htmx, "boosted", False) else "p"
    digest = hashlib.sha256(f"{request.get_host()}{request.get_full_path()}".encode()).hexdigest()
    return f"search:page:{translation.get_language()}:{htmx}:{digest}"


# Each worker also keeps the pages it served in the last LOCAL_SECONDS (a micro-cache: a popular
# query costs no cache round trip). Changes made by this process empty it at once; changes made
# elsewhere show within LOCAL_SECONDS.
LOCAL_SECONDS = 2.0
LOCAL_MAX = 256
_local: dict = {}


def cached_page(cache_key: str) -> tuple[dict | None, tuple]:
    """The cached entry if it was made from the current index and taxonomy (one cache round trip
    for the entry and both version numbers, or none from the micro-cache), and those versions."""
    local_key = (cache_key, local_generation())
    held = _local.get(local_key)
    if held is not None and held[0] > time.monotonic():
        return held[1], held[1]["versions"]
    entry, versions = _shared_page(cache_key)
    if entry is not None:
        remember(local_key, entry)
    return entry, versions


def remember(local_key, entry) -> None:
    if len(_local) >= LOCAL_MAX:
        _local.clear()
    _local[local_key] = (time.monotonic() + LOCAL_SECONDS, entry)


def _shared_page(cache_key: str) -> tuple[dict | None, tuple]:
    found = cache.get_many([cache_key, INDEX_VERSION_KEY, LABELS_VERSION_KEY])
    versions = (found.get(INDEX_VERSION_KEY), found.get(LABELS_VERSION_KEY))
    if None in versions:
        versions = (index_version(), labels_version())
    entry = found.get(cache_key)
    if entry is not None and tuple(entry["versions"]) == versions:
        return entry, versions
    return None, versions


def fill_in_page(request, html: str, query_log_id) -> HttpResponse:
    # this response's own token and nonce (a page stored with another request's nonce would have
    # its inline scripts refused)
    html = fragments.fill_in(request, html).replace(QID_PLACEHOLDER, str(query_log_id or ""))
    response = HttpResponse(html)
    response["Vary"] = "HX-Request, Accept-Language, Cookie"
    return response

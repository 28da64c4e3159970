"""Whole pages shared by anonymous visitors, cached on the fragments' versions (issue #17).

A visitor with no session cookie and no messages cookie is anonymous and has nothing of their own
on a customer page but the CSRF token and the CSP nonce: the page shell (header, language menus,
footer) and the body are the same for every such visitor of a URL. ``AnonymousPageMiddleware``
keeps the whole rendered page of the pages that say so — Wagtail pages whose class sets
``shared_anonymous_page = True`` (listing, home, partner directory) and views decorated with
``shared_anonymous_page`` (category, industry and search pages) — keyed like a fragment
(``core.fragments.fragment_key``: language, host, full path, the visitor parts such as the compare
tray, plus the scheme) and valid while the fragments' versions are the ones it was made with
(``core.fragments``: content, index, labels, release, date). A hit is **one cache round trip**
(the versions and the page in one ``get_many``), no session, no SQL, no rendering: the stored
markup gets this response's own CSRF token and CSP nonce (``core.fragments.fill_in``). A view that
records each request (the search page's analytics row) does it on a hit through its ``on_hit``.

Never stored: signed-in visitors' pages, a response that queued a message or wrote the session,
anything but a 200 HTML answer to a GET, htmx requests, pages behind a view restriction, and
responses marked private or no-store. Visitors with a session cookie (signed in, a compare tray,
a message waiting) always get their page rendered: the shell with their user menu and messages,
and the fragments of ``core.fragments`` inside.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from wagtail import views as wagtail_views

from core import fragments
from core.page_routes import unrestricted

#: A masked CSRF token as ``get_token`` writes it (64 letters and digits).
_MASKED_TOKEN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")
_NOT_REPLAYED = frozenset({"content-length", "set-cookie"})


def shared_anonymous_page(view=None, *, on_hit=None):
    """Mark a view whose GET answer is the same for every anonymous visitor of a URL (nothing
    per request but the CSRF token and the nonce: no session write). A view that records
    something per request (the search page: its analytics row) gives ``on_hit(request, replay)``,
    called on every hit with what the request that rendered the page put in
    ``request.anonymous_page_replay`` (stored with the page)."""

    def mark(view):
        view.shared_anonymous_page = True
        view.anonymous_page_on_hit = on_hit
        return view

    return mark(view) if view is not None else mark


def eligible(request) -> bool:
    """An anonymous GET that can be served a shared page: no session or messages cookie (so no
    user, no compare tray, no message waiting), not htmx."""
    return (
        fragments.enabled()
        and request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and "HTTP_HX_REQUEST" not in request.META
    )


def page_key(request) -> str:
    return fragments.fragment_key(request, "page", (request.scheme,))


class AnonymousPageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        key = getattr(request, "_anonymous_page_key", None)
        if key is not None and _storable(request, response):
            entry = {
                "versions": request._anonymous_page_versions,
                "html": _strip(request, response.content.decode(response.charset)),
                "status": response.status_code,
                "headers": [(k, v) for k, v in response.items() if k.lower() not in _NOT_REPLAYED],
                "replay": getattr(request, "anonymous_page_replay", None),
            }
            cache.set(key, entry, settings.FRAGMENT_CACHE_SECONDS)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        shared_view = getattr(view_func, "shared_anonymous_page", False)
        if not (shared_view or view_func is wagtail_views.serve) or not eligible(request):
            return None
        key = page_key(request)
        current, found = fragments.versions_with([key])
        entry = found.get(key)
        if entry is not None and entry.get("versions") == current:
            response = HttpResponse(fragments.fill_in(request, entry["html"]), status=entry["status"])
            for name, value in entry["headers"]:
                response[name] = value
            patch_vary_headers(response, ("Cookie",))
            on_hit = getattr(view_func, "anonymous_page_on_hit", None)
            if on_hit is not None:
                on_hit(request, entry.get("replay"))
            return response
        request._anonymous_page_key = key
        request._anonymous_page_versions = current
        request._anonymous_page_view = shared_view
        return None


def _storable(request, response) -> bool:
    if response.status_code != 200 or response.streaming or "html" not in response.get("Content-Type", ""):
        return False
    cache_control = response.get("Cache-Control", "")
    if "private" in cache_control or "no-store" in cache_control:
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    session = getattr(request, "session", None)
    if session is not None and (session.modified or session.session_key):
        return False
    storage = getattr(request, "_messages", None)
    if storage is not None and getattr(storage, "_queued_messages", None):
        return False
    if request._anonymous_page_view:
        return True
    route = getattr(request, "_wagtail_route_for_request", None)
    if not route:
        return False
    page = route[0]
    return bool(getattr(type(page), "shared_anonymous_page", False)) and unrestricted(page)


def _strip(request, html: str) -> str:
    """This response's markup without what is the visitor's own: every CSRF token masked from their
    secret becomes ``CSRF_PLACEHOLDER``, their nonce ``NONCE_PLACEHOLDER``."""
    secret = request.META.get("CSRF_COOKIE")
    if secret:
        from django.middleware.csrf import _unmask_cipher_token

        def placeholder(match):
            token = match.group(0)
            return fragments.CSRF_PLACEHOLDER if _unmask_cipher_token(token) == secret else token

        html = _MASKED_TOKEN.sub(placeholder, html)
    return fragments.strip_visitor(request, html)

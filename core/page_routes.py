"""Wagtail's page routing, cached on the fragments' versions (issue #17).

Serving a Wagtail page walks the tree (one query per level: five for a listing page), finds the
Site, and checks the view restrictions of the page and its ancestors (two more queries), before
the page does anything. ``CachedPageRouteMiddleware`` keeps, per host, language and path, the
route Wagtail found (the specific page instance, pickled, with its routing arguments), the Site
and whether any view restriction applies, in the default cache with the ``core.fragments``
versions: any page saved, moved, published, unpublished or deleted, any Site or view restriction
changed bumps the content version, and the next request routes afresh. A hit costs no query.

Only GETs to ``wagtail.views.serve``; pages behind a view restriction are routed and checked by
Wagtail as usual (only "no restriction" is remembered).
"""

from __future__ import annotations

import hashlib
import pickle

from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from wagtail import views as wagtail_views
from wagtail.models import Page

from core import fragments


def _no_restrictions():
    return ()


class CachedPageRouteMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if view_func is not wagtail_views.serve or not fragments.cacheable(request):
            return None
        if hasattr(request, "_wagtail_route_for_request"):
            return None
        path = view_kwargs.get("path", view_args[0] if view_args else "")
        raw = repr((request.get_host(), request.get_port(), path, translation.get_language()))
        key = f"route:{hashlib.sha256(raw.encode()).hexdigest()}"
        current = fragments.versions()
        entry = cache.get(key)
        if entry is not None and entry["versions"] == current:
            route = pickle.loads(entry["route"])  # noqa: S301 - written by this module only
            request._wagtail_site = entry["site"]
            request._wagtail_route_for_request = route
            if route is not None and entry["open"]:
                route[0].get_view_restrictions = _no_restrictions
            return None
        route = Page.route_for_request(request, path)
        site = getattr(request, "_wagtail_site", None)
        if site is None:
            return None
        snapshot = pickle.dumps(route)  # before serving: nothing of this request's rendering in it
        value = {"versions": current, "site": site, "route": snapshot, "open": True}
        if route is None:
            cache.set(key, value, settings.FRAGMENT_CACHE_SECONDS)
        else:
            # Wagtail's before_serve_page hook asks anyway: remember its answer, no extra query
            route[0].get_view_restrictions = _Probe(route[0], key, value)
        return None


def unrestricted(page) -> bool:
    """No view restriction applies to ``page`` (the answer this middleware already has, if any)."""
    check = page.get_view_restrictions
    if check is _no_restrictions:
        return True
    if isinstance(check, _Probe) and check.open is not None:
        return check.open
    return not list(Page.get_view_restrictions(page))


class _Probe:
    """Stands for a page's ``get_view_restrictions`` on a miss: answers as Wagtail would and
    stores the route with whether any restriction applies. Picklable (the page may be cached)."""

    def __init__(self, page, key, value):
        self.page, self.key, self.value = page, key, value
        self.open = None

    def __call__(self):
        restrictions = list(Page.get_view_restrictions(self.page))
        self.open = not restrictions
        cache.set(self.key, {**self.value, "open": self.open}, settings.FRAGMENT_CACHE_SECONDS)
        return restrictions

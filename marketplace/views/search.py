"""The catalogue search page, its autocomplete and click-through logging (``/search/…``).

Thin views over ``catalog.search``: everything a visitor can put in the URL is cleaned there
(unknown facets and values ignored, numbers clamped, text cut to 200 characters), so a bad
query string gets a normal page. htmx requests get only the search app fragment.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from types import SimpleNamespace
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from catalog.search import SORTS, popular_categories, search, suggest
from catalog.search.analytics import log_click, log_search, session_hash
from catalog.search.base import MAX_PAGE, SearchResult, local_generation
from catalog.search.facets import FACETS, facet_options
from catalog.search.text import MAX_QUERY_LENGTH
from catalog.selectors.listings import live_listings
from core import anonymous_pages, fragments
from marketplace.selectors.cards import page_currency
from marketplace.views.search_cache import (
    QID_PLACEHOLDER,
    cached_page,
    fill_in_page,
    page_cache_key,
    remember,
)

logger = logging.getLogger(__name__)
PER_PAGE = 20
SORT_LABELS = {
    "relevance": gettext_lazy("Relevance"),
    "rating": gettext_lazy("Highest rated"),
    "newest": gettext_lazy("Newest"),
    "subscribed": gettext_lazy("Most subscribed"),
    "price": gettext_lazy("Lowest price"),
}


def visitor_hash(request) -> str:
    session = getattr(request, "session", None)
    key = session.session_key if session is not None else None
    if key:
        return session_hash("s", key)
    return session_hash(
        "a",
        request.META.get("REMOTE_ADDR", ""),
        request.META.get("HTTP_USER_AGENT", "")[:200],
        timezone.localdate().isoformat(),
    )


def _query_string(params: list[tuple[str, str]]) -> str:
    return urlencode(params)


def _state(result: SearchResult, currency: str, scope=()) -> list[tuple[str, str]]:
    """The URL parameters that reproduce ``result`` (without ``page``; without the page's fixed
    ``scope`` facets, which its URL carries)."""
    params = []
    if result.text:
        params.append(("q", result.text))
    for facet in FACETS:
        if facet.key in scope:
            continue
        for value in result.filters.get(facet.key, ()):
            params.append((facet.key, value))
    if result.sort != "relevance":
        params.append(("sort", result.sort))
    if currency:
        params.append(("currency", currency))
    return params


def _cards(result: SearchResult, currency: str) -> dict[int, dict]:
    """{listing id: card dict} of the hits (``marketplace.selectors.cards``: three queries)."""
    from marketplace.selectors.cards import listing_cards

    return {
        card["pk"]: card for card in listing_cards([hit.listing_id for hit in result.hits], currency=currency)
    }


def _context(request, result: SearchResult, currency_param: str, query_log_id, view=None) -> dict:
    view = view or SearchView()
    search_url = view.base_url or reverse("search")
    state = _state(result, currency_param, view.scope)
    base = _query_string(state)
    english = translation.get_language().startswith("en")

    def url_without(key, value):
        return f"{search_url}?{_query_string([(k, v) for k, v in state if not (k == key and v == value)])}"

    active = []
    for facet in FACETS:
        if facet.key in view.scope:
            continue
        chosen = result.filters.get(facet.key, ())
        if not chosen:
            continue
        labels = {value: label for value, label, _depth in facet_options(facet.key)}
        for value in chosen:
            active.append(
                {
                    "facet": facet.label,
                    "label": labels.get(value, value),
                    "remove_url": url_without(facet.key, value),
                }
            )
    cards = []
    click_url = reverse("search_click")
    prepared = _cards(result, page_currency(currency_param))
    start = (result.page - 1) * result.per_page + 1
    for position, hit in enumerate(result.hits, start=start):
        document = hit.document
        card = prepared.get(hit.listing_id)
        if card is not None:
            url = card["url"]
        elif english:
            url = document.get("url_en") or document.get("url")
        else:
            url = document.get("url") or document.get("url_en")
        params = [("listing", hit.listing_id), ("pos", position)]
        if result.text:
            params.insert(0, ("q", result.text))
        if query_log_id:
            params.append(("qid", query_log_id))
        entry = {"hit": hit, "card": card, "url": url, "position": position}
        entry["click_url"] = f"{click_url}?{urlencode(params)}"
        if card is None:  # the index is ahead of the database: a minimal card from the index
            entry["document"] = document
            entry["title"] = (
                (document.get("title_en") if english else document.get("title"))
                or document.get("title")
                or document.get("title_en")
            )
            entry["tagline"] = (
                (document.get("tagline_en") if english else document.get("tagline"))
                or document.get("tagline")
                or document.get("tagline_en")
            )
            entry["partner"] = (
                document.get("partner_name_en") if english else document.get("partner_name")
            ) or document.get("partner_name")
        cards.append(entry)
    facets = []
    for facet in FACETS:
        values = result.facets.get(facet.key, []) if facet.key not in view.scope else []
        if values:
            facets.append(
                {
                    "key": facet.key,
                    "label": facet.label,
                    "values": [
                        {
                            "value": fv.value,
                            "label": fv.label,
                            "count": fv.count,
                            "selected": fv.selected,
                            "depth": result.depths.get(fv.value, 0),
                            "id": f"facet-{facet.key}-{fv.value}",
                        }
                        for fv in values
                    ],
                    "single": facet.key == "rating",
                    "any_selected": any(fv.selected for fv in values),
                }
            )
    popular = []
    if not result.total:
        try:
            labels = {value: label for value, label, _depth in facet_options("category")}
            popular = [
                {
                    "label": labels.get(slug, slug),
                    "count": n,
                    "url": f"{search_url}?{urlencode({'category': slug})}",
                }
                for slug, n in popular_categories(6)
            ]
        except Exception:  # noqa: BLE001 - help on an empty page is optional
            logger.exception("Popular categories unavailable")
    page_url = f"{search_url}?{base}&page=" if base else f"{search_url}?page="
    return {
        "result": result,
        "cards": cards,
        "facets": facets,
        "active_filters": active,
        "clear_url": f"{search_url}?{_query_string([('q', result.text)])}" if result.text else search_url,
        "sorts": [(value, SORT_LABELS[value]) for value in SORTS],
        "currency": currency_param,
        "page_url": page_url,
        "previous_url": f"{page_url}{result.page - 1}" if result.has_previous else "",
        "next_url": f"{page_url}{result.page + 1}" if result.has_next else "",
        "did_you_mean_url": f"{search_url}?{urlencode({'q': result.did_you_mean})}"
        if result.did_you_mean
        else "",
        **_correction_urls(result, search_url, state),
        "popular_categories": popular,
        "max_query_length": MAX_QUERY_LENGTH,
        "hide_header_search": True,
        "canonical_url": request.build_absolute_uri(f"{search_url}?{base}" if base else search_url),
        "search_url": search_url,
        "heading": view.heading,
        **view.extra,
    }


def _correction_urls(result: SearchResult, search_url: str, state) -> dict:
    """Links of the "Showing results for …; search instead for …" line (filters kept)."""
    if not result.corrected:
        return {}
    others = [(k, v) for k, v in state if k != "q"]
    return {
        "corrected_url": f"{search_url}?{_query_string([('q', result.corrected), *others])}",
        "original_url": f"{search_url}?{_query_string([('q', result.text), *others, ('exact', '1')])}",
    }


def _log(request, summary: dict, language: str, *, buffered: bool = False):
    return log_search(
        result=SimpleNamespace(**summary), language=language, session=visitor_hash(request), buffered=buffered
    )


@dataclass(frozen=True)
class SearchView:
    """What makes a page the search page or a browse page built on it (a category, an
    industry): facets fixed by the page (``scope``: facet key → value, not shown as filters),
    its own URL, heading, template and extra context, and whether its searches go into the
    search analytics."""

    scope: dict = field(default_factory=dict)
    base_url: str = ""
    heading: str = ""
    extra: dict = field(default_factory=dict)
    log: bool = True
    template: str = "marketplace/search/page.html"


def _record_replayed_search(request, replay) -> None:
    """A search page served whole (``core.anonymous_pages``): its search recorded as the request
    that rendered it recorded it (queued; the same query, filters, sort and result count — the
    stored page is valid only while the index and labels it was made with are current)."""
    if replay and replay.get("search"):
        _log(request, replay["search"], translation.get_language(), buffered=True)


@anonymous_pages.shared_anonymous_page(on_hit=_record_replayed_search)
@require_http_methods(["GET", "HEAD"])
def search_page(request):
    return serve(request, SearchView())


def _whole(request, view: SearchView) -> bool:
    """Whether this response may be served whole to the next anonymous visitors
    (``core.anonymous_pages``): then its search is queued, with no id in the result links (the
    page is theirs too), and what the hits record is kept with the page."""
    return view.log and anonymous_pages.eligible(request)


def serve(request, view: SearchView):
    """The search page for ``view``: page cache, the one search call, analytics, rendering."""
    params = request.GET.copy()
    for key, value in view.scope.items():
        params.setlist(key, [value])
    language = translation.get_language()
    whole = _whole(request, view)
    cache_key = page_cache_key(request)
    versions = None
    if cache_key:
        cached, versions = cached_page(cache_key)
        if cached is not None:  # the hot path: the row is queued and written in bulk
            _log_request(request, cached["log"], language, whole=True)
            return fill_in_page(request, cached["html"], None)
    currency = (params.get("currency") or "").upper()
    currency = currency if currency in ("CNY", "USD") else ""
    htmx = bool(getattr(request, "htmx", False)) and not getattr(request.htmx, "boosted", False)
    if not cache_key and fragments.cacheable(request):
        return _serve_fragment(request, view, params, currency, language, htmx, whole)
    try:
        result = _search(params, currency, language)
    except Exception:  # an unreachable engine is a 503 with a message, never a 500
        return _unavailable(request, params)
    summary = _summary(request, view, result)
    query_log_id = _log_request(request, summary, language, whole)
    template = "marketplace/search/_app.html" if htmx else view.template
    if cache_key:
        context = _context(request, result, currency, QID_PLACEHOLDER if summary else None, view)
        html = render_to_string(template, {**context, "csrf_token": fragments.CSRF_PLACEHOLDER}, request)
        html = fragments.strip_visitor(request, html)
        entry = {"html": html, "log": summary, "versions": versions}
        cache.set(cache_key, entry, settings.SEARCH_PAGE_CACHE_SECONDS)
        remember((cache_key, local_generation()), entry)
        return fill_in_page(request, html, query_log_id)
    response = render(request, template, _context(request, result, currency, query_log_id, view))
    response["Vary"] = "HX-Request, Accept-Language, Cookie"
    return response


def _search(params, currency: str, language: str) -> SearchResult:
    return search(
        text=params.get("q", ""),
        filters=params,
        sort=params.get("sort", "relevance"),
        page=params.get("page", 1),
        per_page=PER_PAGE,
        language=language,
        currency=currency or None,
        correct=params.get("exact") != "1",
        relax=True,
    )


def _unavailable(request, params):
    logger.exception("Search failed")
    return render(
        request,
        "marketplace/search/unavailable.html",
        {"query": (params.get("q") or "")[:MAX_QUERY_LENGTH], "hide_header_search": True},
        status=503,
    )


def _summary(request, view: SearchView, result: SearchResult) -> dict | None:
    """What the search analytics record of this search (first pages of logged views only)."""
    if view.log and result.page == 1 and request.method == "GET":
        return {
            "text": result.text,
            "filters": result.filters,
            "sort": result.sort,
            "total": result.total,
            "engine": result.engine,
        }
    return None


class _Unavailable(Exception):
    pass


def _log_request(request, summary: dict | None, language: str, whole: bool):
    """Record this request's search (``summary``, ``None`` for none); its id, or ``None`` for a
    page served whole to the next visitors (queued, and replayed on their hits)."""
    if whole:
        request.anonymous_page_replay = {"search": summary}
    if not summary:
        return None
    return _log(request, summary, language, buffered=whole)


def _serve_fragment(request, view: SearchView, params, currency: str, language: str, htmx: bool, whole: bool):
    """The search app (results, facets, paging) as a cached fragment (``core.fragments``: keyed
    on the URL — query, filters, sort, page, currency —, the language, the compare tray and the
    index, labels and content versions); the page around it, the CSRF token, the CSP nonce and the
    search's analytics row (its id in the result links) are this request's own."""

    def render_app():
        try:
            result = _search(params, currency, language)
        except Exception as exc:
            raise _Unavailable from exc
        summary = _summary(request, view, result)
        context = _context(request, result, currency, QID_PLACEHOLDER if summary else None, view)
        html = render_to_string(
            "marketplace/search/_app.html",
            {**context, "csrf_token": fragments.CSRF_PLACEHOLDER, "card_env": None},
            request,
        )
        head = {
            "result": {"text": result.text},
            "active_filters": len(context["active_filters"]),
            "canonical_url": context["canonical_url"],
        }
        return {"html": fragments.strip_visitor(request, html), "log": summary, "head": head}

    parts = (view.template, htmx, sorted(view.scope.items()), str(view.heading))
    try:
        entry, _hit = fragments.cached(request, "search-app", parts, render_app)
    except _Unavailable:
        return _unavailable(request, params)
    query_log_id = _log_request(request, entry["log"], language, whole)
    if htmx:
        return fill_in_page(request, entry["html"], query_log_id)
    html = fragments.fill_in(request, entry["html"]).replace(QID_PLACEHOLDER, str(query_log_id or ""))
    context = {
        **entry["head"],
        "app_html": mark_safe(html),  # noqa: S308 - rendered markup
        "hide_header_search": True,
        "search_url": view.base_url or reverse("search"),
        "heading": view.heading,
        **view.extra,
    }
    response = render(request, view.template, context)
    response["Vary"] = "HX-Request, Accept-Language, Cookie"
    return response


@require_http_methods(["GET"])
def search_suggest(request):
    query = (request.GET.get("q") or "")[:MAX_QUERY_LENGTH]
    try:
        suggestions = suggest(query, language=translation.get_language(), limit=10)
    except Exception:  # noqa: BLE001 - autocomplete degrades to nothing
        logger.exception("Suggestions failed")
        suggestions = []
    search_url = reverse("search")
    for item in suggestions:
        if item["kind"] == "category":
            item["url"] = f"{search_url}?{urlencode({'category': item['value']})}"
    response = JsonResponse({"query": query, "suggestions": suggestions[:10]})
    response["Cache-Control"] = "max-age=60"
    return response


def _positive_int(value, *, high: int) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= high else None


@csrf_exempt  # a sendBeacon POST carries no token; it only records a click
@require_http_methods(["GET", "POST"])
def search_click(request):
    """Record that a search result was opened, then go to that listing's own URL (GET) or answer
    204 (a ``navigator.sendBeacon`` POST). Only live listings: never an open redirect."""
    data = request.POST if request.method == "POST" else request.GET
    listing_id = _positive_int(data.get("listing"), high=2**62)
    if listing_id is None:
        return HttpResponseBadRequest(_("Which listing? The link is incomplete."), content_type="text/plain")
    page = live_listings().filter(pk=listing_id).first()
    if page is None:
        raise Http404(_("That listing is not available."))
    position = _positive_int(data.get("pos"), high=MAX_PAGE * 100) or 0
    query_log_id = _positive_int(data.get("qid"), high=2**62)
    if position:
        log_click(
            listing_id=page.pk,
            position=position,
            query=(data.get("q") or "")[:MAX_QUERY_LENGTH],
            query_log_id=query_log_id,
            session=visitor_hash(request),
        )
    if request.method == "POST":
        return HttpResponse(status=204)
    return redirect(page.get_url(request) or reverse("search"))

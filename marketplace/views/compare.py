"""Compare up to four listings side by side; the tray lives in the session."""

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from catalog.models import ListingPage
from core.limits import db_int
from marketplace.selectors import listings as selectors
from marketplace.services import compare as tray


def compare(request):
    """``/compare/?ids=12,34,crm-suite``: those listings (ids or slugs, order kept); else the tray."""
    notes = []
    raw = ",".join(request.GET.getlist("ids"))
    if raw:
        tokens = tray.parse_tokens(raw)
        ids, unknown = selectors.resolve_listing_tokens(tokens)
        if unknown:
            notes.append(str(tray.UNKNOWN_IGNORED % {"tokens": ", ".join(unknown[:10])}))
        if len(ids) > tray.MAX_COMPARE:
            notes.append(str(tray.TOO_MANY % {"max": tray.MAX_COMPARE}))
            ids = ids[: tray.MAX_COMPARE]
        tray.replace_tray(request.session, ids)
    else:
        ids = tray.tray_ids(request.session)
    listings = selectors.compare_listings(ids)
    return render(
        request,
        "marketplace/compare.html",
        {
            "listings": listings,
            "notes": notes,
            "max_compare": tray.MAX_COMPARE,
            "share_ids": ",".join(str(listing.pk) for listing in listings),
        },
    )


def _listing_id(request) -> int:
    listing_id = db_int(request.POST.get("listing", ""), low=1)
    if listing_id is None:
        raise Http404
    return listing_id


def _back(request):
    target = request.POST.get("next") or request.headers.get("referer") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        target = "/"
    return HttpResponseRedirect(target)


def _toggle_response(request, listing, change):
    if request.htmx:
        return render(
            request,
            "marketplace/includes/compare_toggle_response.html",
            {"listing": listing, "selected": listing.pk in change.ids, "tray_message": change.message},
        )
    if change.message:
        level = messages.SUCCESS if change.changed else messages.WARNING
        messages.add_message(request, level, change.message)
    return _back(request)


def _live_listing(request):
    found = selectors.tray_listings([_listing_id(request)])
    if not found:
        raise Http404
    return found[0]


@require_POST
def compare_add(request):
    listing = _live_listing(request)
    return _toggle_response(request, listing, tray.add_to_tray(request.session, listing.pk))


@require_POST
def compare_remove(request):
    listing_id = _listing_id(request)
    change = tray.remove_from_tray(request.session, listing_id)
    listing = ListingPage.objects.filter(pk=listing_id).first()
    if listing is None:
        return _back(request)
    return _toggle_response(request, listing, change)


@require_POST
def compare_clear(request):
    tray.clear_tray(request.session)
    return _back(request)

"""Listing cards and facet options rendered in Python. ``{% load cards %}``.

The search page, category pages and the home page show 20-odd cards and up to a hundred facet
options; as Django templates (one include per card, a ``blocktranslate`` per option) they were
most of an uncached page's cost (issue #17: ~0.3 ms a card, ~5 ms a facet sidebar). The markup
lives here instead, in one place, from the plain card dicts of ``marketplace.selectors.cards``,
with every value escaped by ``escape``/``format_html``. Measured in ``benchmarks/pages.py``.

``{% card_env %}``
    Once per page before the cards: icon sprite, compare tray ids and URLs, the return path.
``{% listing_card card hit %}``
    One card (``hit``: a search hit with highlights and snippet, or nothing).
``{% listing_card_grid cards %}``
    Cards one after another (a grid's children).
``{% facet_options facet %}``
    A facet's options (checkboxes or radios with counts) for the search sidebar.
"""

from __future__ import annotations

import html

from django import template
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


def _icon(sprite: str, name: str) -> str:
    return (
        f'<svg class="icon" aria-hidden="true" focusable="false"><use href="{sprite}#i-{name}"></use></svg>'
    )


@register.simple_tag(takes_context=True)
def card_env(context):
    """What every card of a page shares, put into the context once."""
    from marketplace.services.compare import tray_ids

    request = context.get("request")
    ids = getattr(request, "_compare_ids", None)
    if ids is None:
        session = getattr(request, "session", None)
        ids = tray_ids(session) if session is not None else []
        if request is not None:
            request._compare_ids = ids
    context["card_env"] = {
        "sprite": escape(static("themes/icons/sprite.svg")),
        "compare_ids": set(ids),
        "add_url": escape(reverse("marketplace:compare-add")),
        "remove_url": escape(reverse("marketplace:compare-remove")),
        "next": escape(request.get_full_path()) if request is not None else "",
        "csrf": escape(str(context.get("csrf_token") or "")),
        "in_compare": escape(_("In compare")),
        "compare": escape(_("Compare")),
        "free_trial": escape(_("Free trial")),
    }
    return ""


def render_card(card: dict, env: dict, hit=None) -> str:
    highlights = getattr(hit, "highlights", None) or {}
    e = escape
    sprite = env["sprite"]
    title = highlights.get("title") or e(card["title"])  # highlights are already safe HTML
    parts = [
        f'<article class="card card--link listing-card" data-listing="{card["pk"]}"><div class="card-body">'
    ]
    parts.append('<div class="listing-card__head">')
    logo = card.get("logo")
    if logo:
        parts.append(
            f'<img class="listing-logo" src="{e(logo["url"])}" width="{logo["width"]}" '
            f'height="{logo["height"]}" alt="" loading="lazy">'
        )
    else:
        parts.append(f'<span class="listing-logo" aria-hidden="true">{e(card["monogram"])}</span>')
    parts.append(
        f'<div class="listing-card__id"><h3 class="card-title"><a href="{e(card["url"])}">{title}</a></h3>'
    )
    if card["by"]:
        parts.append(f'<p class="listing-card__partner">{e(card["by"])}</p>')
    parts.append('</div></div><div class="listing-card__badges">')
    parts.append(f'<span class="badge badge--outline">{e(card["type"])}</span>')
    tier = card.get("tier")
    if tier:
        colour, ink = e(tier["colour"]), e(tier["ink"])
        parts.append(
            f'<span class="badge badge--tier badge-tier" '
            f'style="--tier-colour: {colour}; --tier-bg: {colour}; '
            f'--tier-fg: {ink}">{_icon(sprite, "award")}{e(tier["name"])}</span>'
        )
    if card["has_trial"]:
        parts.append(
            f'<span class="badge badge--success">{_icon(sprite, "rocket")}{env["free_trial"]}</span>'
        )
    fresh = card.get("freshness") or {}
    if fresh.get("state"):
        parts.append(
            f'<span class="badge freshness freshness--{fresh["state"]}" title="{e(fresh["title"])}">'
            f"{e(fresh['label'])}</span>"
        )
    parts.append("</div>")
    tagline = highlights.get("tagline") or (e(card["tagline"]) if card["tagline"] else "")
    if tagline:
        parts.append(f'<p class="card-text line-clamp-2">{tagline}</p>')
    if highlights.get("body") and not highlights.get("title"):
        parts.append(f'<p class="search-hit__snippet">{highlights["body"]}</p>')
    parts.append('<div class="card-meta listing-card__meta">')
    rating = card["rating"]
    if rating["count"]:
        verified = ""
        if rating.get("verified"):
            verified = f' <span class="rating-verified">{e(rating["verified_text"])}</span>'
        parts.append(
            f'<span class="rating-inline">'
            f'<span class="stars stars--sm" style="--stars: {rating["percent"]}%" '
            f'role="img" aria-label="{e(rating["stars_label"])}"></span><strong>{rating["average"]}</strong>'
            f"<span>({e(rating['text'])})</span>{verified}</span>"
        )
    else:
        parts.append(f'<span class="rating-inline">{e(rating["text"])}</span>')
    if card["price_label"]:
        note = ""
        if card["price_note"]:
            note = f' <small class="listing-card__price-note">({e(card["price_note"])})</small>'
        parts.append(f'<span class="listing-card__price">{e(card["price_label"])}{note}</span>')
    parts.append("</div></div>")
    selected = card["pk"] in env["compare_ids"]
    url = env["remove_url"] if selected else env["add_url"]
    label = env["in_compare"] if selected else env["compare"]
    parts.append(
        f'<div class="listing-card__foot"><form class="compare-toggle" method="post" action="{url}" '
        f'hx-post="{url}" hx-target="this" hx-swap="outerHTML">'
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{env["csrf"]}">'
        f'<input type="hidden" name="listing" value="{card["pk"]}">'
        f'<input type="hidden" name="next" value="{env["next"]}">'
        f'<button type="submit" class="btn btn--sm btn--ghost" '
        f'aria-pressed="{"true" if selected else "false"}">'
        f"{_icon(sprite, 'check' if selected else 'switch')}{label}"
        f'<span class="visually-hidden"> {e(card["title"])}</span></button></form></div></article>'
    )
    return "".join(parts)


def _env(context) -> dict:
    env = context.get("card_env")
    if env is None:
        card_env(context)
        env = context["card_env"]
    return env


@register.simple_tag(takes_context=True)
def listing_card(context, card, hit=None):
    return mark_safe(render_card(card, _env(context), hit))  # noqa: S308 - every value escaped above


@register.simple_tag(takes_context=True)
def listing_card_grid(context, cards):
    env = _env(context)
    return mark_safe("".join(render_card(card, env) for card in cards or ()))  # noqa: S308 - escaped


@register.simple_tag
def cards_for(listings):
    """Card dicts for listings given as pages or ids, in their order (three queries)."""
    from marketplace.selectors.cards import listing_cards

    return listing_cards([getattr(item, "pk", item) for item in listings or []])


@register.simple_tag
def facet_options(facet):
    """The options of one facet of the search sidebar (``search_views._context``'s facet dicts).

    ``html.escape`` is what Django's ``escape`` does, without its lazy-string and ``SafeString``
    wrapping per call; the count label is translated once per distinct count."""
    esc = html.escape
    key = esc(str(facet["key"]))
    kind = "radio" if facet["single"] else "checkbox"
    parts = []
    if facet["single"]:
        checked = "" if facet["any_selected"] else " checked"
        any_rating = esc(_("Any rating"))
        parts.append(
            f'<label class="filter-option" for="facet-{key}-any"><input type="radio" id="facet-{key}-any" '
            f'name="{key}" value=""{checked}><span>{any_rating}</span></label>'
        )
    count_labels: dict = {}
    for option in facet["values"]:
        count = option["count"]
        count_label = count_labels.get(count)
        if count_label is None:
            count_label = count_labels[count] = esc(
                ngettext("%(counter)s listing", "%(counter)s listings", count) % {"counter": count}
            )
        option_id = esc(str(option["id"]))
        child = " facet-option--child" if option["depth"] else ""
        checked = " checked" if option["selected"] else ""
        value, label = esc(str(option["value"])), esc(str(option["label"]))
        parts.append(
            f'<label class="filter-option{child}" for="{option_id}"><input type="{kind}" id="{option_id}" '
            f'name="{key}" value="{value}"{checked}><span>{label}</span>'
            f'<span class="count" aria-label="{count_label}">{count}</span></label>'
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value escaped above

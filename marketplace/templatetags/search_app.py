"""The search app (query box, facet sidebar, results, paging) rendered in Python. ``{% load search_app %}``.

``{% search_app %}``
    The ``#search-app`` element of the search page and of the category and industry pages, from
    the context of ``marketplace.views.search._context`` (htmx swaps this element).

As Django templates (``_app.html`` with its ``_facets``, ``_results``, ``_correction`` and
``_card`` includes: ~2,600 template nodes, ~40 ``{% translate %}``s) this was most of an uncached
search page's CPU around the search call (issue #17, benchmarks/README.md "The search page served
whole, its searches queued"). The markup is the same, built in one pass like the listing cards
(``cards.render_card``): every value escaped with ``escape``/``conditional_escape``, the texts of
``{% translate %}`` escaped and those of ``{% blocktranslate %}`` not (as Django's tags do), the
same msgids. ``tests/unit/search/test_search_app_render.py`` compares it with the old templates
(kept there) for result sets, filters, both languages, empty and zero-result pages and user text.
"""

from __future__ import annotations

from django import template
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from marketplace.templatetags.cards import _icon, card_env, facet_options, render_card

register = template.Library()

_HX = 'hx-target="#search-app" hx-swap="outerHTML" hx-push-url="true"'


def _t(message: str) -> str:
    """``{% translate message %}``: the translation, escaped."""
    return escape(_(message))


def _n(value) -> str:
    """``{{ number }}`` (no thousands separator in this project: ``USE_THOUSAND_SEPARATOR`` off)."""
    return escape(str(value))


@register.simple_tag(takes_context=True)
def search_app(context):
    return mark_safe(render_search_app(context))  # noqa: S308 - every value escaped below


def render_search_app(context) -> str:
    """The markup of ``marketplace/search/_app.html`` before this module, for ``context`` (a
    template ``Context`` or a dict with the same keys, ``request`` and ``csrf_token`` included)."""
    env = context.get("card_env")
    if env is None:
        card_env(context)
        env = context["card_env"]
    sprite = env["sprite"]
    result = context["result"]
    text = result.text
    out = ['<div id="search-app" class="search-app">\n']
    if not context.get("heading"):
        heading = _("Results for “%(q)s”") % {"q": escape(text)} if text else _t("Browse the catalogue")
        out.append(f"<h1>{heading}</h1>")
    search_label = _t("Search apps, integrations and services")
    search_icon = _icon(sprite, "search")
    out.append(
        '\n<div class="search-hero" role="search">\n'
        f'<label class="visually-hidden" for="search-q">{search_label}</label>\n'
        f'<div class="search-field">\n{search_icon}\n'
        f'<input type="search" id="search-q" name="q" form="search-form" value="{escape(text)}" '
        f'maxlength="{_n(context.get("max_query_length", ""))}"\n'
        f'placeholder="{search_label}" autocomplete="off" enterkeyhint="search"\n'
        f'data-autocomplete="{escape(reverse("search_suggest"))}">\n</div>\n'
        f'<button type="submit" form="search-form" class="btn btn--primary">{search_icon}'
        f'<span class="btn-label">{_t("Search")}</span></button>\n</div>\n'
    )
    active = context.get("active_filters") or []
    badge = f' <span class="badge badge--outline">{len(active)}</span>' if active else ""
    out.append(
        '\n<button type="button" class="btn btn--outline btn--sm filters-toggle" data-filters-toggle '
        'aria-controls="search-filters" aria-expanded="false">\n'
        f"{_icon(sprite, 'settings')}<span>{_t('Filters')}</span>{badge}\n</button>\n"
        '<div class="browse-layout">\n'
    )
    out.append(_facets(context, sprite, result, active))
    out.append("\n")
    out.append(_results(context, env, result, active))
    out.append("\n</div>\n</div>\n")
    return "".join(out)


def _facets(context, sprite, result, active) -> str:
    search_url = escape(context.get("search_url", ""))
    filters = _t("Filters")
    out = [
        '<aside class="browse-filters" id="search-filters" aria-labelledby="search-filters-heading">\n'
        '<div class="filters-drawer__head">\n'
        f'<p class="filters-drawer__title" aria-hidden="true">{filters}</p>\n'
        f'<button type="button" class="btn btn--ghost btn--sm" data-filters-close>{_icon(sprite, "x")}'
        f'<span class="visually-hidden">{_t("Close filters")}</span></button>\n</div>\n'
        f'<form id="search-form" method="get" action="{search_url}"\n'
        f'hx-get="{search_url}" hx-trigger="change, submit" hx-target="#search-app" hx-swap="outerHTML" '
        'hx-push-url="true">\n'
        f'<h2 id="search-filters-heading" class="visually-hidden">{filters}</h2>\n'
    ]
    for facet in context.get("facets") or ():
        out.append(
            f"\n<fieldset>\n<legend>{conditional_escape(facet['label'])}</legend>\n"
            f"{facet_options(facet)}\n</fieldset>\n"
        )
    out.append(
        '\n<div class="search-filters-actions">\n'
        f'<button type="submit" class="btn btn--primary btn--sm js-hide">{_t("Apply filters")}</button>\n'
    )
    if active:
        out.append(
            f'<a class="btn btn--ghost btn--sm" href="{escape(context.get("clear_url", ""))}">'
            f"{_t('Clear filters')}</a>"
        )
    total = result.total
    show = ngettext("Show %(counter)s result", "Show %(counter)s results", total) % {"counter": _n(total)}
    out.append(
        '\n<button type="button" class="btn btn--primary btn--sm filters-drawer__done" data-filters-close>'
        f"{show}</button>\n</div>\n</form>\n</aside>"
    )
    return "".join(out)


def _results(context, env, result, active) -> str:
    sprite = env["sprite"]
    search_url = escape(context.get("search_url", ""))
    out = [
        '<section id="search-results" class="browse-results" aria-labelledby="search-results-heading">\n'
        '<div class="browse-toolbar">\n'
        f'<h2 id="search-results-heading" class="visually-hidden">{_t("Results")}</h2>\n'
        '<p role="status" aria-live="polite">\n'
    ]
    if result.total:
        count = ngettext("%(counter)s result", "%(counter)s results", result.total) % {
            "counter": _n(result.total)
        }
        out.append(f"\n{count}\n")
        if result.pages > 1:
            showing = _("showing %(start)s–%(end)s") % {
                "start": _n(result.start_index),
                "end": _n(result.end_index),
            }
            out.append(f"· {showing}")
        out.append("\n")
    else:
        out.append(f"\n{_t('No results')}\n")
    out.append(
        "\n</p>\n"
        '<div class="browse-sort">\n'
        f'<label for="search-sort">{_t("Sort by")}\n'
        '<select id="search-sort" name="sort" form="search-form"\n'
        f'hx-get="{search_url}" hx-include="#search-form" {_HX}>\n'
    )
    for value, label in context.get("sorts") or ():
        selected = " selected" if value == result.sort else ""
        out.append(
            f'<option value="{conditional_escape(value)}"{selected}>{conditional_escape(label)}</option>'
        )
    out.append("\n</select>\n</label>\n")
    currency = context.get("currency")
    if result.sort == "price" or currency:
        out.append(
            f'\n<label for="search-currency">{_t("Currency")}\n'
            '<select id="search-currency" name="currency" form="search-form"\n'
            f'hx-get="{search_url}" hx-include="#search-form" {_HX}>\n'
            f'<option value=""{"" if currency else " selected"}>{_t("Default")}</option>\n'
            f'<option value="CNY"{" selected" if currency == "CNY" else ""}>CNY ¥</option>\n'
            f'<option value="USD"{" selected" if currency == "USD" else ""}>USD $</option>\n'
            "</select>\n</label>\n"
        )
    out.append(
        '\n<noscript><button type="submit" form="search-form" class="btn btn--sm btn--outline">'
        f"{_t('Sort')}</button></noscript>\n</div>\n</div>\n"
    )
    if active:
        out.append(
            '\n<div class="search-active">\n'
            f'<h3 class="visually-hidden">{_t("Active filters")}</h3>\n<ul class="chip-list">\n'
        )
        remove = _t("remove this filter")
        x_icon = _icon(sprite, "x")
        for item in active:
            url = escape(item["remove_url"])
            out.append(
                f'\n<li><a class="chip" href="{url}" hx-get="{url}" {_HX}>\n'
                f"<span>{conditional_escape(item['facet'])}: {conditional_escape(item['label'])}</span>"
                f'{x_icon}<span class="visually-hidden">{remove}</span>\n</a></li>\n'
            )
        out.append("\n</ul>\n</div>\n")
    out.append("\n")
    out.append(_correction(context, result))
    did_you_mean_url = escape(context.get("did_you_mean_url", ""))
    if result.fuzzy and result.did_you_mean:
        no_exact = _("No exact match for “%(q)s”; showing close matches.") % {"q": escape(result.text)}
        out.append(
            f'\n<p class="search-fuzzy">{no_exact}\n'
            f'{_t("Did you mean")} <a href="{did_you_mean_url}">{escape(result.did_you_mean)}</a>?</p>\n'
        )
    out.append("\n\n")
    cards = context.get("cards")
    if cards:
        out.append(f'\n\n<ol class="search-results-list" start="{_n(result.start_index)}">\n')
        for entry in cards:
            card = entry.get("card")
            markup = render_card(card, env, entry.get("hit")) if card else _index_card(entry)
            out.append(
                f'\n<li class="search-hit" data-search-hit data-click-url="{escape(entry["click_url"])}" '
                f'data-href="{escape(entry["url"])}">\n{markup}\n</li>\n'
            )
        out.append("\n</ol>\n")
        if result.pages > 1:
            out.append(_pagination(context, result))
    else:
        out.append(_empty(context, result, active, sprite))
    out.append("\n</section>")
    return "".join(out)


def _pagination(context, result) -> str:
    out = [f'\n<nav class="pagination" aria-label="{_t("Pages")}">\n']
    previous_url = context.get("previous_url")
    if previous_url:
        url = escape(previous_url)
        out.append(
            f'<a class="btn btn--outline btn--sm" rel="prev" href="{url}" hx-get="{url}" {_HX}>'
            f"{_t('Previous')}</a>"
        )
    page_of = _("Page %(page)s of %(pages)s") % {"page": _n(result.page), "pages": _n(result.pages)}
    out.append(f'\n<span class="text-muted">{page_of}</span>\n')
    next_url = context.get("next_url")
    if next_url:
        url = escape(next_url)
        out.append(
            f'<a class="btn btn--outline btn--sm" rel="next" href="{url}" hx-get="{url}" {_HX}>'
            f"{_t('Next')}</a>"
        )
    out.append("\n</nav>\n")
    return "".join(out)


def _empty(context, result, active, sprite) -> str:
    if result.text:
        title = _("Nothing matches “%(q)s”") % {"q": escape(result.text)}
    else:
        title = _t("No listings match these filters")
    out = [
        '\n<div class="empty-state">\n'
        f'<span class="empty-state__icon">{_icon(sprite, "search")}</span>\n'
        f"<h3>{title}</h3>\n"
    ]
    if result.did_you_mean:
        out.append(
            f'\n<p class="search-did-you-mean">{_t("Did you mean")} '
            f'<a href="{escape(context.get("did_you_mean_url", ""))}">'
            f"{escape(result.did_you_mean)}</a>?</p>\n"
        )
    if active:
        advice = _t("Try removing a filter, or use fewer or different words.")
    else:
        advice = _t("Check the spelling, or use fewer or different words.")
    out.append(f"\n<p>{advice}</p>\n")
    if active:
        out.append(
            f'<a class="btn btn--outline btn--sm" href="{escape(context.get("clear_url", ""))}">'
            f"{_t('Clear filters')}</a>"
        )
    out.append("\n</div>\n")
    popular = context.get("popular_categories")
    if popular:
        out.append(
            f'\n<div class="search-help">\n<h3>{_t("Popular categories")}</h3>\n<ul class="chip-list">\n'
        )
        for category in popular:
            out.append(
                f'\n<li><a class="chip" href="{escape(category["url"])}">'
                f"{conditional_escape(category['label'])} "
                f'<span class="text-muted">({_n(category["count"])})</span></a></li>\n'
            )
        out.append("\n</ul>\n</div>\n")
    out.append("\n")
    return "".join(out)


def _correction(context, result) -> str:
    out = []
    if result.corrected:
        line = _(
            'Showing results for <a href="%(corrected_url)s"><strong>%(corrected)s</strong></a>; '
            'search instead for <a href="%(original_url)s" rel="nofollow">%(original)s</a>.'
        ) % {
            "corrected_url": escape(context.get("corrected_url", "")),
            "corrected": escape(result.corrected),
            "original_url": escape(context.get("original_url", "")),
            "original": escape(result.text),
        }
        out.append(f'\n<p class="search-fuzzy search-corrected" role="status">{line}</p>\n')
    out.append("\n")
    if result.relaxed:
        relaxed = _t(
            "Listings with every word you searched for come first, followed by listings with some of them."
        )
        out.append(f'\n<p class="search-fuzzy search-relaxed" role="status">{relaxed}</p>\n')
    out.append("\n")
    return "".join(out)


def _index_card(entry) -> str:
    """A minimal card from the index document: the listing page is not loaded (was ``_card.html``)."""
    highlights = getattr(entry.get("hit"), "highlights", None) or {}
    title = highlights.get("title")
    title = conditional_escape(title) if title else conditional_escape(entry.get("title") or "")
    out = [
        '<article class="card card--link listing-card">\n<div class="card-body">\n'
        f'<h3 class="card-title"><a href="{escape(entry.get("url") or "")}">{title}</a></h3>\n'
    ]
    partner = entry.get("partner")
    if partner:
        by = _("by %(partner)s") % {"partner": conditional_escape(partner)}
        out.append(f'<p class="listing-card__partner">{by}</p>')
    out.append("\n")
    if highlights.get("tagline"):
        out.append(f'<p class="card-text">{conditional_escape(highlights["tagline"])}</p>')
    elif entry.get("tagline"):
        out.append(f'<p class="card-text">{conditional_escape(entry["tagline"])}</p>')
    out.append('\n<p class="card-meta">\n')
    document = entry.get("document") or {}
    rating_count = document.get("rating_count")
    if rating_count:
        reviews = ngettext(
            "%(rating)s★ (%(counter)s review)", "%(rating)s★ (%(counter)s reviews)", rating_count
        ) % {
            "rating": conditional_escape(floatformat(document.get("rating_average"), 1)),
            "counter": _n(rating_count),
        }
        out.append(f"<span>{reviews}</span>")
    else:
        out.append(f"<span>{_t('No reviews yet')}</span>")
    out.append("\n")
    if document.get("has_free_trial"):
        out.append(f'<span class="badge badge--success">{_t("Free trial")}</span>')
    out.append("\n</p>\n")
    if highlights.get("body") and not highlights.get("title"):
        out.append(f'<p class="search-hit__snippet">{conditional_escape(highlights["body"])}</p>')
    out.append("\n</div>\n</article>")
    return "".join(out)

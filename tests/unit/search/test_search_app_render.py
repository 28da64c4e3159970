"""The search app rendered in Python (``marketplace.templatetags.search_app``) gives the markup of
the templates it replaced (kept in ``reference_templates/``), up to runs of whitespace: real
searches over the test catalogue in both languages (results, filters, sorts, currencies, zero
results, user text with markup), and the states the catalogue cannot reach (several pages, a
corrected or relaxed query, close matches, cards from the index document, a heading)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.template import Context, Engine
from django.test import RequestFactory
from django.utils import translation
from django.utils.safestring import mark_safe

from marketplace.templatetags.search_app import render_search_app
from marketplace.views import search as search_views

REFERENCE = Engine(
    dirs=[str(Path(__file__).parent / "reference_templates")],
    libraries={
        "i18n": "django.templatetags.i18n",
        "symbio": "themes.templatetags.symbio",
        "cards": "marketplace.templatetags.cards",
    },
)
CSRF = "csrf-token-<&>"


def _normal(html: str) -> str:
    return re.sub(r"\s+", " ", html).strip()


def _both(context: dict) -> tuple[str, str]:
    old = REFERENCE.get_template("marketplace/search/_app.html").render(Context(dict(context)))
    new = render_search_app(dict(context))
    return _normal(old), _normal(new)


def _context(params: dict, language: str, search_url: str, qid=7) -> dict:
    request = RequestFactory().get(search_url, params)
    request.session = {}
    query = request.GET.copy()
    currency = (query.get("currency") or "").upper()
    currency = currency if currency in ("CNY", "USD") else ""
    result = search_views._search(query, currency, language)
    context = search_views._context(
        request, result, currency, qid, search_views.SearchView(base_url=search_url)
    )
    return {**context, "request": request, "csrf_token": CSRF}


CASES = [
    {},
    {"q": "发票"},
    {"q": "invoice"},
    {"q": "报销", "category": "finance-expenses"},
    {"category": ["finance", "hr"], "sort": "price", "currency": "USD"},
    {"sort": "rating", "currency": "CNY", "industry": "retail"},
    {"q": "zzqqxx-nothing"},
    {"q": "zzqqxx-nothing", "category": "finance"},
    {"category": "crm", "industry": "manufacturing", "region": "north"},
    {"q": "<script>alert(\"x\")</script> & 发票 'quoted'"},
    {"rating": "4"},
]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("params", CASES, ids=[str(i) for i in range(len(CASES))])
def test_real_searches_render_as_the_templates_did(catalogue, search_urls, language, params):
    with translation.override(language):
        context = _context(params, language, search_urls)
        old, new = _both(context)
    assert new == old
    assert 'id="search-app"' in new and "search-form" in new


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_other_states_render_as_the_templates_did(catalogue, search_urls, language):
    with translation.override(language):
        context = _context({"q": "发票"}, language, search_urls, qid=None)
        assert context["cards"], "the catalogue has an invoice listing"
        user = '<b>Bob & "Co"</b>'
        hit = SimpleNamespace(
            listing_id=999999,
            highlights={
                "title": mark_safe("<mark>发票</mark> tool"),
                "body": mark_safe("a <mark>snippet</mark>"),
            },
        )
        fallback = {
            "hit": hit,
            "card": None,
            "url": "/x/?a=1&b=2",
            "position": 2,
            "click_url": "/search/click/?q=%3Cb%3E&listing=1",
            "document": {"rating_count": 3, "rating_average": 4.25, "has_free_trial": True},
            "title": user,
            "tagline": user,
            "partner": user,
        }
        bare = {**fallback, "hit": SimpleNamespace(highlights={}), "document": {}, "partner": ""}
        single = {**fallback, "document": {"rating_count": 1, "rating_average": 5}, "hit": None}
        result = dataclasses.replace(
            context["result"],
            text=user,
            page=2,
            pages=3,
            total=45,
            corrected="fapiao <i>",
            relaxed=True,
            fuzzy=True,
            did_you_mean='fa"piao',
        )
        states = [
            {
                **context,
                "result": result,
                "cards": [*context["cards"], fallback, bare, single],
                "previous_url": "/search/?q=a&page=1",
                "next_url": "/search/?q=a&page=3",
                "did_you_mean_url": "/search/?q=fa%22piao",
                "corrected_url": "/search/?q=fapiao&x=<",
                "original_url": "/search/?q=b&exact=1",
                "heading": "Finance & more",
            },
            {**context, "result": dataclasses.replace(result, page=1, pages=2), "previous_url": ""},
            {
                **context,
                "result": dataclasses.replace(result, page=3, corrected="", relaxed=False),
                "next_url": "",
            },
            {
                **context,
                "result": dataclasses.replace(result, total=0, hits=[], fuzzy=False),
                "cards": [],
                "popular_categories": [{"label": user, "count": 12, "url": "/search/?category=a&b"}],
            },
            {
                **context,
                "result": dataclasses.replace(result, total=0, hits=[], text="", did_you_mean=None),
                "cards": [],
                "active_filters": [{"facet": "Category", "label": user, "remove_url": "/search/?a=1&b=2"}],
                "clear_url": "/search/?q=<x>",
                "popular_categories": [],
            },
        ]
        for state in states:
            old, new = _both(state)
            assert new == old
    assert "&lt;b&gt;Bob &amp; &quot;Co&quot;&lt;/b&gt;" in new
    assert "<b>Bob" not in new


def test_the_search_page_uses_it(catalogue, search_urls, client, settings):
    settings.SEARCH_PAGE_CACHE_SECONDS = 0
    settings.FRAGMENT_CACHE_SECONDS = 0
    html = client.get(search_urls, {"q": "发票"}).content.decode()
    assert html.count('id="search-app"') == 1
    assert html.count("data-search-hit") >= 1
    htmx = client.get(search_urls, {"q": "发票"}, HTTP_HX_REQUEST="true").content.decode()
    assert htmx.lstrip().startswith('<div id="search-app"')


FACET_OPTIONS = (  # the facet options as a template (what cards.facet_options must produce)
    "{% load i18n %}{% if facet.single %}"
    '<label class="filter-option" for="facet-{{ facet.key }}-any"><input type="radio" '
    'id="facet-{{ facet.key }}-any" name="{{ facet.key }}" value=""{% if not facet.any_selected %} checked'
    '{% endif %}><span>{% translate "Any rating" %}</span></label>{% endif %}{% for option in facet.values %}'
    '<label class="filter-option{% if option.depth %} facet-option--child{% endif %}" for="{{ option.id }}">'
    '<input type="{% if facet.single %}radio{% else %}checkbox{% endif %}" id="{{ option.id }}" '
    'name="{{ facet.key }}" value="{{ option.value }}"{% if option.selected %} checked{% endif %}>'
    '<span>{{ option.label }}</span><span class="count" aria-label="{% blocktranslate count '
    "counter=option.count %}{{ counter }} listing{% plural %}{{ counter }} listings{% endblocktranslate %}"
    '">{{ option.count }}</span></label>{% endfor %}'
)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_facet_options_match_their_template(catalogue, search_urls, language):
    from marketplace.templatetags.cards import facet_options

    oracle = REFERENCE.from_string(FACET_OPTIONS)
    with translation.override(language):
        facets = _context({"q": "发票", "category": "finance"}, language, search_urls)["facets"]
        user = {"value": "v&\"<>'", "label": "标签 <b> & 'x'", "count": 2, "selected": True, "depth": 1}
        facets.append({"key": "k&", "single": False, "any_selected": True, "values": [{**user, "id": 'i"<'}]})
        facets.append(
            {"key": "rating", "single": True, "any_selected": False, "values": [{**user, "id": "r"}]}
        )
        assert len(facets) > 3
        for facet in facets:
            assert str(facet_options(facet)) == oracle.render(Context({"facet": facet}))

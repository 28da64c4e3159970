# ruff: noqa: F811 - the fixtures are test_mkt_fragments's (imported below)
"""Whole pages shared by anonymous visitors (``core.anonymous_pages``, issue #17): a hit is one
cache round trip and no SQL, a change shows on the next request, each visitor gets their own CSRF
token and nonce, signed-in visitors get their own shell, messages are never stored; the search
page too, its searches recorded."""

import re

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from core import fragments
from partners.models import PartnersIndexPage
from tests.factories.accounts import buyer
from tests.unit.accounts.helpers import english
from tests.unit.marketplace.helpers import url_of
from tests.unit.marketplace.test_mkt_fragments import _fragments_on, _search_receivers, crm, shop  # noqa: F401

pytestmark = pytest.mark.django_db


PAGES = ["listing", "/en/", "/en/partners/", "/en/categories/crm-frag/"]


def _url(shop, path):
    return url_of(shop, "en") if path == "listing" else path


def _html(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


@pytest.fixture
def round_trips(monkeypatch):
    """Cache operations of the default cache (each one a Redis round trip)."""
    counter = {"n": 0}
    backend = type(caches["default"])
    for name in ("get", "get_many", "set", "set_many", "add", "incr", "delete", "has_key", "touch"):
        original = getattr(backend, name)

        def counted(self, *args, _original=original, **kwargs):
            counter["n"] += 1
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(backend, name, counted)
    return counter


@pytest.mark.parametrize("path", PAGES)
def test_a_hit_is_one_cache_round_trip_and_no_sql(shop, path, round_trips):
    url = _url(shop, path)
    _html(Client(), url)  # a first render may save what it shows first (an image's details)
    first = _html(Client(), url)  # renders and stores the page
    round_trips["n"] = 0
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(url)
    assert response.status_code == 200
    assert len(queries) == 0, [q["sql"][:120] for q in queries]
    assert round_trips["n"] == 1  # the versions and the page in one get_many
    assert "Cookie" in response["Vary"]
    assert _without_visitor(response.content.decode()) == _without_visitor(first)
    assert "sessionid" not in response.cookies


def _without_visitor(html):
    html = re.sub(r"[A-Za-z0-9]{64}", "TOKEN", html)
    return re.sub(r'nonce="[^"]+"', 'nonce="N"', html)


@pytest.mark.parametrize("path", PAGES)
def test_two_anonymous_visitors_get_their_own_token_and_nonce(shop, path):
    url = _url(shop, path)
    seen_nonces, secrets = set(), set()
    for visitor in (Client(), Client(), Client()):
        response = visitor.get(url)
        html = response.content.decode()
        assert fragments.CSRF_PLACEHOLDER not in html and fragments.NONCE_PLACEHOLDER not in html
        nonces = set(re.findall(r'nonce="([^"]+)"', html))
        assert nonces and nonces.isdisjoint(seen_nonces)
        for nonce in nonces:
            assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
        seen_nonces |= nonces
        secret = visitor.cookies["csrftoken"].value
        tokens = re.findall(r'"X-CSRFToken": "([^"]+)"', html)
        tokens += re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert tokens
        for token in tokens:
            assert _unmask_cipher_token(token) == secret  # valid for this visitor's cookie only
        secrets.add(secret)
    assert len(secrets) == 3


def test_changes_show_on_the_next_anonymous_request(shop, crm, partner):
    from wagtail.models import Site

    from themes.models import BrandingSettings

    listing_url = url_of(shop, "en")
    category_url = "/en/categories/crm-frag/"
    for url in (listing_url, category_url, "/en/", "/en/partners/"):
        _html(Client(), url)
    plan = shop.plans.get(price_usd="14.00")
    plan.price_usd = "17.00"
    plan.save()
    assert "$17" in _html(Client(), listing_url)
    crm.name_en = "Client relations"
    crm.save()
    assert "Client relations" in _html(Client(), category_url)
    branding = BrandingSettings.for_site(Site.objects.get(is_default_site=True))
    branding.site_name_en = "Partner Hub"
    branding.save()
    for url in (listing_url, category_url, "/en/", "/en/partners/"):
        assert "Partner Hub" in _html(Client(), url)  # the shell: header and footer
    organisation = partner.organisation
    organisation.name_en = "Yunfan Cloud"
    organisation.save()
    assert "Yunfan Cloud" in _html(Client(), "/en/partners/")


def test_languages_and_query_strings_are_pages_of_their_own(shop):
    en, zh = url_of(shop, "en"), url_of(shop, "zh-hans")
    assert 'lang="en"' in _html(Client(), en)
    zh_html = _html(Client(), zh)
    assert 'lang="zh-hans"' in zh_html and "Yunfan CRM" not in zh_html
    plain = _html(Client(), "/en/partners/")
    filtered = _html(Client(), "/en/partners/?q=nothing-like-this")
    assert "nothing-like-this" in filtered and "nothing-like-this" not in plain


def test_signed_in_visitors_get_their_own_shell_and_are_never_stored(shop):
    url = url_of(shop, "en")
    _html(Client(), url)
    user, _organisation = buyer()
    english(user)
    signed_in = Client()
    signed_in.force_login(user)
    mine = _html(signed_in, url)
    assert user.email in mine and "Log out" in mine and "login/?next=" not in mine
    anonymous = _html(Client(), url)
    assert user.email not in anonymous and "Log out" not in anonymous and "login/?next=" in anonymous


def _messages_cookie(text):
    return CookieStorage(HttpRequest())._encode([Message(constants.SUCCESS, text)])


@pytest.mark.parametrize("path", PAGES)
def test_messages_are_shown_to_their_visitor_only_and_never_stored(shop, path):
    url = _url(shop, path)
    _html(Client(), url)
    visitor = Client()
    visitor.cookies["messages"] = _messages_cookie("Welcome back, pioneer")
    assert "Welcome back, pioneer" in _html(visitor, url)
    assert "Welcome back, pioneer" not in _html(Client(), url)
    assert "Welcome back, pioneer" not in _html(visitor, url)  # shown once


def test_a_view_restriction_is_applied_at_once(shop):
    _html(Client(), "/en/partners/")
    index = PartnersIndexPage.objects.get()
    PageViewRestriction.objects.create(page=index, restriction_type=PageViewRestriction.LOGIN)
    for _ in range(2):
        response = Client().get("/en/partners/")
        assert response.status_code == 302 and "login" in response["Location"]


def test_the_search_page_is_shared_whole_and_records_every_search(shop):
    """Served whole like the other pages; its analytics row is queued by every request, hits
    included, and written by the flush."""
    from catalog.models import SearchQueryLog
    from catalog.search.analytics import flush_search_log

    before = SearchQueryLog.objects.count()
    pages = [_html(Client(), "/en/search/?q=Yunfan") for _ in range(3)]
    assert _without_visitor(pages[1]) == _without_visitor(pages[2]) and "Yunfan CRM" in pages[2]
    assert flush_search_log() == 3
    assert SearchQueryLog.objects.count() == before + 3


def test_without_fragment_caching_nothing_is_stored(shop, settings):
    settings.FRAGMENT_CACHE_SECONDS = 0
    url = url_of(shop, "en")
    _html(Client(), url)
    with CaptureQueriesContext(connection) as queries:
        _html(Client(), url)
    assert len(queries) > 0

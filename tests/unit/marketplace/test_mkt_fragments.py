"""Cached page fragments (``core.fragments``, issue #17): a change a page should show shows on the
next request, visitors never see each other's CSRF token, CSP nonce or signed-in content, and a
cache hit costs a fixed, small number of SQL queries."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from catalog.models import Category
from catalog.search.indexing import reindex_all
from core import fragments
from marketplace.services import reviews as review_services
from partners.models import PartnersIndexPage
from tests.factories.accounts import buyer
from tests.factories.marketplace import make_listing, make_review, monthly_plan, trial_plan
from tests.unit.marketplace.helpers import url_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fragments_on(settings):
    settings.FRAGMENT_CACHE_SECONDS = 3600
    settings.SEARCH_PAGE_CACHE_SECONDS = 0  # only the fragments, never the whole-page cache


@pytest.fixture(autouse=True)
def _search_receivers(db):
    from catalog.search.apps_ready import connect

    connect()


@pytest.fixture
def crm(db):
    return Category.objects.create(slug="crm-frag", name="客户关系", name_en="Customer relations")


@pytest.fixture
def shop(partner, crm, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        listing = make_listing(
            partner,
            title="云帆 CRM",
            title_en="Yunfan CRM",
            categories=[crm],
            plans=[monthly_plan(cny="99.00", usd="14.00"), trial_plan(days=14)],
        )
        reindex_all()
    return listing


def html_of(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def test_tracked_models_and_pages_bump_the_content_version(shop, crm):
    before = fragments.versions()
    fragments.forget_request_reads()
    crm.name_en = "CRM"
    crm.save()
    assert fragments._read_versions() != before
    after_category = fragments._read_versions()
    plan = shop.plans.first()
    plan.price_cny = Decimal("120.00")
    plan.save()
    assert fragments._read_versions() != after_category


def test_a_sign_in_leaves_the_fragments_alone(shop):
    user, _organisation = buyer()
    before = fragments._read_versions()
    user.save(update_fields=["last_login"])  # what django.contrib.auth's update_last_login does
    assert fragments._read_versions() == before
    user.first_name = "Renamed"  # a reviewer's shown name
    user.save(update_fields=["first_name"])
    assert fragments._read_versions() != before


def test_a_new_release_and_a_settings_override_leave_old_markup_behind(settings):
    before = fragments._read_versions()
    settings.FRAGMENT_CACHE_RELEASE = "deploy-2"  # a setting_changed: bumps the content too
    after = fragments._read_versions()
    assert after != before and "deploy-2" in after
    assert after[0] != before[0]  # the content version moved too


def test_the_release_digest_follows_the_source_files(settings, tmp_path):
    settings.BASE_DIR = tmp_path
    settings.LOCAL_APPS = ["app"]
    (tmp_path / "app" / "templates").mkdir(parents=True)
    template = tmp_path / "app" / "templates" / "page.html"
    template.write_text("<p>old</p>")
    first = fragments.release()
    assert fragments.release() == first  # computed once
    template.write_text("<p>new markup</p>")
    fragments.release.cache_clear()  # a new process
    assert fragments.release() != first


# --- the listing page ----------------------------------------------------------------------------
def test_listing_page_shows_a_price_edit_a_review_and_a_partner_rename(client, shop, partner):
    url = url_of(shop, "en")
    assert "$14" in html_of(client, url)
    plan = shop.plans.get(price_usd=Decimal("14.00"))
    plan.price_usd = Decimal("17.00")
    plan.save()
    html = html_of(client, url)
    assert "$17" in html and "$14" not in html

    author, organisation = buyer()
    review = make_review(shop, rating=4, organisation=organisation, author=author, title="Solid tool")
    review_services.recompute_listing_rating(listing_id=shop.pk, report=False)
    html = html_of(client, url)
    assert "Solid tool" in html and "1 review" in html

    organisation = partner.organisation
    organisation.name_en = "Yunfan Cloud"
    organisation.save()
    html = html_of(client, url)
    assert "Yunfan Cloud" in html
    review.delete()
    assert "Solid tool" not in html_of(client, url)


def test_listing_page_follows_category_rename_language_and_currency(client, shop, crm):
    en, zh = url_of(shop, "en"), url_of(shop, "zh-hans")
    assert "Customer relations" in html_of(client, en)
    zh_html = html_of(client, zh)
    assert "客户关系" in zh_html and "Customer relations" not in zh_html
    assert "¥99" in zh_html
    assert "$14" in html_of(client, en)
    crm.name_en = "Client relations"
    crm.save()
    assert "Client relations" in html_of(client, en)


def test_unpublished_listing_leaves_its_page_search_and_category(
    client, shop, crm, django_capture_on_commit_callbacks
):
    category_url = "/en/categories/crm-frag/"
    assert "Yunfan CRM" in html_of(client, category_url)
    assert "Yunfan CRM" in html_of(client, "/en/search/", q="Yunfan")
    with django_capture_on_commit_callbacks(execute=True):
        shop.unpublish()
    assert client.get(url_of(shop, "en")).status_code == 404
    assert "Yunfan CRM" not in html_of(client, category_url)
    assert "Yunfan CRM" not in html_of(client, "/en/search/", q="Yunfan")


def test_signed_in_visitors_get_their_own_listing_body(client, shop):
    url = url_of(shop, "en")
    anonymous = html_of(client, url)
    assert "Start free trial" in anonymous and 'data-testid="start-trial"' not in anonymous
    assert f"login/?next={url}" in anonymous
    user, _organisation = buyer()
    signed_in = Client()
    signed_in.force_login(user)
    mine = html_of(signed_in, url)
    assert 'data-testid="start-trial"' in mine  # the trial form with the user's own token
    assert _tokens(mine) and "login/?next=" not in mine
    again = html_of(Client(), url)
    assert 'data-testid="start-trial"' not in again and "login/?next=" in again


# --- the visitor's own parts ---------------------------------------------------------------------
def _tokens(html):
    return set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html))


def _nonces(html):
    return set(re.findall(r'nonce="([^"]+)"', html))


@pytest.mark.parametrize("path", ["listing", "/en/search/?q=Yunfan", "/en/categories/crm-frag/", "/en/"])
def test_two_visitors_never_share_a_csrf_token_or_a_nonce(shop, path):
    from django.middleware.csrf import _unmask_cipher_token

    url = url_of(shop, "en") if path == "listing" else path
    first, second = Client(), Client()
    pages = []
    for visitor in (first, second, first):
        response = visitor.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert fragments.CSRF_PLACEHOLDER not in html and fragments.NONCE_PLACEHOLDER not in html
        header = response.headers.get("Content-Security-Policy", "")
        for nonce in _nonces(html):
            assert f"'nonce-{nonce}'" in header  # this response's own nonce
        pages.append((visitor, html, _nonces(html)))
    assert pages[0][2].isdisjoint(pages[1][2])
    secrets = []
    for visitor, html, _n in pages[:2]:
        cookie = visitor.cookies["csrftoken"].value
        tokens = _tokens(html)
        if "search" in url or "categories" in url:
            assert tokens, "the cards' compare forms carry a token"
        for token in tokens:
            assert _unmask_cipher_token(token) == cookie  # valid for this visitor's cookie only
        secrets.append(cookie)
    assert secrets[0] != secrets[1]


def test_compare_tray_shows_in_cached_cards(client, shop):
    url = "/en/search/"
    html = html_of(client, url, q="Yunfan")
    assert "In compare" not in html
    response = client.post("/en/compare/add/", {"listing": shop.pk, "next": "/en/"})
    assert response.status_code in (200, 302)
    assert "In compare" in html_of(client, url, q="Yunfan")
    assert "In compare" not in html_of(Client(), url, q="Yunfan")


# --- home, directory, branding -------------------------------------------------------------------
def test_home_and_directory_show_partner_renames_and_branding(client, shop, partner):
    from wagtail.models import Site

    from themes.models import BrandingSettings

    assert "Yunfan Software" in html_of(client, "/en/partners/")
    html_of(client, "/en/")
    organisation = partner.organisation
    organisation.name_en = "Yunfan Cloud"
    organisation.save()
    assert "Yunfan Cloud" in html_of(client, "/en/partners/")
    branding = BrandingSettings.for_site(Site.objects.get(is_default_site=True))
    branding.site_name_en = "Partner Hub"
    branding.save()
    assert "Partner Hub" in html_of(client, "/en/")
    assert "Partner Hub" in html_of(client, "/en/partners/")


def test_directory_page_lists_a_newly_renamed_index_title(client, shop):
    html_of(client, "/en/partners/")
    index = PartnersIndexPage.objects.first()
    index.title_en = "Our partners"
    index.save_revision().publish()
    assert "Our partners" in html_of(client, "/en/partners/")


# --- a hit's cost --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "limit"),
    [
        ("listing", 0),
        ("/en/", 0),
        ("/en/partners/", 0),
        ("/en/search/?q=Yunfan", 0),  # the whole page; its analytics row queued in Redis
        ("/en/categories/crm-frag/", 0),  # the whole page (core.anonymous_pages)
    ],
)
def test_a_hit_costs_a_fixed_number_of_queries(client, shop, path, limit):
    url = url_of(shop, "en") if path == "listing" else path
    html_of(client, url)
    html_of(client, url)
    with CaptureQueriesContext(connection) as queries:
        html_of(client, url)
    assert len(queries) == limit, [q["sql"][:120] for q in queries]

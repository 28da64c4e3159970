"""The page shell's Site and branding (issue #17): read from one cache entry instead of two
queries a page, and a change to the branding or the Site shows on the next page."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import Site

from tests.unit.marketplace.helpers import url_of
from themes.models import BrandingSettings

pytestmark = pytest.mark.django_db


def shell_queries(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if "wagtailcore_site" in q["sql"] or "themes_brandingsettings" in q["sql"]
    ]


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    settings.SEARCH_PAGE_CACHE_SECONDS = 0  # the search page cache keys on the index, not the brand


@pytest.fixture
def branding():
    site = Site.objects.get(is_default_site=True)
    branding = BrandingSettings.for_site(site)
    branding.site_name = "初始市场"
    branding.save()
    return branding


def test_the_shell_costs_no_query_once_cached_and_follows_changes(client, branding):
    url = reverse("search")
    assert "初始市场" in client.get(url).content.decode()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert "初始市场" in response.content.decode()
    assert shell_queries(queries) == []

    branding.site_name = "改名后的市场"
    branding.save()
    assert "改名后的市场" in client.get(url).content.decode()


def test_a_site_change_shows_on_the_next_page(client, branding, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "other.example"]
    url = reverse("search")
    client.get(url)
    other = Site.objects.create(hostname="other.example", port=80, root_page=branding.site.root_page)
    other_branding = BrandingSettings.for_site(other)
    other_branding.site_name = "另一个市场"
    other_branding.save()
    response = client.get(url, HTTP_HOST="other.example")
    assert "另一个市场" in response.content.decode()
    assert "初始市场" in client.get(url).content.decode()


def current_section(html: str) -> list[str]:
    """The header links marked as the current page (the primary navigation only)."""
    nav = html.split("<nav", 1)[1].split("</nav>", 1)[0]
    return re.findall(r'<a href="[^"]*" aria-current="page">([^<]*)</a>', nav)


def test_the_header_marks_the_section_a_page_belongs_to(client, listing, partner):
    # A listing's URL is under its partner's page, but it is an app: "Browse apps", not "Partners".
    assert current_section(client.get(url_of(listing, "en")).content.decode()) == ["Browse apps"]
    assert current_section(client.get(partner.page.url).content.decode()) == ["Partners"]
    assert current_section(client.get("/en/partners/").content.decode()) == ["Partners"]
    assert current_section(client.get("/en/search/").content.decode()) == ["Browse apps"]
    assert current_section(client.get("/en/").content.decode()) == ["Home"]


def test_a_404_finds_the_redirects_of_its_own_site_without_a_site_query(client, branding, settings):
    """Wagtail's RedirectMiddleware, given the request's Site from the shell's cache when nothing
    has looked it up yet (themes.middleware.CachedSiteMiddleware): each host gets its own site's
    redirects."""
    from wagtail.contrib.redirects.models import Redirect

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "other.example"]
    other = Site.objects.create(hostname="other.example", port=80, root_page=branding.site.root_page)
    Redirect.objects.create(old_path="/old-place", site=branding.site, redirect_link="/en/search/")
    Redirect.objects.create(old_path="/only-other", site=other, redirect_link="/en/compare/")

    response = client.get("/old-place/")
    assert (response.status_code, response["Location"]) == (301, "/en/search/")
    assert client.get("/only-other/").status_code == 404
    response = client.get("/only-other/", HTTP_HOST="other.example")
    assert (response.status_code, response["Location"]) == (301, "/en/compare/")


def test_a_404_outside_the_pages_looks_for_redirects_without_a_site_query(client, superuser):
    """Wagtail's page routing has found the Site by the time a page 404s; an admin screen (or any
    view of ours) has not, and the redirect lookup used to query it on every 404."""
    client.force_login(superuser)
    assert client.get("/admin/pages/987654/edit/").status_code == 404
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/admin/pages/987655/edit/").status_code == 404
    assert shell_queries(queries) == []

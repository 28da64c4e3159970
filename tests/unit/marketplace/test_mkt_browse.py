"""Category and industry pages (the catalogue search scoped to them): subcategories, cards,
filters with counts, sorts, pagination; the home page's featured listings and category links."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.models import Category, Deployment, ListingType, PricingModel, SearchQueryLog
from catalog.search.analytics import flush_search_log
from catalog.search.indexing import reindex_all
from marketplace.services import reviews as services
from marketplace.views.search import PER_PAGE
from tests.factories.marketplace import free_plan, make_listing, make_review, monthly_plan, trial_plan
from tests.factories.partners import IndustryFactory
from tests.unit.marketplace.helpers import en_reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def crm(db):
    parent, _ = Category.objects.get_or_create(
        slug="crm-test", defaults={"name": "客户关系", "name_en": "CRM"}
    )
    child, _ = Category.objects.get_or_create(
        slug="crm-test-sales",
        defaults={"name": "销售自动化", "name_en": "Sales automation", "parent": parent},
    )
    return parent, child


def titles(html):
    return re.findall(r'<h3 class="card-title"><a href="[^"]+">([^<]+)</a>', html)


def rate(listing, *ratings):
    for rating in ratings:
        make_review(listing, rating=rating)
    services.recompute_listing_rating(listing_id=listing.pk, report=False)


def test_category_page_lists_its_and_its_subcategories_listings_with_cards(client, partner, crm):
    parent, child = crm
    make_listing(
        partner, title_en="Direct", categories=[parent], plans=[trial_plan(), monthly_plan(usd="19.00")]
    )
    make_listing(partner, title_en="Via child", categories=[child])
    make_listing(partner, title_en="Elsewhere")
    make_listing(partner, title_en="Draft", categories=[parent], live=False)
    reindex_all()
    response = client.get(en_reverse("marketplace:category", args=["crm-test"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert sorted(titles(html)) == ["Direct", "Via child"]
    assert "Sales automation" in html  # subcategory chip
    assert "Free trial" in html and "From $19" in html
    assert "Yunfan Software" in html and "badge--tier" in html
    assert 'class="compare-toggle"' in html
    assert '<link rel="canonical" href="http://testserver/en/categories/crm-test/">' in html
    assert 'name="category"' not in html  # the page's own category is not a filter to untick


def test_english_category_page_is_under_en(client, partner, crm):
    make_listing(partner, title="中文名", title_en="English name", categories=[crm[0]])
    reindex_all()
    html = client.get("/en/categories/crm-test/").content.decode()
    assert titles(html) == ["English name"]
    assert '<html lang="en"' in html
    assert titles(client.get("/categories/crm-test/").content.decode()) == ["中文名"]


def test_category_filters_by_type_pricing_and_deployment(client, partner, crm):
    parent = crm[0]
    make_listing(partner, title_en="Cloud SaaS free", categories=[parent], plans=[free_plan()])
    make_listing(
        partner,
        title_en="On-prem integration",
        categories=[parent],
        listing_type=ListingType.INTEGRATION,
        deployment=Deployment.ON_PREMISES,
    )
    make_listing(
        partner,
        title_en="Hybrid service",
        categories=[parent],
        listing_type=ListingType.SERVICE_PACKAGE,
        deployment=Deployment.HYBRID,
        plans=[monthly_plan(), free_plan()],
    )
    make_listing(partner, title_en="Free elsewhere", plans=[free_plan()])
    reindex_all()
    url = "/en/categories/crm-test/"
    assert sorted(titles(client.get(url, {"type": "integration"}).content.decode())) == [
        "On-prem integration"
    ]
    assert sorted(titles(client.get(url, {"pricing": PricingModel.FREE}).content.decode())) == [
        "Cloud SaaS free",
        "Hybrid service",
    ]
    assert (
        titles(client.get(url, {"deployment": ["hybrid", "on_premises"], "type": "saas"}).content.decode())
        == []
    )
    both = client.get(url, {"deployment": ["hybrid", "on_premises"]}).content.decode()
    assert sorted(titles(both)) == ["Hybrid service", "On-prem integration"]
    html = client.get(url).content.decode()
    # counts within the category (the free listing elsewhere is not counted)
    assert re.search(r'value="free">.*?<span class="count"[^>]*>2</span>', html, re.S)
    # filter links stay on the category page and never carry the category itself
    assert 'action="/en/categories/crm-test/"' in html


def test_category_sorts_by_rating_and_newest(client, partner, crm):
    parent = crm[0]
    b = make_listing(partner, title_en="Bravo", categories=[parent])
    a = make_listing(partner, title_en="Alpha", categories=[parent])
    c = make_listing(partner, title_en="Charlie", categories=[parent])
    rate(c, 5, 5, 5, 5, 4)
    rate(b, 4)
    for days, listing in ((30, b), (10, a), (20, c)):
        listing.__class__.objects.filter(pk=listing.pk).update(
            first_published_at=timezone.now() - timedelta(days=days)
        )
    reindex_all()
    url = "/en/categories/crm-test/"
    assert titles(client.get(url, {"sort": "rating"}).content.decode()) == ["Charlie", "Bravo", "Alpha"]
    assert titles(client.get(url, {"sort": "newest"}).content.decode()) == ["Alpha", "Charlie", "Bravo"]


def test_category_paginates(client, partner, crm):
    total = PER_PAGE + 2
    for i in range(total):
        listing = make_listing(partner, title_en=f"App {i:02d}", categories=[crm[0]], plans=[])
        listing.__class__.objects.filter(pk=listing.pk).update(
            first_published_at=timezone.now() - timedelta(days=i)
        )
    reindex_all()
    first = client.get("/en/categories/crm-test/", {"sort": "newest"}).content.decode()
    second = client.get("/en/categories/crm-test/", {"sort": "newest", "page": 2}).content.decode()
    assert len(titles(first)) == PER_PAGE
    assert titles(second) == [f"App {PER_PAGE:02d}", f"App {PER_PAGE + 1:02d}"]
    assert f"{total} results" in first
    assert "/en/categories/crm-test/?sort=newest&amp;page=2" in first


def test_htmx_filtering_returns_only_the_results(client, partner, crm):
    make_listing(partner, title_en="Only one", categories=[crm[0]])
    make_listing(
        partner, title_en="An integration", categories=[crm[0]], listing_type=ListingType.INTEGRATION
    )
    reindex_all()
    response = client.get("/en/categories/crm-test/", {"type": "saas"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="search-app"') and titles(html) == ["Only one"]


def test_unknown_category_or_industry_is_404(client):
    assert client.get("/categories/no-such-thing/").status_code == 404
    assert client.get("/industries/no-such-thing/").status_code == 404


def test_industry_page_lists_listings_for_the_industry(client, partner):
    retail = IndustryFactory(slug="retail-test", name="零售", name_en="Retail")
    other = IndustryFactory(slug="energy-test", name="能源", name_en="Energy")
    make_listing(partner, title_en="Shop suite", industries=[retail])
    make_listing(partner, title_en="Grid monitor", industries=[other])
    reindex_all()
    response = client.get("/en/industries/retail-test/")
    assert response.status_code == 200
    html = response.content.decode()
    assert titles(html) == ["Shop suite"]
    assert "Energy" in html  # other industries to switch to
    assert titles(client.get("/en/industries/retail-test/", {"type": "integration"}).content.decode()) == []


def test_browsing_is_not_logged_as_searching(client, partner, crm):
    make_listing(partner, categories=[crm[0]])
    reindex_all()
    client.get("/en/categories/crm-test/")
    client.get("/en/search/", {"q": "app"})
    flush_search_log()
    assert SearchQueryLog.objects.count() == 1


def test_browse_page_queries_do_not_grow_with_listings(client, partner, crm, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_listing(partner, categories=[crm[0]])
    reindex_all()
    client.get("/categories/crm-test/")
    with CaptureQueriesContext(connection) as ctx:
        client.get("/categories/crm-test/", {"sort": "rating"})
    baseline = len(ctx.captured_queries)  # read now: the next request resets the query log
    for _ in range(12):
        make_listing(partner, categories=[crm[0]], plans=[monthly_plan(), trial_plan()])
    reindex_all()
    client.get("/categories/crm-test/")
    with django_assert_max_num_queries(baseline):
        client.get("/categories/crm-test/", {"sort": "rating"})


def test_home_page_features_real_listings_and_links_categories(client, partner, crm):
    from demo.marketplace import HOME_BODY, HOME_BODY_EN, stream_data
    from marketplace.models import HomePage

    home = HomePage.objects.first()
    home.body, home.body_en = stream_data(HOME_BODY, "zh"), stream_data(HOME_BODY_EN, "en")
    home.save_revision().publish()
    top = make_listing(partner, title_en="Top rated", categories=[crm[0]])
    rate(top, 5, 5, 5)
    html = client.get("/en/").content.decode()
    assert "Top rated" in html
    assert 'href="/en/categories/crm-test/"' in html


def test_partner_profile_tags_give_live_listing_cards_and_the_rating(partner):
    from django.template import Context, Template

    live = make_listing(partner, title_en="Live one")
    make_listing(partner, title_en="Draft one", live=False)
    rate(live, 5, 4)
    html = Template(
        "{% load market %}{% partner_listing_cards partner as cards %}{% partner_rating partner as r %}"
        "{% for c in cards %}[{{ c.title_en }}]{% endfor %}{{ r.count }}/{{ r.average }}"
    ).render(Context({"partner": partner}))
    assert html == "[Live one]2/4.5"

"""Landing pages composed from blocks, and the sitemap in both languages."""

import re

import pytest
from django.utils import translation
from wagtail.blocks import StreamValue

from catalog.models import Category
from marketplace.blocks import LandingStreamBlock, ListingCollectionBlock
from marketplace.models import HomePage, LandingPage
from marketplace.services import reviews as services
from tests.factories.marketplace import make_listing, make_review
from tests.factories.partners import IndustryFactory
from tests.unit.marketplace.helpers import url_of

pytestmark = pytest.mark.django_db


def add_landing(body, **kwargs):
    home = HomePage.objects.first()
    page = LandingPage(title="精选", title_en="Picks", slug=kwargs.pop("slug", "picks"), body=body, **kwargs)
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


def test_landing_page_renders_its_blocks_with_chosen_listings_in_order(client, partner):
    first, second = (
        make_listing(partner, title_en="Second pick"),
        make_listing(partner, title_en="First pick"),
    )
    body = [
        ("hero", {"heading": "财务上云", "subheading": "精选应用", "show_search": False}),
        (
            "listing_collection",
            {"heading": "编辑精选", "listings": [second, first], "count": 6, "sort": "rating"},
        ),
        ("call_to_action", {"heading": "成为伙伴", "button_label": "申请", "button_url": "/partners/apply/"}),
    ]
    page = add_landing(body)
    response = client.get("/en/picks/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "财务上云" in html and "编辑精选" in html and "成为伙伴" in html
    assert html.index("First pick") < html.index("Second pick")
    assert 'href="/en/partners/apply/"' in html
    assert f'<link rel="canonical" href="{page.full_url}' in html


def test_category_collection_shows_its_best_rated_live_listings(client, partner):
    finance, _ = Category.objects.get_or_create(
        slug="fin-test", defaults={"name": "财务", "name_en": "Finance"}
    )
    low = make_listing(partner, title_en="Low", categories=[finance])
    high = make_listing(partner, title_en="High", categories=[finance])
    make_listing(partner, title_en="Not in category")
    for listing, ratings in ((low, (2, 3)), (high, (5, 5, 4))):
        for rating in ratings:
            make_review(listing, rating=rating)
        services.recompute_listing_rating(listing_id=listing.pk, report=False)
    add_landing(
        [("listing_collection", {"heading": "财务", "category": "fin-test", "sort": "rating", "count": 6})]
    )
    html = client.get("/en/picks/").content.decode()
    assert html.index("High") < html.index("Low") and "Not in category" not in html
    assert 'href="/en/categories/fin-test/"' in html


def test_listing_collection_needs_listings_or_a_category():
    block = ListingCollectionBlock()
    with pytest.raises(Exception) as exc:
        block.clean(
            block.to_python({"heading": "空", "listings": [], "category": "", "sort": "rating", "count": 6})
        )
    with translation.override("en"):
        assert "Choose some listings or a category." in str(exc.value.block_errors["category"])


def test_landing_stream_offers_the_home_blocks_plus_collections():
    names = set(LandingStreamBlock.base_blocks)
    assert {
        "hero",
        "featured_listings",
        "category_grid",
        "partner_spotlight",
        "call_to_action",
        "text",
    } <= names
    assert "listing_collection" in names
    assert isinstance(StreamValue(LandingStreamBlock(), []), StreamValue)


def locs(xml):
    return re.findall(r"<loc>([^<]+)</loc>", xml)


def test_sitemap_lists_pages_and_browse_urls_in_both_languages(client, listing, partner):
    Category.objects.get_or_create(slug="sm-cat", defaults={"name": "类", "name_en": "Cat"})
    IndustryFactory(slug="sm-industry")
    add_landing([], slug="sm-landing")
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    xml = response.content.decode()
    urls = locs(xml)
    root = "http://localhost"
    for path in (
        url_of(listing),
        url_of(partner.page),
        "/sm-landing/",
        "/categories/sm-cat/",
        "/industries/sm-industry/",
    ):
        assert f"{root}{path}" in urls, path
        assert f"{root}/en{path}" in urls, path
    assert f'hreflang="zh-Hans" href="{root}{url_of(listing)}"' in xml
    assert f'hreflang="en" href="{root}{url_of(listing, "en")}"' in xml
    assert f'hreflang="x-default" href="{root}{url_of(listing)}"' in xml


def test_sitemap_leaves_out_drafts(client, partner):
    draft = make_listing(partner, live=False, slug="secret-draft")
    assert "secret-draft" not in client.get("/sitemap.xml").content.decode()
    assert draft.pk

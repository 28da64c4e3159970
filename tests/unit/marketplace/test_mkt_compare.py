"""Compare up to four listings side by side; the session tray."""

import re

import pytest

from catalog.models import Deployment
from marketplace.services.compare import SESSION_KEY
from tests.factories.marketplace import free_plan, make_listing, monthly_plan, trial_plan
from tests.factories.partners import IndustryFactory, RegionFactory
from tests.unit.marketplace.helpers import en_reverse, url_of

pytestmark = pytest.mark.django_db


def columns(html):
    return re.findall(r'<th scope="col" data-listing="(\d+)">', html)


@pytest.fixture
def five(partner):
    return [make_listing(partner, title_en=f"Listing {c}", slug=f"listing-{c.lower()}") for c in "ABCDE"]


def test_compare_shows_up_to_four_in_the_order_given(client, five):
    ids = [five[2].pk, five[0].pk, five[3].pk]
    response = client.get("/en/compare/", {"ids": ",".join(map(str, ids))})
    assert response.status_code == 200
    assert columns(response.content.decode()) == [str(pk) for pk in ids]


def test_more_than_four_shows_the_first_four_with_a_message(client, five):
    ids = ",".join(str(listing.pk) for listing in reversed(five))
    html = client.get("/en/compare/", {"ids": ids}).content.decode()
    assert columns(html) == [str(listing.pk) for listing in reversed(five)][:4]
    assert "You can compare up to 4 listings side by side; showing the first 4." in html


def test_unknown_ids_and_slugs_are_ignored_with_a_note(client, five, partner):
    draft = make_listing(partner, live=False)
    html = client.get(
        "/en/compare/", {"ids": f"999999,listing-b,nope,{draft.pk},{five[0].pk}"}
    ).content.decode()
    assert columns(html) == [str(five[1].pk), str(five[0].pk)]
    assert "could not be found and were left out: 999999, nope, " in html


def test_rows_cover_type_partner_rating_pricing_trial_deployment_languages_regions_industries(
    client, partner
):
    east = RegionFactory(code="east-test", name="华东", name_en="East China")
    retail = IndustryFactory(slug="retail-cmp", name="零售", name_en="Retail")
    first = make_listing(
        partner,
        title_en="First",
        plans=[trial_plan(), monthly_plan(usd="25.00"), free_plan()],
        deployment=Deployment.HYBRID,
        regions=[east],
        industries=[retail],
        languages=["zh-hans", "ja"],
    )
    second = make_listing(partner, title_en="Second", plans=[])
    html = client.get("/en/compare/", {"ids": f"{first.pk},{second.pk}"}).content.decode()
    for row in ("Type", "Partner", "Rating", "Pricing models", "Lowest price", "Free trial", "Deployment",
                "Languages", "Regions", "Industries", "Last updated"):  # fmt: skip
        assert f'<th scope="row">{row}</th>' in html
    assert "Free trial, Monthly subscription, Free" in html
    assert "<td>Free</td>" in html  # it has a free plan: the lowest price a customer can pay
    assert "Hybrid" in html and "East China" in html and "Retail" in html and "日本語" in html
    assert "Yunfan Software" in html


def test_tray_adds_removes_and_refuses_a_fifth(client, five):
    add = en_reverse("marketplace:compare-add")
    for listing in five[:4]:
        assert client.post(add, {"listing": listing.pk, "next": "/en/"}).status_code == 302
    assert client.session[SESSION_KEY] == [listing.pk for listing in five[:4]]

    response = client.post(add, {"listing": five[4].pk, "next": "/en/"}, follow=True)
    assert (
        "You can compare up to 4 listings. Remove one from the tray to add another."
        in response.content.decode()
    )
    assert five[4].pk not in client.session[SESSION_KEY]

    client.post(en_reverse("marketplace:compare-remove"), {"listing": five[1].pk})
    assert client.session[SESSION_KEY] == [five[0].pk, five[2].pk, five[3].pk]
    html = client.get("/en/compare/").content.decode()
    assert columns(html) == [str(five[0].pk), str(five[2].pk), str(five[3].pk)]


def test_htmx_toggle_swaps_the_button_and_updates_the_tray(client, five):
    response = client.post(
        en_reverse("marketplace:compare-add"),
        {"listing": five[0].pk},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert 'aria-pressed="true"' in html and "In compare" in html
    assert 'id="compare-tray"' in html and 'hx-swap-oob="true"' in html
    assert "Listing A" in html


def test_adding_an_unknown_listing_is_404(client, partner):
    draft = make_listing(partner, live=False)
    assert client.post(en_reverse("marketplace:compare-add"), {"listing": draft.pk}).status_code == 404
    assert client.post(en_reverse("marketplace:compare-add"), {"listing": "x"}).status_code == 404


def test_redirect_after_toggle_stays_on_this_site(client, five):
    response = client.post(
        en_reverse("marketplace:compare-add"), {"listing": five[0].pk, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_cards_show_whether_a_listing_is_in_the_tray(client, five):
    client.post(en_reverse("marketplace:compare-add"), {"listing": five[0].pk})
    html = client.get(url_of(five[1], "en")).content.decode()
    assert 'id="compare-tray"' in html and "Compare (1 of 4)" in html


def test_the_search_page_has_the_tray_its_compare_buttons_update(client, five):
    """The cards' compare buttons swap the tray out of band (htmx): the page must hold it."""
    client.post(en_reverse("marketplace:compare-add"), {"listing": five[0].pk, "next": "/en/"})
    html = client.get(en_reverse("search"), {"q": "Listing"}).content.decode()
    tray = html[html.index('id="compare-tray"') :]
    assert "Compare (1 of 4)" in tray and "Listing A" in tray

"""A partner's public profile shows its live listings and the rating across them (the sections
marketplace adds through settings.PARTNER_PROFILE_SECTIONS), with a bounded number of queries."""

import pytest

from marketplace.services import reviews as services
from tests.factories.marketplace import make_listing, make_review, monthly_plan
from tests.factories.partners import provisioned_partner

pytestmark = pytest.mark.django_db


def test_profile_lists_live_listings_and_their_rating(client):
    partner = provisioned_partner(organisation__name_en="Cloudsail", organisation__slug="cloudsail")
    live = make_listing(partner, title_en="Sail CRM", plans=[monthly_plan()])
    make_listing(partner, title_en="Hidden draft", live=False)
    for rating in (5, 4):
        make_review(live, rating=rating)
    services.recompute_listing_rating(listing_id=live.pk, report=False)

    response = client.get("/en/partners/cloudsail/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Sail CRM" in html and "Hidden draft" not in html
    assert f'data-listing="{live.pk}"' in html
    assert "data-partner-rating" in html and "<strong>4.5</strong>" in html
    assert "from 2 reviews across its apps" in html


def test_profile_without_listings_says_so(client):
    provisioned_partner(organisation__name_en="Quiet Co", organisation__slug="quiet-co")
    html = client.get("/en/partners/quiet-co/").content.decode()
    assert "This partner has no published listings yet." in html
    assert "No reviews yet." in html


def test_profile_queries_do_not_grow_with_listings(client, django_assert_max_num_queries):
    partner = provisioned_partner(organisation__slug="busy-co")
    make_listing(partner, plans=[monthly_plan()])
    client.get("/en/partners/busy-co/")
    with django_assert_max_num_queries(25) as one:
        client.get("/en/partners/busy-co/")
    for _ in range(6):
        make_listing(partner, plans=[monthly_plan()])
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get("/en/partners/busy-co/").status_code == 200

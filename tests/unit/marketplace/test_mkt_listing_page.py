"""The listing detail page: what customers see, structured data, and a bounded query count."""

import json
import re
from decimal import Decimal

import pytest

from catalog.models import PricingModel
from marketplace.services import reviews as services
from tests.factories.accounts import buyer
from tests.factories.marketplace import (
    add_screenshots,
    free_plan,
    give_usage,
    make_listing,
    make_review,
    monthly_plan,
    trial_plan,
)
from tests.unit.marketplace.helpers import url_of

pytestmark = pytest.mark.django_db


def get(client, listing, lang="en"):
    response = client.get(url_of(listing, lang))
    assert response.status_code == 200
    return response.content.decode()


def json_ld(html):
    [payload] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(payload)


def test_plans_show_pricing_model_prices_trial_unit_and_features(client, partner):
    listing = make_listing(
        partner,
        plans=[
            monthly_plan(cny="1299.00", usd="189.50", name_en="Team"),
            trial_plan(days=30),
            monthly_plan(
                cny="30.00",
                usd="4.00",
                name_en="Seats",
                pricing_model=PricingModel.PER_SEAT,
                unit_en="user / month",
            ),
            free_plan(),
        ],
    )
    html = get(client, listing)
    assert "Team" in html and "Monthly subscription" in html
    assert "$189.50 · ¥1,299" in html  # English shows USD first
    assert "30-day free trial" in html
    assert "per user / month" in html
    assert "Unlimited projects" in html and "Email support" in html
    assert '<p class="cta-card__price">Free' in html  # a free plan: the lowest price one can pay
    zh = get(client, listing, lang="zh-hans")
    assert "¥1,299 · $189.50" in zh


def test_calls_to_action_lead_to_trial_and_checkout(client, listing):
    """Billing enabled the CTAs (was: disabled with a note)."""
    html = get(client, listing)
    assert "Free trials need no card." in html
    assert not re.search(r"<button[^>]*disabled[^>]*>.*?Buy", html, re.S)
    assert 'href="#plans"' in html
    assert f"mailto:{listing.support_email}" in html


def test_canonical_link_and_partner_card(client, listing, partner):
    html = get(client, listing)
    assert f'<link rel="canonical" href="http://testserver{url_of(listing, "en")}">' in html
    assert "Yunfan Software" in html
    assert "badge--tier" in html


def test_rating_histogram_and_json_ld_aggregate_rating(client, listing):
    for rating in (5, 5, 4, 2):
        make_review(listing, rating=rating)
    services.recompute_listing_rating(listing_id=listing.pk, report=False)
    html = get(client, listing)
    data = json_ld(html)
    assert data["@type"] == "SoftwareApplication"
    assert data["aggregateRating"] == {
        "@type": "AggregateRating",
        "ratingValue": "4.00",
        "ratingCount": 4,
        "bestRating": 5,
        "worstRating": 1,
    }
    assert 'style="width: 50%"' in html  # two of four reviews have five stars


def test_json_ld_has_no_rating_without_reviews(client, listing):
    data = json_ld(get(client, listing))
    assert "aggregateRating" not in data
    assert data["offers"][0]["priceCurrency"] == "CNY"


def test_json_ld_cannot_break_out_of_its_script_element(client, partner):
    listing = make_listing(partner, title_en="Evil </script><script>alert(1)</script> & Co")
    html = get(client, listing)
    assert "</script><script>alert(1)" not in html
    assert json_ld(html)["name"] == "Evil </script><script>alert(1)</script> & Co"


def test_gallery_uses_renditions_with_keyboard_reachable_thumbnails(client, listing):
    add_screenshots(listing, 3)
    html = get(client, listing)
    assert html.count("data-gallery-thumb") == 3
    assert ".fill-1200x750" in html and ".fill-240x150" in html
    assert 'data-gallery-step="1"' in html


def _page_queries(client, django_assert_max_num_queries, listing, bound=None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    get(client, listing)  # renditions are created on the first view
    if bound is None:
        with CaptureQueriesContext(connection) as ctx:
            get(client, listing)
        return len(ctx.captured_queries)
    with django_assert_max_num_queries(bound):
        get(client, listing)
    return bound


def _listing_with(partner, n):
    listing = make_listing(
        partner, plans=[monthly_plan(cny=str(10 + i), name_en=f"Plan {i}") for i in range(n)]
    )
    add_screenshots(listing, n)
    for i in range(n):
        user, organisation = buyer()
        give_usage(listing, organisation)
        review = make_review(listing, organisation=organisation, author=user, rating=1 + i % 5)
        if i % 2:
            review.reports.create(reporter=user, reason="spam")
    services.recompute_listing_rating(listing_id=listing.pk, report=False)
    return listing


@pytest.mark.parametrize("viewer", ["anonymous", "customer"])
def test_detail_page_queries_do_not_grow_with_plans_screenshots_and_reviews(
    client, partner, django_assert_max_num_queries, viewer
):
    if viewer == "customer":
        user, _organisation = buyer()
        client.force_login(user)
    small = _listing_with(partner, 1)
    large = _listing_with(partner, 20)
    bound = _page_queries(client, django_assert_max_num_queries, small)
    _page_queries(client, django_assert_max_num_queries, large, bound=bound)
    assert Decimal(large.__class__.objects.get(pk=large.pk).rating_count) == 20

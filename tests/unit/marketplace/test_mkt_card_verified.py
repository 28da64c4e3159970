"""Cards show how many reviews come from verified paying usage beside the rating (issue #18): the
reviews of organisations that subscribed to the listing, those the weighted rating counts twice."""

import pytest
from django.template import Context, Template
from django.utils import translation

from catalog.models import UsageKind
from marketplace.selectors.cards import listing_cards
from marketplace.services import reviews as services
from tests.factories.accounts import buyer
from tests.factories.marketplace import give_usage, make_listing, make_review

pytestmark = pytest.mark.django_db


def test_a_card_counts_the_reviews_of_subscribers_beside_the_rating(partner, django_assert_max_num_queries):
    listing = make_listing(partner, title_en="Rated")
    unrated = make_listing(partner, title_en="Unrated", slug="unrated")
    for kind, rating in ((UsageKind.SUBSCRIPTION, 5), (UsageKind.SUBSCRIPTION, 4), (UsageKind.TRIAL, 2)):
        _user, organisation = buyer()
        give_usage(listing, organisation, kind=kind, days_ago=100)
        make_review(listing, rating=rating, organisation=organisation)
    services.recompute_listing_rating(listing_id=listing.pk, report=False)

    with django_assert_max_num_queries(2), translation.override("en"):  # the cards, the site root
        cards = {card["pk"]: card for card in listing_cards([listing.pk, unrated.pk], currency="USD")}
    rating = cards[listing.pk]["rating"]
    assert rating["count"] == 3 and rating["verified"] == 2
    assert rating["average"] == "4.0"  # (5×2 + 4×2 + 2) / 5
    assert cards[unrated.pk]["rating"]["count"] == 0

    with translation.override("en"):
        html = Template("{% load cards %}{% listing_card_grid cards %}").render(
            Context({"cards": [cards[listing.pk]]})
        )
    assert "(3 reviews)" in html
    assert '<span class="rating-verified">2 from verified customers</span>' in html

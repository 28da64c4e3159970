"""A listing's rating is weighted by verified usage: a paying customer's review counts twice a
trial user's (``marketplace.services.reviews.SUBSCRIBER_WEIGHT``), in the single and the bulk
recomputation alike, and the listing page says so."""

from decimal import Decimal

import pytest

from catalog.models import ListingPage, UsageKind
from marketplace.services import reviews as services
from tests.factories.accounts import buyer
from tests.factories.marketplace import give_usage, make_listing, make_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def rated(partner):
    listing = make_listing(partner)
    _user, paying = buyer()
    _user, trying = buyer()
    give_usage(listing, paying, kind=UsageKind.SUBSCRIPTION, days_ago=200)
    give_usage(listing, trying, kind=UsageKind.TRIAL, days_ago=10)
    make_review(listing, rating=5, organisation=paying)
    make_review(listing, rating=2, organisation=trying)
    return listing


def test_a_paying_customers_review_counts_twice_a_trial_users(rated):
    summary = services.recompute_listing_rating(listing_id=rated.pk, report=False)
    # (5 × 2 + 2 × 1) / 3 = 4.00, where a plain mean would say 3.50
    assert summary.average == Decimal("4.00")
    assert summary.count == 2 and summary.histogram["5"] == 1 and summary.histogram["2"] == 1
    assert ListingPage.objects.get(pk=rated.pk).rating_average == Decimal("4.00")


def test_bulk_recomputation_gives_the_same_weighted_average(rated):
    services.recompute_listing_ratings(listing_ids=[rated.pk], reindex=False)
    assert ListingPage.objects.get(pk=rated.pk).rating_average == Decimal("4.00")


def test_equal_usage_gives_the_plain_mean(partner):
    listing = make_listing(partner)
    for rating in (5, 4, 1):
        _user, organisation = buyer()
        give_usage(listing, organisation, kind=UsageKind.TRIAL)
        make_review(listing, rating=rating, organisation=organisation)
    assert services.recompute_listing_rating(listing_id=listing.pk, report=False).average == Decimal("3.33")

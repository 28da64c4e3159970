"""The demo reviews: written only by customers with usage, mostly good, idempotent, with the
listing aggregates recomputed."""

import pytest

from demo.base import SeedContext
from demo.reviews import seed_reviews
from marketplace.models import Review, ReviewReply, ReviewReport
from tests.factories.accounts import buyer
from tests.factories.marketplace import give_usage, make_listing
from tests.unit.marketplace.test_mkt_reviews import db_aggregate, stored_aggregate

pytestmark = [pytest.mark.django_db, pytest.mark.demo]


@pytest.fixture
def demo_world(partner):
    listings = [make_listing(partner) for _ in range(3)]
    with_usage = []
    for i in range(14):
        _user, organisation = buyer()
        for listing in listings:
            give_usage(listing, organisation, days_ago=30 + i * 20)
        with_usage.append(organisation)
    _user, no_usage = buyer()
    return listings, with_usage, no_usage


def test_demo_reviews_come_from_customers_with_usage_and_keep_aggregates_exact(demo_world):
    listings, with_usage, no_usage = demo_world
    counts = seed_reviews(SeedContext())
    reviews = Review.objects.all()
    assert counts["reviews written"] == reviews.count() > 10
    assert not reviews.filter(organisation=no_usage).exists()
    assert set(reviews.values_list("organisation_id", flat=True)) <= {o.pk for o in with_usage}
    good = reviews.filter(rating__gte=4).count()
    assert good / reviews.count() >= 0.6
    assert {"zh-hans", "en"} >= set(reviews.values_list("language", flat=True))
    assert ReviewReply.objects.count() == counts["replies"]
    for listing in listings:
        assert stored_aggregate(listing) == db_aggregate(listing)


def test_demo_reviews_are_idempotent(demo_world):
    seed_reviews(SeedContext())
    before = (Review.objects.count(), ReviewReply.objects.count(), ReviewReport.objects.count())
    counts = seed_reviews(SeedContext())
    assert counts["reviews written"] == counts["replies"] == 0
    assert (Review.objects.count(), ReviewReply.objects.count(), ReviewReport.objects.count()) == before

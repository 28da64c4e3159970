"""A review changes the listing's rating; the search index (rating sort, ranking) follows."""

import pytest

from catalog.models import SearchDocument
from catalog.search.indexing import index_listings
from marketplace.models import Review
from marketplace.services import reviews as services
from tests.factories.marketplace import make_listing, make_review, monthly_plan

pytestmark = pytest.mark.django_db


def test_rating_change_reindexes_the_listing(django_capture_on_commit_callbacks):
    listing = make_listing(plans=[monthly_plan()])
    index_listings([listing.pk])
    assert SearchDocument.objects.get(listing=listing).rating_count == 0

    make_review(listing, rating=4, status=Review.Status.PUBLISHED)
    make_review(listing, rating=2, status=Review.Status.PUBLISHED)
    with django_capture_on_commit_callbacks(execute=True):
        services.recompute_listing_rating(listing_id=listing.pk, report=False)

    document = SearchDocument.objects.get(listing=listing)
    assert document.rating_count == 2
    assert document.rating_average == pytest.approx(3.0)


def test_bulk_recompute_reindexes_unless_told_not_to(django_capture_on_commit_callbacks):
    first, second = make_listing(plans=[monthly_plan()]), make_listing(plans=[monthly_plan()])
    index_listings([first.pk, second.pk])
    make_review(first, rating=5, status=Review.Status.PUBLISHED)
    make_review(second, rating=1, status=Review.Status.PUBLISHED)

    with django_capture_on_commit_callbacks(execute=True):
        services.recompute_listing_ratings(listing_ids=[first.pk], reindex=False)
    assert SearchDocument.objects.get(listing=first).rating_count == 0  # the seed reindexes later

    with django_capture_on_commit_callbacks(execute=True):
        services.recompute_listing_ratings(listing_ids=[first.pk, second.pk])
    counts = dict(SearchDocument.objects.values_list("listing_id", "rating_count"))
    assert counts == {first.pk: 1, second.pk: 1}

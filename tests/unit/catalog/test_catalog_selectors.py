"""Reads: live listings, the detail of one listing in a bounded number of queries, and the
aggregate columns other apps write (kept when a revision is published)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import RequestFactory
from django.utils import timezone

from catalog.models import ListingPage, ListingUsage, ListingVersion, UsageKind
from catalog.selectors.listings import listing_detail, live_listings
from tests.factories.accounts import OrganisationFactory
from tests.factories.catalog import category, complete_listing, plan

pytestmark = pytest.mark.django_db
DETAIL_QUERY_BOUND = 13  # whatever the number of plans, screenshots, versions or tags


def listing_with(partner, n, slug):
    page = complete_listing(
        partner,
        slug=slug,
        publish=True,
        screenshots=n,
        plans=[plan(name=f"方案 {i}") for i in range(n)],
        tags=[f"tag-{i}" for i in range(n)],
    )
    ListingVersion.objects.bulk_create(
        [ListingVersion(listing=page, version=f"1.{i}", released_on=timezone.localdate()) for i in range(n)]
    )
    return page


@pytest.mark.parametrize("n", [1, 10])
def test_listing_detail_uses_the_same_bounded_number_of_queries(
    n, partner_a, partner_b, django_assert_max_num_queries
):
    page = listing_with(partner_a, n, f"detail-{n}")
    for i in range(6):  # related candidates
        complete_listing(partner_b, slug=f"related-{n}-{i}", publish=True)
    page = live_listings().get(pk=page.pk)

    with django_assert_max_num_queries(DETAIL_QUERY_BOUND):
        detail = listing_detail(page)
        # what the template touches: renditions of prefetched images need no further query
        _ = [s.image.renditions.all() for s in detail["screenshots"]]
        _ = [(p.feature_list, p.prices) for p in detail["plans"]]
        _ = [(r.partner.organisation.name, r.logo) for r in detail["related"]]

    assert len(detail["plans"]) == n and len(detail["screenshots"]) == n and len(detail["versions"]) == n
    assert len(detail["related"]) == 4
    assert detail["partner"] == partner_a
    assert detail["categories"] == [category()]


def test_related_listings_share_a_category_and_are_live(partner_a, partner_b):
    page = complete_listing(partner_a, slug="main", publish=True)
    same = complete_listing(partner_b, slug="same", publish=True)
    complete_listing(partner_b, slug="draft")  # not live
    other = complete_listing(partner_b, slug="other", publish=True, categories=[category("hr-payroll")])

    related = listing_detail(page)["related"]

    assert [r.pk for r in related] == [same.pk]
    assert other.pk not in [r.pk for r in related]


def test_live_listings_leave_out_drafts_and_delisted(partner_a):
    live = complete_listing(partner_a, slug="live", publish=True)
    complete_listing(partner_a, slug="draft")
    delisted = complete_listing(partner_a, slug="gone", publish=True)
    ListingPage.objects.filter(pk=delisted.pk).update(delisted_at=timezone.now())

    assert list(live_listings()) == [live]


def test_aggregates_written_by_other_apps_survive_publishing(partner_a):
    page = complete_listing(partner_a, publish=True)
    draft = ListingPage.objects.get(pk=page.pk)
    draft.tagline = "新标语"
    revision = draft.save_revision()  # an edit saved before the figures change
    histogram = {"1": 0, "2": 0, "3": 1, "4": 2, "5": 7}
    ListingPage.objects.filter(pk=page.pk).update(
        rating_average=Decimal("4.60"), rating_count=10, rating_histogram=histogram, active_subscriptions=3
    )

    revision.publish()

    page.refresh_from_db()
    assert page.tagline == "新标语"
    assert (page.rating_average, page.rating_count, page.rating_histogram, page.active_subscriptions) == (
        Decimal("4.60"), 10, histogram, 3,
    )  # fmt: skip


def test_listing_page_context_carries_the_detail(partner_a):
    page = complete_listing(partner_a, publish=True)
    request = RequestFactory().get(page.url)
    context = page.get_context(request)
    assert context["listing"]["page"] == page
    assert context["canonical_url"].endswith(page.url)


def test_usage_months_count_whole_months(partner_a):
    page = complete_listing(partner_a, publish=True)
    start = timezone.localdate() - timedelta(days=200)
    usage = ListingUsage.objects.create(
        listing=page, organisation=OrganisationFactory(), kind=UsageKind.SUBSCRIPTION, started_on=start
    )
    assert usage.is_active
    assert 5 <= usage.months() <= 7
    assert page.usages.get() == usage
    assert usage.organisation.listing_usages.get() == usage


def test_a_copy_belongs_to_its_new_partner_and_starts_without_figures(partner_a, partner_b):
    page = complete_listing(partner_a, publish=True)
    ListingPage.objects.filter(pk=page.pk).update(rating_count=12, active_subscriptions=4)
    page.refresh_from_db()

    copy = page.copy(to=partner_b.page, update_attrs={"slug": "copied", "title": "副本"})

    copy = ListingPage.objects.get(pk=copy.pk)
    assert copy.partner == partner_b
    assert (copy.rating_count, copy.active_subscriptions) == (0, 0)
    assert copy.plans.count() == page.plans.count()

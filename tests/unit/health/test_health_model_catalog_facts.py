"""Catalogue facts: published listings, releases in the month, freshness share, joint solutions."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import CatalogSettings, ListingType, ListingVersion
from catalog.services.facts import report_catalog_facts
from partners.models import PartnerFact
from tests.factories.marketplace import make_listing
from tests.factories.partners import provisioned_partner

pytestmark = pytest.mark.django_db


def at(day: date):
    return timezone.make_aware(datetime(day.year, day.month, day.day, 12))


def facts_of(partner, month):
    rows = PartnerFact.objects.filter(partner=partner, month=month).values_list("metric__slug", "value")
    return dict(rows)


def test_catalog_facts_per_month():
    settings = CatalogSettings.load()
    settings.stale_after_months = 6
    settings.save()
    owner, other = provisioned_partner(), provisioned_partner()
    old = make_listing(owner)
    fresh = make_listing(owner)
    joint = make_listing(owner, listing_type=ListingType.JOINT_SOLUTION)
    joint.co_partners.add(other)
    joint.save()
    unpublished = make_listing(owner, live=False)
    type(old).objects.filter(pk=old.pk).update(
        first_published_at=at(date(2025, 1, 10)),
        last_published_at=at(date(2025, 1, 10)),
        last_updated_at=None,
    )
    type(old).objects.filter(pk__in=[fresh.pk, joint.pk]).update(
        first_published_at=at(date(2026, 3, 5)), last_published_at=at(date(2026, 3, 5)), last_updated_at=None
    )
    type(old).objects.filter(pk=unpublished.pk).update(first_published_at=None)
    ListingVersion.objects.create(listing=fresh, version="2.0", released_on=date(2026, 6, 3))
    ListingVersion.objects.create(listing=fresh, version="2.1", released_on=date(2026, 6, 20))
    ListingVersion.objects.create(listing=old, version="1.1", released_on=date(2025, 5, 1))

    written = report_catalog_facts(months=2, last=date(2026, 6, 15))
    june, may = date(2026, 6, 1), date(2026, 5, 1)
    assert facts_of(owner, june) == {
        "published_listings": Decimal("3"),
        "listing_releases": Decimal("2"),
        "fresh_listings_pct": Decimal("66.67"),  # old one last updated 2025-05: stale
        "joint_solutions": Decimal("1"),
    }
    assert facts_of(owner, may)["listing_releases"] == Decimal("0")
    assert facts_of(other, june) == {"joint_solutions": Decimal("1")}  # co-partner of the joint solution
    assert written == 10

    # Before the new listings were published the partner had one (stale) listing.
    report_catalog_facts(months=1, last=date(2026, 1, 1))
    assert facts_of(owner, date(2026, 1, 1)) == {
        "published_listings": Decimal("1"),
        "listing_releases": Decimal("0"),
        "fresh_listings_pct": Decimal("0"),
        "joint_solutions": Decimal("0"),
    }

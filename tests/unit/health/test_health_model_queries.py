"""The computation issues a bounded number of SQL statements: the same for 10 and for 60 partners."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from health.models import HealthSnapshot
from health.services import snapshots as health
from partners.models import PartnerKind
from tests.factories.health import fact
from tests.factories.partners import PartnerFactory

pytestmark = pytest.mark.django_db


def populate(count):
    partners = [PartnerFactory(kind=PartnerKind.ISV, joined_on=None) for _ in range(count)]
    for i, partner in enumerate(partners):
        for mon in ("2026-04", "2026-05", "2026-06"):
            fact(partner, "revenue", mon, 100 + i)
            fact(partner, "avg_rating", mon, "4.5")
            fact(partner, "churned_customers", mon, i % 3)
    return partners


def count_queries():
    with CaptureQueriesContext(connection) as ctx:
        health.compute_snapshots(first=date(2026, 5, 1), last=date(2026, 6, 1), notify=False)
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_partners():
    populate(10)
    count_queries()  # the first run creates the settings row and the first flags
    small = count_queries()
    populate(50)
    first_large = count_queries()  # new flags for the new partners: one batch upsert
    large = count_queries()
    assert first_large - large <= 5
    assert HealthSnapshot.objects.filter(month__year=2026).count() == 120
    assert large == small, (small, large)
    assert small < 40

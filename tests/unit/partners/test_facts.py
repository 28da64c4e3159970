"""Facts: the bulk upsert other apps report into."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from partners.models import PartnerFact
from partners.services.facts import FactRow, ensure_metric, report_facts
from tests.factories.partners import PartnerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner():
    return PartnerFactory()


def values(partner):
    return list(
        PartnerFact.objects.filter(partner=partner).values_list("metric__slug", "month", "value", "source")
    )


def test_reporting_stores_one_row_per_partner_metric_and_month(partner):
    written = report_facts(
        source="billing",
        rows=[
            FactRow(partner.pk, "revenue", date(2026, 3, 17), "1200.50"),
            (partner.pk, "revenue", date(2026, 4, 1), 9),
        ],
    )

    assert written == 2
    assert values(partner) == [
        ("revenue", date(2026, 3, 1), Decimal("1200.50"), "billing"),
        ("revenue", date(2026, 4, 1), Decimal(9), "billing"),
    ]


def test_reporting_the_same_month_again_updates_instead_of_duplicating(partner):
    report_facts(source="billing", rows=[FactRow(partner.pk, "revenue", date(2026, 3, 1), 100)])
    first = PartnerFact.objects.get(partner=partner)

    report_facts(source="billing", rows=[FactRow(partner.pk, "revenue", date(2026, 3, 31), 250)])

    fact = PartnerFact.objects.get(partner=partner)
    assert fact.pk == first.pk and fact.value == 250
    assert fact.updated_at >= first.updated_at


def test_within_one_call_the_last_value_for_a_month_wins(partner):
    report_facts(
        source="catalog",
        rows=[
            FactRow(partner.pk, "published_listings", date(2026, 5, 2), 3),
            FactRow(partner.pk, "published_listings", date(2026, 5, 9), 4),
        ],
    )
    assert values(partner) == [("published_listings", date(2026, 5, 1), Decimal(4), "catalog")]


def test_an_unknown_metric_or_partner_writes_nothing(partner):
    with pytest.raises(ValidationError):
        report_facts(
            source="billing",
            rows=[
                FactRow(partner.pk, "revenue", date(2026, 1, 1), 1),
                FactRow(partner.pk, "no-such", date(2026, 1, 1), 1),
            ],
        )
    with pytest.raises(ValidationError):
        report_facts(source="billing", rows=[FactRow(partner.pk + 999, "revenue", date(2026, 1, 1), 1)])
    with pytest.raises(ValidationError):
        report_facts(source="billing", rows=[FactRow(partner.pk, "revenue", date(2026, 1, 1), "lots")])
    assert not PartnerFact.objects.exists()


def test_a_new_source_adds_its_metric_as_data(partner):
    ensure_metric(
        slug="trial_conversions", name="试用转化", name_en="Trial conversions", source="marketplace"
    )

    report_facts(source="marketplace", rows=[FactRow(partner.pk, "trial_conversions", date(2026, 2, 1), 7)])

    assert values(partner) == [("trial_conversions", date(2026, 2, 1), Decimal(7), "marketplace")]

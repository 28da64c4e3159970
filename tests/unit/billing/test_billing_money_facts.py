"""Billing's monthly facts about partners: money from the ledger (USD converted to CNY),
customers from paid service periods (annual invoices cover twelve months), churn and retention,
trials and failed payments."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from billing.models import Invoice, Trial
from billing.services import facts, ledger
from partners.models import Metric, PartnerFact, PartnerKind
from tests.factories.billing import InvoiceFactory, at, customer, live_listing, money_partner

pytestmark = pytest.mark.django_db

JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)


@pytest.fixture
def partner(db):
    return money_partner(slug="facts-isv", name="事实软件", name_en="Facts Soft", kind=PartnerKind.ISV)


@pytest.fixture
def history(partner):
    listing = live_listing(partner, slug="facts-app")
    a, b, c = (customer(f"facts-{x}") for x in "abc")

    def paid(org, total, start, end, currency="CNY", **extra):
        inv = InvoiceFactory(
            partner=partner,
            listing=listing,
            organisation=org,
            total=total,
            currency=currency,
            paid_at=start + timedelta(hours=1),
            period_start=start,
            period_end=end,
            **extra,
        )
        ledger.post_invoice_paid(inv)
        return inv

    paid(a, "100.00", at(2026, 1, 1, 0), at(2026, 2, 1, 0))
    paid(a, "100.00", at(2026, 2, 1, 0), at(2026, 3, 1, 0), failed_at=at(2026, 1, 29))
    paid(a, "100.00", at(2026, 3, 1, 0), at(2026, 4, 1, 0))
    paid(b, "1200.00", at(2026, 1, 10, 0), at(2027, 1, 10, 0))  # annual
    paid(c, "50.00", at(2026, 1, 1, 0), at(2026, 2, 1, 0), currency="USD")
    InvoiceFactory(
        partner=partner,
        listing=listing,
        organisation=c,
        total="50.00",
        currency="USD",
        status=Invoice.Status.OPEN,
        paid_at=None,
        failed_at=at(2026, 2, 2),
    )
    Trial.objects.create(organisation=c, listing=listing, started_at=at(2026, 2, 10), ends_at=at(2026, 2, 24))
    Trial.objects.create(
        organisation=b,
        listing=live_listing(partner, slug="facts-app-2"),
        started_at=at(2026, 2, 20),
        ends_at=at(2026, 3, 6),
        status=Trial.Status.CONVERTED,
        ended_at=at(2026, 3, 3),
    )
    return listing


def values(partner, slug):
    return dict(PartnerFact.objects.filter(partner=partner, metric__slug=slug).values_list("month", "value"))


def test_monthly_facts(partner, history, settings):
    settings.BILLING_USD_CNY_RATE = Decimal("7.10")
    assert facts.report(JAN, MAR) > 0

    assert values(partner, "revenue") == {
        JAN: Decimal("1655.00"),
        FEB: Decimal("100.00"),
        MAR: Decimal("100.00"),
    }
    assert values(partner, "platform_commission") == {
        JAN: Decimal("248.25"),
        FEB: Decimal("15.00"),
        MAR: Decimal("15.00"),
    }
    assert values(partner, "active_customers") == {JAN: 3, FEB: 2, MAR: 2}
    assert values(partner, "new_customers") == {JAN: 3, FEB: 0, MAR: 0}
    assert values(partner, "churned_customers") == {JAN: 0, FEB: 1, MAR: 0}
    assert values(partner, "customer_retention") == {FEB: Decimal("66.67"), MAR: Decimal("100.00")}
    assert values(partner, "payment_failures") == {JAN: 1, FEB: 1, MAR: 0}
    assert values(partner, "trials_started") == {JAN: 0, FEB: 2, MAR: 0}
    assert values(partner, "trials_converted") == {JAN: 0, FEB: 0, MAR: 1}
    assert set(PartnerFact.objects.values_list("source", flat=True)) == {"billing"}


def test_reporting_again_replaces_values_and_metrics_exist(partner, history):
    facts.report(JAN, MAR)
    count = PartnerFact.objects.count()
    facts.report(JAN, MAR)
    assert PartnerFact.objects.count() == count
    metric = Metric.objects.get(slug="customer_retention")
    assert metric.unit == Metric.Unit.PERCENT and metric.source == "billing"
    assert Metric.objects.get(slug="platform_commission").unit == Metric.Unit.CNY

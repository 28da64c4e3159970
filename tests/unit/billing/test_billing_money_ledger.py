"""Ledger posting: one Stripe object posts once, commission follows kind and tier rules,
refunds give commission back at the original rate, balances are sums of signed entries."""

from decimal import Decimal

import pytest

from billing import signals
from billing.models import CommissionRule, LedgerEntry, LedgerKind
from billing.services import commission, ledger
from partners.models import PartnerKind
from tests.factories.billing import InvoiceFactory, customer, live_listing, money_partner

pytestmark = pytest.mark.django_db


@pytest.fixture
def isv(db):
    return money_partner(slug="ledger-isv", name="账本软件", name_en="Ledger Soft", kind=PartnerKind.ISV)


@pytest.fixture
def listing(isv):
    return live_listing(isv, slug="ledger-app")


@pytest.fixture
def buyer(db):
    return customer("ledger-buyer")


def test_the_same_invoice_paid_twice_posts_one_charge_and_one_commission(isv, listing, buyer):
    inv = InvoiceFactory(partner=isv, listing=listing, organisation=buyer, total="1000.00")

    signals.invoice_paid.send(sender=type(inv), invoice=inv)
    signals.invoice_paid.send(sender=type(inv), invoice=inv)  # a replayed webhook
    assert ledger.post_invoice_paid(inv) == 0

    entries = LedgerEntry.objects.filter(invoice=inv).order_by("kind")
    assert [(e.kind, e.amount) for e in entries] == [
        (LedgerKind.CHARGE, Decimal("1000.00")),
        (LedgerKind.COMMISSION, Decimal("-150.00")),
    ]
    assert {e.stripe_object_id for e in entries} == {inv.stripe_invoice_id}
    assert ledger.balance(isv, "CNY") == Decimal("850.00")


def test_default_commission_is_the_setting(isv, settings):
    settings.BILLING_DEFAULT_COMMISSION_RATE = Decimal("0.2000")
    assert commission.rate_for(isv) == Decimal("0.2000")


def test_commission_by_kind_then_tier(isv, listing, buyer):
    service = money_partner(
        slug="ledger-svc", name="服务伙伴", name_en="Service Co", kind=PartnerKind.SERVICE
    )
    gold = money_partner(
        slug="ledger-gold", name="金牌", name_en="Gold ISV", kind=PartnerKind.ISV, tier_rank=2
    )
    CommissionRule.objects.create(partner_kind=PartnerKind.SERVICE, rate=Decimal("0.1200"))
    CommissionRule.objects.create(partner_kind=PartnerKind.ISV, rate=Decimal("0.1800"))
    CommissionRule.objects.create(partner_kind=PartnerKind.ISV, tier=gold.tier, rate=Decimal("0.0800"))

    assert commission.rate_for(isv) == Decimal("0.1800")  # kind rule
    assert commission.rate_for(service) == Decimal("0.1200")  # kind rule
    assert commission.rate_for(gold) == Decimal("0.0800")  # tier beats kind
    assert commission.rate_table([isv, service, gold]) == {
        isv.pk: Decimal("0.1800"),
        service.pk: Decimal("0.1200"),
        gold.pk: Decimal("0.0800"),
    }

    gold_listing = live_listing(gold, slug="gold-app")
    inv = InvoiceFactory(partner=gold, listing=gold_listing, organisation=buyer, total="333.33")
    ledger.post_invoice_paid(inv)
    fee = LedgerEntry.objects.get(invoice=inv, kind=LedgerKind.COMMISSION)
    assert fee.amount == Decimal("-26.67")  # 333.33 × 8 % = 26.6664, rounded half-up
    assert fee.rate == Decimal("0.0800")


def test_refund_returns_commission_at_the_rate_charged_once_per_refund(isv, listing, buyer):
    inv = InvoiceFactory(partner=isv, listing=listing, organisation=buyer, total="200.00")
    ledger.post_invoice_paid(inv)
    CommissionRule.objects.create(partner_kind=PartnerKind.ISV, rate=Decimal("0.5000"))  # changed later

    for _ in range(2):
        signals.invoice_refunded.send(
            sender=type(inv), invoice=inv, amount=Decimal("80.00"), currency="CNY", stripe_refund_id="re_1"
        )
    refund = LedgerEntry.objects.filter(invoice=inv, stripe_object_id="re_1").order_by("kind")
    assert [(e.kind, e.amount) for e in refund] == [
        (LedgerKind.COMMISSION, Decimal("12.00")),  # 15 %, the rate of the original charge
        (LedgerKind.REFUND, Decimal("-80.00")),
    ]
    assert ledger.balance(isv, "CNY") == Decimal("200.00") - Decimal("30.00") - Decimal("80.00") + Decimal(
        "12.00"
    )


def test_currencies_are_kept_apart(isv, listing, buyer):
    ledger.post_invoice_paid(InvoiceFactory(partner=isv, listing=listing, organisation=buyer, total="100.00"))
    ledger.post_invoice_paid(
        InvoiceFactory(partner=isv, listing=listing, organisation=buyer, total="10.00", currency="USD")
    )
    assert ledger.balance(isv, "CNY") == Decimal("85.00")
    assert ledger.balance(isv, "USD") == Decimal("8.50")


def test_an_invoice_without_partner_or_amount_posts_nothing(isv, listing, buyer):
    assert ledger.post_invoice_paid(InvoiceFactory(partner=None, listing=listing, organisation=buyer)) == 0
    assert (
        ledger.post_invoice_paid(InvoiceFactory(partner=isv, listing=listing, organisation=buyer, total="0"))
        == 0
    )
    assert not LedgerEntry.objects.exists()


def test_money_tasks_are_registered_and_scheduled(settings, isv, listing, buyer):
    from datetime import date, datetime

    from django.utils import timezone

    from billing.models import PayoutStatement
    from billing.tasks.facts import report_billing_facts
    from billing.tasks.payouts import generate_monthly_statements
    from config.celery import app
    from partners.models import PartnerFact

    app.loader.import_default_modules()  # what a worker does at start: autodiscovers the tasks
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    money_tasks = {
        "billing.generate_monthly_statements",
        "billing.report_billing_facts",
    }
    assert money_tasks <= scheduled
    assert money_tasks | {"billing.run_statements"} <= set(app.tasks)
    # fulfilment notifications are entitlement events, delivered and retried by the webhook tasks
    assert "partners.deliver_webhook" in app.tasks and "billing.deliver_fulfilment" not in app.tasks

    paid_at = datetime(2026, 3, 9, 12, tzinfo=timezone.get_current_timezone())
    ledger.post_invoice_paid(
        InvoiceFactory(partner=isv, listing=listing, organisation=buyer, total="100.00", paid_at=paid_at)
    )
    assert generate_monthly_statements.delay("2026-03-15").get() == 1
    statement = PayoutStatement.objects.get(partner=isv)
    assert statement.month == date(2026, 3, 1) and statement.pdf.name and statement.pdf_en.name
    assert report_billing_facts.delay().get() >= 0
    assert PartnerFact.objects.filter(partner=isv, source="billing").exists()


@pytest.mark.parametrize(
    ("var", "value"), [("BILLING_DEFAULT_COMMISSION_RATE", "1.5"), ("BILLING_USD_CNY_RATE", "seven")]
)
def test_nonsense_money_settings_stop_start_up_naming_the_variable(var, value):
    import os
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[3]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", var: value}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert f"{var}={value!r} is not a number" in result.stderr

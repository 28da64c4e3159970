# ruff: noqa: F811  (pytest fixtures imported from shared modules)
"""Payout statements, payouts and the reconciliation — including on the demo billing history
(the billing seeder runs here on a small world of its own) — and the statement PDFs."""

import shutil
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from billing.models import ConnectAccount, Invoice, LedgerEntry, LedgerKind, Payout, PayoutStatement
from billing.services import ledger, payouts
from catalog.models import ListingUsage, UsageKind
from demo import billing as billing_demo
from demo.base import SeedContext
from partners.models import PartnerFact, PartnerKind
from tests.factories.billing import InvoiceFactory, at, customer, live_listing, money_partner, paid_plans
from tests.recorded_stripe import recorded_stripe  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def isv(db):
    return money_partner(slug="payout-isv", name="星河软件", name_en="Galaxy Soft", kind=PartnerKind.ISV)


@pytest.fixture
def listing(isv):
    return live_listing(isv, slug="payout-app")


@pytest.fixture
def buyer(db):
    return customer("payout-buyer")


def _paid(isv, listing, buyer, total, when, currency="CNY"):
    inv = InvoiceFactory(
        partner=isv, listing=listing, organisation=buyer, total=total, paid_at=when, currency=currency
    )
    ledger.post_invoice_paid(inv)
    return inv


def test_a_statement_gathers_the_months_entries_once(isv, listing, buyer):
    _paid(isv, listing, buyer, "1000.00", at(2026, 3, 5))
    second = _paid(isv, listing, buyer, "500.00", at(2026, 3, 28))
    ledger.post_refund(
        second, amount=Decimal("100.00"), currency="CNY", stripe_refund_id="re_x", occurred_at=at(2026, 3, 30)
    )
    _paid(isv, listing, buyer, "700.00", at(2026, 4, 2))  # next month

    statement = payouts.generate_statement(partner=isv, month=date(2026, 3, 1), currency="CNY")
    assert (statement.charges, statement.refunds, statement.commission, statement.net) == (
        Decimal("1500.00"),
        Decimal("100.00"),
        Decimal("210.00"),  # 225 − 15 returned with the refund
        Decimal("1190.00"),
    )
    assert statement.status == PayoutStatement.Status.OPEN
    assert statement.entry_count == 6
    assert payouts.generate_statement(partner=isv, month=date(2026, 3, 1), currency="CNY") == statement
    april = payouts.generate_statement(partner=isv, month=date(2026, 4, 1), currency="CNY")
    assert april.charges == Decimal("700.00") and april.entry_count == 2


def test_a_month_with_nothing_due_is_carried_forward(isv, listing, buyer):
    inv = _paid(isv, listing, buyer, "100.00", at(2026, 1, 10))
    payouts.generate_statement(partner=isv, month=date(2026, 1, 1), currency="CNY")
    ledger.post_refund(
        inv, amount=Decimal("100.00"), currency="CNY", stripe_refund_id="re_all", occurred_at=at(2026, 2, 3)
    )
    feb = payouts.generate_statement(partner=isv, month=date(2026, 2, 1), currency="CNY")
    assert feb.status == PayoutStatement.Status.CARRIED and feb.net == Decimal("-85.00")
    _paid(isv, listing, buyer, "300.00", at(2026, 3, 3))
    march = payouts.generate_statement(partner=isv, month=date(2026, 3, 1), currency="CNY")
    assert march.net == Decimal("255.00") - Decimal("85.00")  # February's refund carried into March
    assert march.status == PayoutStatement.Status.OPEN and march.entry_count == 4
    assert march.can_pay_out and not feb.can_pay_out


STATED = ("partner_id", "month", "currency", "number", "charges", "refunds", "commission", "adjustments")
STATED += ("net", "entry_count", "status")


def _stated(ids):
    """Each statement's figures (not its id) and the ledger entries tied to it."""
    return [
        (
            PayoutStatement.objects.values(*STATED).get(pk=pk),
            sorted(LedgerEntry.objects.filter(statement_id=pk).values_list("pk", flat=True)),
        )
        for pk in ids
    ]


def test_a_months_run_states_each_partner_and_currency_as_one_at_a_time_would(isv, listing, buyer):
    other = money_partner(
        slug="payout-other", name="云杉服务", name_en="Spruce Services", kind=PartnerKind.SERVICE
    )
    other_listing = live_listing(other, slug="payout-other-app")
    refunded = _paid(isv, listing, buyer, "100.00", at(2026, 1, 10))
    ledger.post_refund(  # January's charge refunded in February: nothing due, carried
        refunded,
        amount=Decimal("100.00"),
        currency="CNY",
        stripe_refund_id="re_jan",
        occurred_at=at(2026, 2, 3),
    )
    _paid(isv, listing, buyer, "80.00", at(2026, 2, 14), currency="USD")
    _paid(other, other_listing, buyer, "400.00", at(2026, 1, 20))
    _paid(other, other_listing, buyer, "600.00", at(2026, 2, 20))
    _paid(other, other_listing, buyer, "900.00", at(2026, 3, 2))  # after February: not stated
    feb = date(2026, 2, 1)
    pairs = sorted([(isv.pk, "CNY"), (isv.pk, "USD"), (other.pk, "CNY")])
    partners = {isv.pk: isv, other.pk: other}
    with transaction.atomic():  # one statement at a time, then undone
        one_by_one = [
            payouts.generate_statement(partner=partners[pid], month=feb, currency=cur).pk
            for pid, cur in pairs
        ]
        expected = _stated(one_by_one)
        transaction.set_rollback(True)
    assert [figures["status"] for figures, _entries in expected].count(PayoutStatement.Status.CARRIED) == 1

    ids = payouts.generate_month(date(2026, 2, 17))
    assert _stated(ids) == expected
    carried = PayoutStatement.objects.get(month=feb, status=PayoutStatement.Status.CARRIED)
    # Again: only the carried statement's entries are still open — it is returned, nothing is new.
    assert payouts.generate_month(feb) == [carried.pk]
    assert PayoutStatement.objects.filter(month=feb).count() == 3
    assert payouts.generate_month(date(2026, 3, 1), partner_ids=[other.pk]) == list(
        PayoutStatement.objects.filter(month=date(2026, 3, 1)).values_list("pk", flat=True)
    )
    assert PayoutStatement.objects.filter(month=date(2026, 3, 1)).get().partner_id == other.pk


def _reconciled():
    results = payouts.reconcile()
    assert results, "there are ledger entries to reconcile"
    for result in results:
        for label, left, right in result.checks:
            assert left == right, f"{result.currency}: {label}: {left} ≠ {right}"
    return results


def test_pay_out_transfers_and_posts_once(isv, listing, buyer, recorded_stripe):
    _paid(isv, listing, buyer, "1000.00", at(2026, 5, 5))
    statement = payouts.generate_statement(partner=isv, month=date(2026, 5, 1), currency="CNY")
    with pytest.raises(ValidationError, match="Connect"):
        payouts.pay_out_statement(statement)
    ConnectAccount.objects.create(partner=isv, stripe_account_id="acct_galaxy", payouts_enabled=True)
    payout = payouts.pay_out_statement(statement)
    assert payout.status == Payout.Status.PAID and payout.stripe_transfer_id == "tr_1Recorded0001"
    ((path, fields, idempotency_key),) = recorded_stripe["requests"]
    assert path == "/v1/transfers" and fields["amount"] == ["85000"] and fields["currency"] == ["cny"]
    assert fields["destination"] == ["acct_galaxy"]
    assert idempotency_key == f"payout-{payout.public_id}-1"
    with pytest.raises(ValidationError):
        payouts.pay_out_statement(statement)  # paid already
    assert len(recorded_stripe["requests"]) == 1
    assert LedgerEntry.objects.get(kind=LedgerKind.PAYOUT).amount == Decimal("-850.00")
    assert ledger.balance(isv, "CNY") == Decimal("0.00")
    _reconciled()


def test_a_failed_transfer_changes_nothing_but_the_payout_row(isv, listing, buyer, recorded_stripe):
    _paid(isv, listing, buyer, "1000.00", at(2026, 5, 5))
    statement = payouts.generate_statement(partner=isv, month=date(2026, 5, 1), currency="CNY")
    ConnectAccount.objects.create(partner=isv, stripe_account_id="acct_galaxy", payouts_enabled=True)

    recorded_stripe["refuse"] = True  # Stripe's recorded balance_insufficient answer
    with pytest.raises(ValidationError, match="insufficient available funds"):
        payouts.pay_out_statement(statement)
    statement.refresh_from_db()
    assert statement.status == PayoutStatement.Status.OPEN
    assert Payout.objects.get().status == Payout.Status.FAILED
    assert not LedgerEntry.objects.filter(kind=LedgerKind.PAYOUT).exists()
    _reconciled()


def test_reconciliation_notices_a_missing_posting(isv, listing, buyer):
    _paid(isv, listing, buyer, "1000.00", at(2026, 5, 5))
    InvoiceFactory(partner=isv, listing=listing, organisation=buyer, total="50.00")  # paid, never posted
    (result,) = payouts.reconcile()
    assert not result.ok
    failing = [label for label, left, right in result.checks if left != right]
    assert failing == [str(result.checks[1][0])]  # charges ≠ paid invoices


# --- the demo billing history -------------------------------------------------------------------
@pytest.fixture
def seeded_world(db):
    """Two partners (ISV at the top tier, a service partner), four customers and the catalogue's
    usage records the billing seeder starts from; then the seeder itself."""
    isv = money_partner(
        slug="demo-isv", name="云帆软件", name_en="Cloudsail", kind=PartnerKind.ISV, tier_rank=0
    )
    svc = money_partner(slug="demo-svc", name="远景服务", name_en="Vista Services", kind=PartnerKind.SERVICE)
    apps = [live_listing(isv, slug="cloudsail-app", plans=paid_plans()), live_listing(svc, slug="vista-pack")]
    customers = [customer(f"demo-cust-{n}") for n in range(4)]
    usages = [
        (apps[0], customers[0], UsageKind.SUBSCRIPTION, date(2024, 9, 20), None),
        (apps[0], customers[1], UsageKind.SUBSCRIPTION, date(2025, 2, 3), date(2026, 1, 15)),
        (apps[0], customers[2], UsageKind.TRIAL, date(2026, 10, 20), None),
        (apps[1], customers[0], UsageKind.SUBSCRIPTION, date(2025, 6, 1), None),
        (apps[1], customers[3], UsageKind.SUBSCRIPTION, date(2024, 12, 24), None),
        (apps[1], customers[2], UsageKind.TRIAL, date(2025, 8, 1), date(2025, 8, 15)),
    ]
    ListingUsage.objects.bulk_create(
        [
            ListingUsage(listing=page, organisation=org, kind=kind, started_on=start, ended_on=end)
            for page, org, kind, start, end in usages
        ]
    )
    ctx = SeedContext()
    billing_demo.seed(ctx)
    return {"partners": [isv, svc], "ctx": ctx}


@pytest.mark.demo
def test_demo_history_reconciles_exactly_per_currency(seeded_world):
    assert Invoice.objects.filter(number__startswith="DEMO-").count() > 24
    assert Payout.objects.filter(status=Payout.Status.PAID).exists()
    assert PayoutStatement.objects.filter(
        status=PayoutStatement.Status.OPEN, month=date(2026, 10, 1)
    ).exists()
    results = _reconciled()
    for result in results:
        assert result.charges > 0 and result.commission > 0 and result.payouts > 0
        assert result.left == result.payouts + result.balance
    # Idempotent: seeding again neither duplicates nor breaks the reconciliation.
    before = LedgerEntry.objects.count()
    billing_demo.seed(seeded_world["ctx"])
    assert LedgerEntry.objects.count() == before
    _reconciled()


@pytest.mark.demo
def test_demo_history_reports_24_months_of_facts(seeded_world):
    isv = seeded_world["partners"][0]
    months = set(
        PartnerFact.objects.filter(partner=isv, metric__slug="revenue").values_list("month", flat=True)
    )
    assert date(2024, 11, 1) in months and date(2026, 10, 1) in months
    revenue = sum(
        PartnerFact.objects.filter(partner=isv, metric__slug="revenue").values_list("value", flat=True)
    )
    charges = sum(
        LedgerEntry.objects.filter(
            partner=isv, kind__in=[LedgerKind.CHARGE, LedgerKind.REFUND], currency="CNY"
        )
        .filter(occurred_at__gte=at(2024, 11, 1, 0))
        .values_list("amount", flat=True)
    )
    usd = sum(
        LedgerEntry.objects.filter(
            partner=isv, kind__in=[LedgerKind.CHARGE, LedgerKind.REFUND], currency="USD"
        )
        .filter(occurred_at__gte=at(2024, 11, 1, 0))
        .values_list("amount", flat=True)
    )
    assert revenue == pytest.approx(charges + usd * Decimal("7.10"), abs=Decimal("0.05"))
    slugs = set(PartnerFact.objects.filter(source="billing").values_list("metric__slug", flat=True))
    assert {"revenue", "platform_commission", "active_customers", "new_customers", "trials_started"} <= slugs


# --- PDFs -----------------------------------------------------------------------------------------
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
@pytest.mark.parametrize(
    ("language", "name", "words"),
    [
        ("zh-hans", "星河软件", ["伙伴", "货币", "状态"]),
        ("en", "Galaxy Soft", ["Payout statement", "Amount due"]),
    ],
)
def test_statement_pdf_names_the_partner_and_totals(isv, listing, buyer, tmp_path, language, name, words):
    _paid(isv, listing, buyer, "1234.50", at(2026, 6, 3))
    statement = payouts.generate_statement(partner=isv, month=date(2026, 6, 1), currency="CNY")
    payouts.ensure_pdf(statement, language)
    statement.refresh_from_db()
    file = statement.pdf_en if language == "en" else statement.pdf
    assert file.name.endswith(".pdf")
    path = tmp_path / "s.pdf"
    path.write_bytes(file.open("rb").read())
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert name in text
    assert "¥1,234.50" in text  # charges
    assert "¥1,049.32" in text  # amount due: 1234.50 − 185.18 (15 % = 185.175, rounded half-up)
    assert "¥185.18" in text
    assert statement.number in text
    for word in words:
        assert word in text


@pytest.mark.demo
def test_demo_prices_are_history_and_checkout_gets_a_real_one(seeded_world, stripe):
    """The seed's prices carry fake Stripe ids: they must never be offered at checkout, or a
    purchase in `make run` would ask localstripe for a price it never saw. Checkout syncs a
    price of its own to (local)stripe."""
    from billing.models import PlanPrice
    from billing.services import plans

    demo = PlanPrice.objects.filter(stripe_price_id__startswith=billing_demo.PREFIX)
    assert demo.exists() and not demo.filter(active=True).exists()
    old = demo.first()
    price = plans.price_for(old.listing_plan, old.currency)
    assert price.pk != old.pk and price.active
    assert price.stripe_price_id and not price.stripe_price_id.startswith(billing_demo.PREFIX)

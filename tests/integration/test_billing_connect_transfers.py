# ruff: noqa: F811  (the recorded_stripe fixture imported from tests.recorded_stripe)
"""Payouts through Stripe Connect transfers.

localstripe has no Connect API, so these tests use **recorded Stripe responses at the HTTP
layer**: the recorded stand-in (``billing.stripe_standin``, the one `make run` starts) answers
``POST /v1/transfers`` with the JSON shape Stripe documents
(https://docs.stripe.com/api/transfers/object) and its documented error shape, and
``STRIPE_CONNECT_API_BASE`` points stripe-python at it. The real client, serialisation, headers and
error mapping are exercised; only Stripe's side is a recording.
"""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from billing.models import ConnectAccount, LedgerEntry, LedgerKind, Payout, PayoutStatement
from billing.services import ledger, payouts
from partners.models import PartnerKind
from tests.factories.billing import InvoiceFactory, customer, live_listing, money_partner
from tests.recorded_stripe import RECORDED_TRANSFER_ID, recorded_stripe  # noqa: F401 - fixture

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture
def statement(db):
    partner = money_partner(slug="connect-isv", name="连接软件", name_en="Connect Soft", kind=PartnerKind.ISV)
    listing = live_listing(partner, slug="connect-app")
    paid_at = datetime(2026, 7, 8, 12, tzinfo=timezone.get_current_timezone())
    ledger.post_invoice_paid(
        InvoiceFactory(
            partner=partner,
            listing=listing,
            organisation=customer("connect-buyer"),
            total="2000.00",
            paid_at=paid_at,
        )
    )
    ConnectAccount.objects.create(
        partner=partner, stripe_account_id="acct_1QPartnerAccount", payouts_enabled=True
    )
    return payouts.generate_statement(partner=partner, month=date(2026, 7, 1), currency="CNY")


def test_pay_out_sends_a_transfer_in_minor_units_with_an_idempotency_key(recorded_stripe, statement):
    payout = payouts.pay_out_statement(statement)

    ((path, fields, key),) = recorded_stripe["requests"]
    assert path == "/v1/transfers"
    assert {name: values[0] for name, values in fields.items()} == {
        "amount": "170000",  # ¥1,700.00 = 2,000 − 15 % commission, in fen
        "currency": "cny",
        "destination": "acct_1QPartnerAccount",
        "description": statement.number,
        "metadata[statement]": statement.number,
        "metadata[partner_id]": str(statement.partner_id),
    }
    assert key == f"payout-{payout.public_id}-1"
    assert payout.status == Payout.Status.PAID and payout.stripe_transfer_id == RECORDED_TRANSFER_ID
    entry = LedgerEntry.objects.get(kind=LedgerKind.PAYOUT)
    assert (entry.amount, entry.stripe_object_id) == (Decimal("-1700.00"), RECORDED_TRANSFER_ID)
    statement.refresh_from_db()
    assert statement.status == PayoutStatement.Status.PAID
    (result,) = payouts.reconcile()
    assert result.ok and result.balance == Decimal("0.00") and result.payouts == Decimal("1700.00")


def test_stripe_refusing_the_transfer_is_reported_and_changes_nothing(recorded_stripe, statement):
    recorded_stripe["refuse"] = True
    with pytest.raises(ValidationError, match="insufficient available funds"):
        payouts.pay_out_statement(statement)
    statement.refresh_from_db()
    assert statement.status == PayoutStatement.Status.OPEN
    payout = Payout.objects.get()
    assert payout.status == Payout.Status.FAILED and "insufficient" in payout.failure_message
    assert not LedgerEntry.objects.filter(kind=LedgerKind.PAYOUT).exists()

    # Retried once Stripe has funds: the same payout row, a new idempotency key (Stripe caches
    # the refusal under the first one).
    recorded_stripe["refuse"] = False
    retried = payouts.pay_out_statement(statement)
    assert retried.pk == payout.pk and retried.status == Payout.Status.PAID
    keys = [key for _path, _fields, key in recorded_stripe["requests"]]
    assert keys == [f"payout-{payout.public_id}-1", f"payout-{payout.public_id}-2"]

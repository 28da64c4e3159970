# ruff: noqa: F811  (the recorded_stripe fixture imported from tests.recorded_stripe)
"""Paying an approved claim by Stripe Connect transfer (besides the statement credit).

localstripe has no Connect API, so these tests use RECORDED STRIPE RESPONSES served at the HTTP
layer by a throwaway loopback server, as billing's payout and price tests do: the bodies follow
Stripe's documented ``transfer`` object and error shapes, and each request billing's gateway
makes (path, form fields, Idempotency-Key) is checked."""

from decimal import Decimal

import pytest
from django.utils import translation

from billing.models import ConnectAccount, LedgerEntry
from core.exceptions import ApplicationError, NotAllowed
from incentives.models import IncentiveLedgerEntry, LedgerKind, PaymentMethod, RequestState
from incentives.services import funds
from tests.recorded_stripe import recorded_stripe  # noqa: F401
from tests.unit.accounts.helpers import english
from tests.unit.incentives.test_funds import approved, claim

pytestmark = pytest.mark.django_db

ACCOUNT = "acct_1RecordedMdfA"


@pytest.fixture
def claim_approved(pool, partner_a, programme_manager):
    request = approved(partner_a, pool, programme_manager)  # 20,000 approved
    return funds.approve_claim(request=claim(request, amount="15000"), user=programme_manager)


def payments(partner):
    return IncentiveLedgerEntry.objects.filter(partner=partner, kind=LedgerKind.PAYMENT)


def test_a_claim_paid_by_connect_transfer(recorded_stripe, claim_approved, partner_a, finance):
    ConnectAccount.objects.create(partner=partner_a, stripe_account_id=ACCOUNT, payouts_enabled=True)
    paid = funds.pay_claim(request=claim_approved, user=finance, method=PaymentMethod.CONNECT_TRANSFER)

    [(path, fields, key)] = recorded_stripe["requests"]
    assert path == "/v1/transfers" and key == f"mdf:{paid.public_id}"
    assert fields["amount"] == ["1500000"] and fields["currency"] == ["cny"]  # minor units
    assert fields["destination"] == [ACCOUNT]
    assert fields["metadata[fund_request]"] == [str(paid.public_id)]
    assert paid.state == RequestState.PAID and paid.payment_method == PaymentMethod.CONNECT_TRANSFER
    assert paid.stripe_transfer_id == "tr_1Recorded0001"
    assert paid.billing_reference == "stripe:tr_1Recorded0001"
    assert [e.amount for e in payments(partner_a)] == [Decimal("-15000.00")]
    # Paid by transfer, so nothing is owed on the next payout statement (no double payment).
    assert not LedgerEntry.objects.filter(partner=partner_a).exists()


def test_the_statement_credit_is_still_the_default(recorded_stripe, claim_approved, partner_a, finance):
    paid = funds.pay_claim(request=claim_approved, user=finance)
    assert paid.payment_method == PaymentMethod.STATEMENT_CREDIT and not recorded_stripe["requests"]
    credit = LedgerEntry.objects.get(partner=partner_a)
    assert credit.amount == Decimal("15000.00") and credit.stripe_object_id == f"mdf:{paid.public_id}"


def test_a_refused_transfer_changes_nothing(recorded_stripe, claim_approved, partner_a, finance):
    ConnectAccount.objects.create(partner=partner_a, stripe_account_id=ACCOUNT, payouts_enabled=True)
    recorded_stripe["refuse"] = True
    with pytest.raises(ApplicationError, match="insufficient available funds"):
        funds.pay_claim(request=claim_approved, user=finance, method=PaymentMethod.CONNECT_TRANSFER)
    claim_approved.refresh_from_db()
    assert claim_approved.state == RequestState.CLAIM_APPROVED and not claim_approved.stripe_transfer_id
    assert not payments(partner_a).exists() and not LedgerEntry.objects.filter(partner=partner_a).exists()


def test_no_transfer_without_a_connect_account_with_payouts(
    recorded_stripe, claim_approved, partner_a, finance
):
    ConnectAccount.objects.create(partner=partner_a, stripe_account_id=ACCOUNT, payouts_enabled=False)
    with translation.override("en"), pytest.raises(NotAllowed, match="no Stripe Connect account"):
        funds.pay_claim(request=claim_approved, user=finance, method=PaymentMethod.CONNECT_TRANSFER)
    claim_approved.refresh_from_db()
    assert claim_approved.state == RequestState.CLAIM_APPROVED and not recorded_stripe["requests"]


def test_finance_chooses_the_transfer_in_the_admin(
    client, recorded_stripe, claim_approved, partner_a, finance
):
    ConnectAccount.objects.create(partner=partner_a, stripe_account_id=ACCOUNT, payouts_enabled=True)
    client.force_login(english(finance))
    page = client.get(f"/admin/incentives/requests/{claim_approved.public_id}/").content.decode()
    assert 'name="method"' in page and "Stripe Connect transfer" in page
    client.post(
        f"/admin/incentives/requests/{claim_approved.public_id}/pay/",
        {"method": PaymentMethod.CONNECT_TRANSFER, "amount": "", "note": ""},
    )
    claim_approved.refresh_from_db()
    assert claim_approved.state == RequestState.PAID
    assert claim_approved.stripe_transfer_id == "tr_1Recorded0001"

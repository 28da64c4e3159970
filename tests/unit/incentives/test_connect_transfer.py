"""Paying an approved claim by Stripe Connect transfer (besides the statement credit).

localstripe has no Connect API, so these tests use RECORDED STRIPE RESPONSES served at the HTTP
layer by a throwaway loopback server, as billing's payout and price tests do: the bodies follow
Stripe's documented ``transfer`` object and error shapes, and each request billing's gateway
makes (path, form fields, Idempotency-Key) is checked."""

import json
import threading
import time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from django.utils import translation

from billing.models import ConnectAccount, LedgerEntry
from core.exceptions import ApplicationError, NotAllowed
from incentives.models import IncentiveLedgerEntry, LedgerKind, PaymentMethod, RequestState
from incentives.services import funds
from tests.unit.accounts.helpers import english
from tests.unit.incentives.test_funds import approved, claim

pytestmark = pytest.mark.django_db

ACCOUNT = "acct_1RecordedMdfA"


def transfer_body(fields):
    """Stripe's transfer object (API 2025-03), as recorded for a successful transfer."""
    return {
        "id": "tr_1RecordedMdf0001",
        "object": "transfer",
        "amount": int(fields["amount"][0]),
        "amount_reversed": 0,
        "balance_transaction": "txn_1RecordedMdf0001",
        "created": int(time.time()),
        "currency": fields["currency"][0],
        "description": fields.get("description", [""])[0],
        "destination": fields["destination"][0],
        "destination_payment": "py_1RecordedMdf0001",
        "livemode": False,
        "metadata": {"fund_request": fields["metadata[fund_request]"][0]},
        "reversals": {
            "object": "list",
            "data": [],
            "has_more": False,
            "total_count": 0,
            "url": "/v1/transfers/tr_1RecordedMdf0001/reversals",
        },
        "reversed": False,
        "source_transaction": None,
        "source_type": "card",
        "transfer_group": None,
    }


INSUFFICIENT = {
    "error": {
        "code": "balance_insufficient",
        "doc_url": "https://stripe.com/docs/error-codes/balance-insufficient",
        "message": "You have insufficient available funds in your Stripe account.",
        "type": "invalid_request_error",
    }
}


@pytest.fixture
def recorded_stripe(settings):
    state = {"requests": [], "refuse": False}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's API
            body = parse_qs(self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode())
            path = self.path.split("?")[0]
            state["requests"].append((path, body, self.headers.get("Idempotency-Key")))
            if path == "/v1/transfers" and not state["refuse"]:
                status, payload = 200, transfer_body(body)
            elif path == "/v1/transfers":
                status, payload = 400, INSUFFICIENT
            else:
                status, payload = 404, {"error": {"type": "invalid_request_error", "message": path}}
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{server.server_address[1]}"
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    yield state
    server.shutdown()
    server.server_close()


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
    assert paid.stripe_transfer_id == "tr_1RecordedMdf0001"
    assert paid.billing_reference == "stripe:tr_1RecordedMdf0001"
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
    assert claim_approved.stripe_transfer_id == "tr_1RecordedMdf0001"

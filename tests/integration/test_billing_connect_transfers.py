"""Payouts through Stripe Connect transfers.

localstripe has no Connect API, so these tests use **recorded Stripe responses at the HTTP
layer**: a loopback HTTP server answers ``POST /v1/transfers`` with the JSON shape Stripe
documents (https://docs.stripe.com/api/transfers/object) and its documented error shape, and
``STRIPE_API_BASE`` points stripe-python at it. The real client, serialisation, headers and
error mapping are exercised; only Stripe's side is a recording.
"""

import json
import threading
from datetime import date, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from billing.models import ConnectAccount, LedgerEntry, LedgerKind, Payout, PayoutStatement
from billing.services import ledger, payouts
from partners.models import PartnerKind
from tests.factories.billing import InvoiceFactory, customer, live_listing, money_partner

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

# Stripe's documented Transfer object (API version 2024-x), as recorded.
TRANSFER = {
    "id": "tr_1QAbCdEfGhIjKlMn",
    "object": "transfer",
    "amount": 0,
    "amount_reversed": 0,
    "balance_transaction": "txn_1QAbCdEfGhIjKlMo",
    "created": 1767225600,
    "currency": "cny",
    "description": None,
    "destination": "acct_1QPartnerAccount",
    "destination_payment": "py_1QAbCdEfGhIjKlMp",
    "livemode": False,
    "metadata": {},
    "reversals": {"object": "list", "data": [], "has_more": False, "total_count": 0, "url": ""},
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
        "request_log_url": "https://dashboard.stripe.com/test/logs/req_x",
        "type": "invalid_request_error",
    }
}


class RecordedStripe:
    def __init__(self):
        self.requests = []
        self.fail = False
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                form = {k: v[0] for k, v in parse_qs(body).items()}
                stub.requests.append({"path": self.path, "headers": dict(self.headers), "form": form})
                if stub.fail:
                    status, payload = 400, INSUFFICIENT
                else:
                    status = 200
                    payload = {
                        **TRANSFER,
                        "amount": int(form["amount"]),
                        "currency": form["currency"],
                        "destination": form["destination"],
                        "description": form.get("description"),
                    }
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Request-Id", "req_recorded")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def stripe_stub(settings):
    stub = RecordedStripe()
    settings.STRIPE_API_BASE = stub.base
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    yield stub
    stub.close()


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


def test_pay_out_sends_a_transfer_in_minor_units_with_an_idempotency_key(stripe_stub, statement):
    payout = payouts.pay_out_statement(statement)

    (request,) = stripe_stub.requests
    assert request["path"] == "/v1/transfers"
    assert request["form"] == {
        "amount": "170000",  # ¥1,700.00 = 2,000 − 15 % commission, in fen
        "currency": "cny",
        "destination": "acct_1QPartnerAccount",
        "description": statement.number,
        "metadata[statement]": statement.number,
        "metadata[partner_id]": str(statement.partner_id),
    }
    headers = {k.lower(): v for k, v in request["headers"].items()}
    assert headers["idempotency-key"] == f"payout-{payout.public_id}-1"
    assert payout.status == Payout.Status.PAID and payout.stripe_transfer_id == TRANSFER["id"]
    entry = LedgerEntry.objects.get(kind=LedgerKind.PAYOUT)
    assert (entry.amount, entry.stripe_object_id) == (Decimal("-1700.00"), TRANSFER["id"])
    statement.refresh_from_db()
    assert statement.status == PayoutStatement.Status.PAID
    (result,) = payouts.reconcile()
    assert result.ok and result.balance == Decimal("0.00") and result.payouts == Decimal("1700.00")


def test_stripe_refusing_the_transfer_is_reported_and_changes_nothing(stripe_stub, statement):
    stripe_stub.fail = True
    with pytest.raises(ValidationError, match="insufficient available funds"):
        payouts.pay_out_statement(statement)
    statement.refresh_from_db()
    assert statement.status == PayoutStatement.Status.OPEN
    payout = Payout.objects.get()
    assert payout.status == Payout.Status.FAILED and "insufficient" in payout.failure_message
    assert not LedgerEntry.objects.filter(kind=LedgerKind.PAYOUT).exists()

    # Retried once Stripe has funds: the same payout row, a new idempotency key (Stripe caches
    # the refusal under the first one).
    stripe_stub.fail = False
    retried = payouts.pay_out_statement(statement)
    assert retried.pk == payout.pk and retried.status == Payout.Status.PAID
    keys = [{k.lower(): v for k, v in r["headers"].items()}["idempotency-key"] for r in stripe_stub.requests]
    assert keys == [f"payout-{payout.public_id}-1", f"payout-{payout.public_id}-2"]

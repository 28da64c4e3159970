"""The production path (real Stripe: Prices, ``items[].price``, ``proration_behavior``), which
localstripe does not implement. These tests use RECORDED STRIPE RESPONSES served at the HTTP
layer by a throwaway loopback server: response bodies follow Stripe's documented shapes for API
version 2025-03 and later (period on the subscription item, ``invoice.parent``,
``total_taxes``), and each request the gateway makes is checked."""

import json
import threading
import time
import uuid
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from billing.models import Invoice, PlanPrice, Subscription
from billing.services import subscriptions
from tests.factories.accounts import buyer

pytestmark = pytest.mark.django_db

NOW = int(time.time())
MONTH = 30 * 86400


def _invoice(inv_id, sub_id, amount, *, reason, proration=False):
    return {
        "id": inv_id,
        "object": "invoice",
        "billing_reason": reason,
        "created": NOW,
        "currency": "cny",
        "customer": "cus_rec1",
        "number": f"REC-{inv_id[-4:]}",
        "status": "paid",
        "subtotal": amount,
        "total": amount + amount * 6 // 100,
        "total_taxes": [
            {"amount": amount * 6 // 100, "tax_behavior": "exclusive", "taxability_reason": "standard_rated"}
        ],
        "parent": {
            "type": "subscription_details",
            "subscription_details": {"subscription": sub_id, "metadata": {}},
        },
        "status_transitions": {"paid_at": NOW},
        "lines": {
            "object": "list",
            "data": [
                {
                    "id": f"il_{inv_id}",
                    "object": "line_item",
                    "amount": amount,
                    "currency": "cny",
                    "description": "3 × Per seat (at ¥30.00 / month)",
                    "quantity": 3,
                    "period": {"start": NOW, "end": NOW + MONTH},
                    "pricing": {"type": "price_details", "price_details": {"price": "price_rec1"}},
                    "parent": {"type": "subscription_item_details"},
                    "proration": proration,
                }
            ],
        },
    }


def _subscription(sub_id, quantity, invoice):
    return {
        "id": sub_id,
        "object": "subscription",
        "status": "active",
        "customer": "cus_rec1",
        "cancel_at_period_end": False,
        "metadata": {},
        "items": {
            "object": "list",
            "data": [
                {
                    "id": "si_rec1",
                    "object": "subscription_item",
                    "quantity": quantity,
                    "current_period_start": NOW,
                    "current_period_end": NOW + MONTH,
                    "price": {"id": "price_rec1", "object": "price", "unit_amount": 3000, "currency": "cny"},
                }
            ],
        },
        "latest_invoice": invoice,
    }


RESPONSES = {
    ("POST", "/v1/customers"): {"id": "cus_rec1", "object": "customer"},
    ("POST", "/v1/customers/cus_rec1"): {"id": "cus_rec1", "object": "customer"},
    ("POST", "/v1/payment_methods/pm_rec1/attach"): {
        "id": "pm_rec1",
        "object": "payment_method",
        "type": "card",
        "card": {"brand": "visa", "last4": "4242"},
    },
    ("POST", "/v1/products"): {"id": "prod_rec1", "object": "product"},
    ("POST", "/v1/prices"): {
        "id": "price_rec1",
        "object": "price",
        "unit_amount": 3000,
        "currency": "cny",
        "recurring": {"interval": "month", "usage_type": "licensed"},
    },
    ("POST", "/v1/subscriptions"): _subscription(
        "sub_rec1", 3, _invoice("in_rec0001", "sub_rec1", 9000, reason="subscription_create")
    ),
    ("POST", "/v1/subscriptions/sub_rec1"): _subscription(
        "sub_rec1", 5, _invoice("in_rec0002", "sub_rec1", 6000, reason="subscription_update", proration=True)
    ),
}


@pytest.fixture
def recorded_stripe(settings):
    requests = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's API
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            path = self.path.split("?")[0]
            requests.append((path, parse_qs(body), self.headers.get("Idempotency-Key")))
            payload = RESPONSES.get(("POST", path))
            status = 200 if payload else 404
            data = json.dumps(
                payload or {"error": {"type": "invalid_request_error", "message": path}}
            ).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{server.server_address[1]}"
    settings.STRIPE_LEGACY_PLANS = False
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    yield requests
    server.shutdown()
    server.server_close()


def _find(requests, path):
    return [r for r in requests if r[0] == path]


def test_purchase_and_seat_change_use_prices_and_proration_behavior(recorded_stripe, store):
    user, org = buyer()
    sub = subscriptions.purchase(
        organisation=org,
        user=user,
        listing_plan=store.seats,
        currency="CNY",
        quantity=3,
        payment_method_id="pm_rec1",
        token=uuid.uuid4().hex,
    )
    [(_, price_body, price_key)] = _find(recorded_stripe, "/v1/prices")
    assert price_body["unit_amount"] == ["3000"] and price_body["recurring[interval]"] == ["month"]
    assert price_key and price_key.startswith("symbio-price-")
    assert PlanPrice.objects.get(listing_plan=store.seats).stripe_price_id == "price_rec1"
    [(_, sub_body, sub_key)] = _find(recorded_stripe, "/v1/subscriptions")
    assert sub_body["items[0][price]"] == ["price_rec1"] and sub_body["items[0][quantity]"] == ["3"]
    assert sub_body["payment_behavior"] == ["error_if_incomplete"] and sub_key.startswith("symbio-sub-")
    assert all(key for _, _, key in recorded_stripe if _ != "/v1/customers/cus_rec1")  # creates carry keys

    sub.refresh_from_db()
    assert sub.status == Subscription.Status.ACTIVE and sub.stripe_item_id == "si_rec1"
    assert sub.current_period_end is not None  # read from the item (new API shape)
    invoice = Invoice.objects.get(stripe_invoice_id="in_rec0001")
    assert (invoice.subtotal, invoice.tax, invoice.total) == (
        Decimal("90.00"),
        Decimal("5.40"),
        Decimal("95.40"),
    )
    assert invoice.status == Invoice.Status.PAID and invoice.subscription_id == sub.pk

    sub = subscriptions.change(sub, quantity=5, token="chg1")
    [(_, change_body, change_key)] = _find(recorded_stripe, "/v1/subscriptions/sub_rec1")
    assert change_body["proration_behavior"] == ["always_invoice"]
    assert change_body["items[0][id]"] == ["si_rec1"] and change_body["items[0][quantity]"] == ["5"]
    assert change_key == "symbio-change-chg1"
    assert sub.quantity == 5
    proration = Invoice.objects.get(stripe_invoice_id="in_rec0002")
    assert proration.lines.get().proration and proration.total == Decimal("63.60")

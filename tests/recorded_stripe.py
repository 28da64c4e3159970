"""RECORDED STRIPE RESPONSES for the Connect API, served at the HTTP layer by a throwaway loopback
server: localstripe has no Connect transfers. The bodies follow Stripe's documented ``transfer``
object and error shapes; billing's real gateway (stripe-python) talks to it through
``STRIPE_API_BASE``, so nothing of ours is replaced. Used by billing's payout tests and incentives'
Connect payments (import the fixture: ``from tests.recorded_stripe import recorded_stripe``)."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest


def transfer_body(fields):
    """Stripe's transfer object (API 2025-03), as recorded for a successful transfer of ``fields``."""
    return {
        "id": "tr_1Recorded0001",
        "object": "transfer",
        "amount": int(fields["amount"][0]),
        "amount_reversed": 0,
        "balance_transaction": "txn_1Recorded0001",
        "created": int(time.time()),
        "currency": fields["currency"][0],
        "description": fields.get("description", [""])[0],
        "destination": fields["destination"][0],
        "destination_payment": "py_1Recorded0001",
        "livemode": False,
        "metadata": {key[9:-1]: value[0] for key, value in fields.items() if key.startswith("metadata[")},
        "reversals": {
            "object": "list",
            "data": [],
            "has_more": False,
            "total_count": 0,
            "url": "/v1/transfers/tr_1Recorded0001/reversals",
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
    """A loopback Stripe answering ``POST /v1/transfers`` with the recorded transfer (or, with
    ``state["refuse"] = True``, the recorded ``balance_insufficient`` error); every request is kept in
    ``state["requests"]`` as (path, form fields, Idempotency-Key)."""
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

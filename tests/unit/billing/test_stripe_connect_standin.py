"""`make run`'s Stripe Connect path: localstripe has no Connect API, so `make run` starts the
recorded stand-in (``python -m billing.stripe_standin``, the same recordings the tests use) and
points ``STRIPE_CONNECT_API_BASE`` at it. Here that command serves payouts made by our real
services and gateway, while every other Stripe call still goes to localstripe."""

import socket
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import stripe as stripe_python

from billing import gateway
from billing.models import ConnectAccount, LedgerEntry, LedgerKind, Payout, PayoutStatement
from billing.services import ledger, payouts
from partners.models import PartnerKind
from tests.factories.billing import InvoiceFactory, at, customer, live_listing, money_partner

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def standin(tmp_path, settings, stripe):
    """The stand-in exactly as `make run` starts it; the gateway's Connect calls go to it."""
    port, ready = free_port(), tmp_path / "ready"
    proc = subprocess.Popen(
        [sys.executable, "-m", "billing.stripe_standin", "--port", str(port), "--ready-file", str(ready)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not ready.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"the stand-in did not start: {proc.communicate()}")
        time.sleep(0.05)
    settings.STRIPE_CONNECT_API_BASE = f"http://127.0.0.1:{port}"
    yield settings.STRIPE_CONNECT_API_BASE
    proc.terminate()
    proc.wait(timeout=10)


def _statement(slug, month):
    partner = money_partner(slug=slug, name=f"{slug}软件", name_en=slug, kind=PartnerKind.ISV)
    listing = live_listing(partner, slug=f"{slug}-app")
    paid = InvoiceFactory(
        partner=partner,
        listing=listing,
        organisation=customer(f"{slug}-buyer"),
        total="1000.00",
        paid_at=at(month.year, month.month, 5),
    )
    ledger.post_invoice_paid(paid)
    ConnectAccount.objects.create(partner=partner, stripe_account_id=f"acct_{slug}", payouts_enabled=True)
    return payouts.generate_statement(partner=partner, month=month, currency="CNY")


def test_make_run_pays_out_through_the_standin_and_the_ledger_shows_each_payout(standin, stripe):
    first = payouts.pay_out_statement(_statement("standin-one", date(2026, 5, 1)))
    second = payouts.pay_out_statement(_statement("standin-two", date(2026, 5, 1)))

    assert first.status == second.status == Payout.Status.PAID
    # One transfer per payout: our ledger posts one entry per Stripe object, so a shared id
    # would silently drop the second payout's entry.
    assert (
        first.stripe_transfer_id.startswith("tr_1") and first.stripe_transfer_id != second.stripe_transfer_id
    )
    entries = LedgerEntry.objects.filter(kind=LedgerKind.PAYOUT).order_by("pk")
    assert [(e.stripe_object_id, e.amount) for e in entries] == [
        (first.stripe_transfer_id, Decimal("-850.00")),
        (second.stripe_transfer_id, Decimal("-850.00")),
    ]
    assert set(PayoutStatement.objects.values_list("status", flat=True)) == {PayoutStatement.Status.PAID}

    # The stand-in is the Connect server only: the rest of Stripe is still localstripe.
    assert gateway.connect_api_base() == standin and stripe_python.api_base != standin
    made = gateway.create_customer(
        name="Still localstripe", email="c@example.com", metadata={}, idempotency_key="standin-customer"
    )
    assert made["id"].startswith("cus_")


def test_a_repeated_idempotency_key_gets_the_same_transfer(standin):
    def transfer(key, amount):
        return gateway.create_transfer(
            amount=Decimal(amount), currency="CNY", destination="acct_x", idempotency_key=key
        )

    once = transfer("standin-key-1", "12.34")
    assert (once["amount"], once["currency"], once["destination"]) == (1234, "cny", "acct_x")
    assert transfer("standin-key-1", "12.34")["id"] == once["id"]
    assert transfer("standin-key-2", "12.34")["id"] != once["id"]


def test_a_refusing_standin_gives_stripes_recorded_refusal(tmp_path, settings, stripe):
    port, ready = free_port(), tmp_path / "ready"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "billing.stripe_standin",
            "--port",
            str(port),
            "--ready-file",
            str(ready),
            "--refuse",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(600):
            if ready.exists():
                break
            time.sleep(0.05)
        settings.STRIPE_CONNECT_API_BASE = f"http://127.0.0.1:{port}"
        with pytest.raises(gateway.TransferFailed) as refused:
            gateway.create_transfer(
                amount=Decimal("1.00"), currency="CNY", destination="acct_x", idempotency_key="refused"
            )
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert refused.value.code == "balance_insufficient"
    assert "insufficient available funds" in str(refused.value.message)


def test_a_taken_port_is_a_clear_error_and_a_non_zero_exit():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "billing.stripe_standin", "--port", str(port)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.returncode == 1
    assert f"The Stripe Connect stand-in could not start: 127.0.0.1:{port} is not available" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_sends_connect_calls_to_stripe(settings):
    settings.STRIPE_API_BASE = ""
    settings.STRIPE_CONNECT_API_BASE = ""
    assert gateway.connect_api_base() == "https://api.stripe.com"
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # localstripe alone: Connect follows it
    assert gateway.connect_api_base() == "http://127.0.0.1:9"


def test_the_standin_answers_like_stripe_for_what_it_does_not_do():
    import json
    import urllib.error
    import urllib.request

    from billing.stripe_standin import StandIn

    standin = StandIn().start()

    def call(path, data=None, key=None):
        request = urllib.request.Request(
            standin.base + path, data=data.encode() if data else None, headers={"Idempotency-Key": key or ""}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    try:
        status, made = call("/v1/transfers", "amount=500&currency=cny&destination=acct_y", key="k1")
        assert status == 200 and call(f"/v1/transfers/{made['id']}") == (200, made)
        status, body = call("/v1/transfers", "currency=cny&destination=acct_y", key="k2")
        assert (
            status == 400
            and body["error"]["code"] == "parameter_missing"
            and body["error"]["param"] == "amount"
        )
        assert call("/v1/transfers/tr_unknown")[1]["error"]["code"] == "resource_missing"
        status, body = call("/v1/accounts", "type=express")
        assert status == 404 and body["error"]["message"].startswith(
            "Unrecognized request URL (POST: /v1/accounts)"
        )
    finally:
        standin.close()

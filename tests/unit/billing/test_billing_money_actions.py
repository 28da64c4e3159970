# ruff: noqa: F811  (pytest fixtures imported from the money pages tests)
"""Money actions (#18 point 8): delivery payloads as JSON, the full-width deliveries table,
ledger exports for finance and for each partner."""

import json

import pytest
from django.urls import reverse

from billing.templatetags.billing_json import pretty_json
from partners.models import Delivery
from tests.recorded_stripe import recorded_stripe  # noqa: F401 - fixture
from tests.unit.accounts.helpers import english
from tests.unit.billing.test_billing_money_pages import _copies, _money_world, login, people, world  # noqa: F401

pytestmark = pytest.mark.django_db


def test_pretty_json_indents_and_keeps_chinese():
    text = pretty_json({"b": [1, 2], "a": "甲方", "ok": True, "none": None})
    assert json.loads(text) == {"b": [1, 2], "a": "甲方", "ok": True, "none": None}
    assert '\n  "a": "甲方"' in text and "true" in text and "null" in text
    assert pretty_json('{"x": 1}') == '{\n  "x": 1\n}'


def test_delivery_payload_is_formatted_json_not_a_python_dict(client, people, world):
    delivery = Delivery.objects.get(endpoint__partner=world["a"])
    delivery.event.payload = {"event": "entitlement.created", "active": True, "seats": None, "name": "甲方"}
    delivery.event.save(update_fields=["payload"])
    response = login(client, people["owner_a"]).get(
        reverse("billing_partner:delivery", args=[delivery.public_id])
    )
    html = response.content.decode()
    assert "&quot;active&quot;: true" in html and "&quot;seats&quot;: null" in html
    assert "True" not in html.split('data-testid="delivery-payload"')[1].split("</pre>")[0]
    assert "{&#x27;" not in html


def test_overview_deliveries_table_is_full_width_and_scrolls(client, people, world):
    html = login(client, people["owner_a"]).get(reverse("billing_partner:overview")).content.decode()
    section = html.split('aria-labelledby="deliveries-title"')[1]
    assert 'class="table-wrap"' in section.split("</section>")[0]
    # Not squeezed into a two-column grid, where the table overflowed its card and was cut off.
    content = html.split('id="balance-title"')[1]
    assert "grid--2" not in content


# --- ledger exports -------------------------------------------------------------------------------
def _csv(response):
    import csv
    import io

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_partner_exports_only_its_own_ledger(client, people, world):
    from decimal import Decimal

    c = login(client, people["member_a"])
    rows = _csv(c.get(reverse("billing_partner:ledger-export"), {"format": "csv"}))
    amounts = {Decimal(row[-1]) for row in rows[1:]}
    assert amounts == {Decimal("1000.00"), Decimal("-150.00")}  # its charge and commission, not B's 2000
    assert len(rows[0]) == 7 and rows[0][0] == "日期"  # no partner column on a partner's own export
    response = c.get(reverse("billing_partner:ledger-export"), {"format": "xlsx", "kind": "charge"})
    assert response["Content-Type"].startswith("application/vnd.openxml")
    assert 'filename="ledger-money-a.xlsx"' in response["Content-Disposition"]
    # The ledger page links to both formats with its filters.
    html = c.get(reverse("billing_partner:ledger"), {"kind": "charge"}).content.decode()
    assert "ledger/export/?kind=charge&amp;currency=&amp;month=&amp;format=xlsx" in html


@pytest.mark.parametrize("who", ["customer", "finance"])
def test_ledger_export_without_an_active_partner_is_404(client, people, world, who):
    assert login(client, people[who]).get(reverse("billing_partner:ledger-export")).status_code == 404


def test_exports_filter_by_month_and_are_formula_safe(client, people, world):
    from datetime import timedelta

    from billing.models import LedgerEntry, LedgerKind

    a = world["a"]
    old = LedgerEntry.objects.create(
        partner=a,
        kind=LedgerKind.ADJUSTMENT,
        amount="5.00",
        currency="CNY",
        occurred_at=LedgerEntry.objects.filter(partner=a).first().occurred_at - timedelta(days=70),
        description="=HYPERLINK(1)",
    )
    month = f"{old.occurred_at:%Y-%m}"
    rows = _csv(
        login(client, people["owner_a"]).get(reverse("billing_partner:ledger-export"), {"month": month})
    )
    assert len(rows) == 2 and rows[1][2] == "'=HYPERLINK(1)"
    finance = login(client, english(people["finance"]))
    rows = _csv(finance.get(reverse("billing_finance:ledger-export"), {"month": month}))
    assert (
        len(rows) == 2 and rows[0][1] == "Partner" and "Partner A Tech" in rows[1][1] or "甲方" in rows[1][1]
    )
    rows = _csv(finance.get(reverse("billing_finance:ledger-export"), {"q": "Partner B"}))
    assert {row[-1] for row in rows[1:]} == {"2000.00", "-300.00"}
    assert login(client, people["owner_a"]).get(reverse("billing_finance:ledger-export")).status_code in (
        302,
        403,
    )


# --- payouts: confirmation and plain reasons --------------------------------------------------------
class StripeAnswer:
    """A loopback server answering every request with one status and body (Stripe's side recorded)."""

    def __init__(self, status, body, content_type="application/json"):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        answer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                data = answer.body.encode()
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.status, self.body, self.content_type = status, body, content_type
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def _stripe_error(code, message):
    return json.dumps({"error": {"code": code, "message": message, "type": "invalid_request_error"}})


@pytest.mark.parametrize(
    ("status", "body", "content_type", "expected"),
    [
        # localstripe (make run) has no Connect API: a 404 with an HTML body, no Stripe error.
        (404, "<h1>404: Not Found</h1>", "text/html", "does not offer Stripe Connect transfers"),
        (500, "{}", "application/json", "Stripe had a problem"),
        (
            400,
            _stripe_error(
                "insufficient_capabilities_for_transfer", "Your destination account needs transfers."
            ),
            "application/json",
            "not enabled for transfers yet",
        ),
        (
            400,
            _stripe_error(
                "balance_insufficient", "You have insufficient available funds in your Stripe account."
            ),
            "application/json",
            "balance is too low to cover it (You have insufficient available funds",
        ),
        (None, "", "", "Stripe could not be reached"),
    ],
)
def test_a_failed_payout_says_why_in_plain_words(
    client, people, world, settings, status, body, content_type, expected
):
    from django.utils import translation

    from billing.models import ConnectAccount, Payout, PayoutStatement

    statement = PayoutStatement.objects.get(partner=world["a"])
    ConnectAccount.objects.create(partner=world["a"], stripe_account_id="acct_a", payouts_enabled=True)
    stub = StripeAnswer(status or 200, body, content_type)
    settings.STRIPE_API_BASE = stub.base
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    if status is None:  # nobody listening
        stub.close()
    try:
        c = login(client, english(people["finance"]))
        with translation.override("en"):
            response = c.post(
                reverse("billing_finance:pay-out", args=[statement.public_id]),
                HTTP_ACCEPT_LANGUAGE="en",
                follow=True,
            )
    finally:
        if status is not None:
            stub.close()
    shown = " ".join(str(m) for m in response.context["messages"])
    assert (
        expected in shown
        and "Invalid response body" not in shown
        and "Nothing was paid" in shown
        or "nothing was paid" in shown
    )
    payout = Payout.objects.get(statement=statement)
    assert payout.status == Payout.Status.FAILED and expected in payout.failure_message
    statement.refresh_from_db()
    assert statement.status == PayoutStatement.Status.OPEN


def test_pay_out_asks_for_confirmation_with_amount_and_partner(client, people, world, recorded_stripe):
    from billing.models import ConnectAccount, Payout, PayoutStatement

    statement = PayoutStatement.objects.get(partner=world["a"])
    ConnectAccount.objects.create(partner=world["a"], stripe_account_id="acct_a", payouts_enabled=True)
    c = login(client, english(people["finance"]))
    url = reverse("billing_finance:pay-out", args=[statement.public_id])
    listing = c.get(reverse("billing_finance:statements")).content.decode()
    assert f'href="{url}"' in listing  # a link to the confirmation, not a one-click POST
    page = c.get(url).content.decode()
    assert not Payout.objects.exists()
    summary = page.split('data-testid="payout-summary"')[1].split("</p>")[0]
    assert "¥850.00" in summary and world["a"].organisation.name_en in summary and "acct_a" in page
    assert f'<form method="post" action="{url}">' in page
    assert c.post(url).status_code == 302
    assert Payout.objects.get(statement=statement).stripe_transfer_id == "tr_1Recorded0001"


def test_no_connect_account_is_said_plainly(client, people, world):
    from billing.models import PayoutStatement

    statement = PayoutStatement.objects.get(partner=world["a"])
    c = login(client, english(people["finance"]))
    page = c.get(reverse("billing_finance:pay-out", args=[statement.public_id])).content.decode()
    assert "none: the partner has not connected a Stripe account" in page or "没有" in page
    response = c.post(reverse("billing_finance:pay-out", args=[statement.public_id]), follow=True)
    assert any(
        "no Stripe Connect account" in str(m) or "Connect" in str(m) for m in response.context["messages"]
    )

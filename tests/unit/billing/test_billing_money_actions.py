"""Money actions (#18 point 8): delivery payloads as JSON, the full-width deliveries table,
ledger exports for finance and for each partner."""

import json

import pytest
from django.urls import reverse

from billing.models import FulfilmentDelivery
from billing.templatetags.billing_json import pretty_json
from tests.unit.billing.test_billing_money_pages import login, people, world  # noqa: F401

pytestmark = pytest.mark.django_db


def test_pretty_json_indents_and_keeps_chinese():
    text = pretty_json({"b": [1, 2], "a": "甲方", "ok": True, "none": None})
    assert json.loads(text) == {"b": [1, 2], "a": "甲方", "ok": True, "none": None}
    assert '\n  "a": "甲方"' in text and "true" in text and "null" in text
    assert pretty_json('{"x": 1}') == '{\n  "x": 1\n}'


def test_delivery_payload_is_formatted_json_not_a_python_dict(client, people, world):  # noqa: F811
    delivery = FulfilmentDelivery.objects.get(partner=world["a"])
    delivery.payload = {"event": "entitlement.created", "active": True, "seats": None, "name": "甲方"}
    delivery.save(update_fields=["payload"])
    response = login(client, people["owner_a"]).get(
        reverse("billing_partner:delivery", args=[delivery.public_id])
    )
    html = response.content.decode()
    assert "&quot;active&quot;: true" in html and "&quot;seats&quot;: null" in html
    assert "True" not in html.split('data-testid="delivery-payload"')[1].split("</pre>")[0]
    assert "{&#x27;" not in html


def test_overview_deliveries_table_is_full_width_and_scrolls(client, people, world):  # noqa: F811
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


def test_partner_exports_only_its_own_ledger(client, people, world):  # noqa: F811
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
def test_ledger_export_without_an_active_partner_is_404(client, people, world, who):  # noqa: F811
    assert login(client, people[who]).get(reverse("billing_partner:ledger-export")).status_code == 404


def test_exports_filter_by_month_and_are_formula_safe(client, people, world):  # noqa: F811
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
    finance = login(client, people["finance"])
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

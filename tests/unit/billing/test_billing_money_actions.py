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

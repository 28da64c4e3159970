"""The partner usage API (``POST /billing/api/usage/``), signed with the partner's fulfilment secret."""

import json

import pytest
from django.utils.translation import gettext

from billing.models import UsageRecord
from billing.services.fulfilment import endpoint_for, sign
from tests.factories.accounts import buyer
from tests.factories.billing import purchase_plan, shop

pytestmark = pytest.mark.django_db

URL = "/billing/api/usage/"


def call(client, partner, payload, *, secret=None):
    body = json.dumps(payload).encode()
    secret = secret or endpoint_for(partner).secret
    return client.post(
        URL,
        data=body,
        content_type="application/json",
        HTTP_X_SYMBIO_PARTNER=str(partner.pk),
        HTTP_X_SYMBIO_SIGNATURE=sign(secret, body),
    )


def test_signed_report_is_recorded_once(stripe, client, store, customer):
    user, org = customer
    sub = purchase_plan(store.usage, org, user)
    payload = {
        "subscription": str(sub.public_id),
        "quantity": 40,
        "key": "2026-11-24-a",
        "date": "2026-11-24",
    }
    first = call(client, store.partner, payload)
    assert first.status_code == 201 and first.json()["quantity"] == 40
    again = call(client, store.partner, payload)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert UsageRecord.objects.count() == 1
    assert UsageRecord.objects.get().occurred_on.isoformat() == "2026-11-24"


def test_bad_signature_bad_input_and_other_partners(stripe, client, store, customer):
    user, org = customer
    sub = purchase_plan(store.usage, org, user)
    payload = {"subscription": str(sub.public_id), "quantity": 5, "key": "k"}
    assert call(client, store.partner, payload, secret="fsec_wrong").status_code == 401
    assert client.post(URL, data=b"{}", content_type="application/json").status_code == 401
    bad = call(client, store.partner, {**payload, "quantity": -3})
    assert bad.status_code == 400
    assert bad.json()["error"] == gettext("Enter a whole number of units above zero.")
    assert call(client, store.partner, {**payload, "quantity": "5"}).status_code == 400
    assert call(client, store.partner, {"quantity": 5}).status_code == 400
    other = shop()
    assert call(client, other.partner, payload).status_code == 404
    assert call(client, store.partner, {**payload, "subscription": "not-a-uuid"}).status_code == 404
    buyer_user, buyer_org = buyer()
    monthly = purchase_plan(store.monthly, buyer_org, buyer_user)
    assert call(client, store.partner, {**payload, "subscription": str(monthly.public_id)}).status_code == 404
    assert not UsageRecord.objects.exists()

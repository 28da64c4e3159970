"""``POST /api/v1/usage-records``: batches of metered usage through the same service as the
signed ``/billing/api/usage/`` endpoint (charged once per key, late records refused)."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from billing.models import UsageRecord
from billing.services.fulfilment import endpoint_for, sign
from tests.factories.accounts import buyer
from tests.factories.api import api_client, key_for
from tests.factories.billing import purchase_plan, shop

pytestmark = pytest.mark.django_db


def post(token, records, key):
    return api_client(token).post(
        "/api/v1/usage-records",
        json.dumps({"records": records}),
        content_type="application/json",
        headers={"Idempotency-Key": key},
    )


def test_batch_gives_per_record_results_and_charges_each_key_once(stripe):
    store = shop()
    user, org = buyer()
    sub = purchase_plan(store.usage, org, user)
    other_user, other_org = buyer()
    monthly = purchase_plan(store.monthly, other_org, other_user)
    _key, token = key_for(store.partner, ["usage:write"])
    now = timezone.now()
    records = [
        {"subscription": str(sub.public_id), "quantity": 40, "key": "a", "timestamp": now.isoformat()},
        {
            "subscription": str(sub.public_id),
            "quantity": 5,
            "key": "b",
            "timestamp": (now - timedelta(hours=25)).isoformat(),
        },
        {"subscription": str(monthly.public_id), "quantity": 5, "key": "c", "timestamp": now.isoformat()},
        {
            "subscription": str(sub.public_id),
            "quantity": 7,
            "key": "d",
            "timestamp": (now + timedelta(hours=1)).isoformat(),
        },
    ]
    response = post(token, records, "batch-1")
    assert response.status_code == 201
    results = response.json()["results"]
    assert [(r["key"], r["status"], r.get("code")) for r in results] == [
        ("a", "created", None),
        ("b", "rejected", "late"),
        ("c", "rejected", "not_found"),
        ("d", "rejected", "in_future"),
    ]
    assert UsageRecord.objects.get().quantity == 40
    # the same record key in a new request (new Idempotency-Key): a duplicate, not a second charge
    again = post(token, records[:1], "batch-2")
    assert again.status_code == 200
    assert again.json()["results"][0] == {"key": "a", "status": "duplicate", "id": results[0]["id"]}
    assert UsageRecord.objects.count() == 1
    # a key repeated inside one batch: the first is created, the second is its duplicate
    fresh = {**records[0], "key": "e", "quantity": 2}
    mixed = post(token, [records[0], fresh, fresh], "batch-3").json()["results"]
    assert [r["status"] for r in mixed] == ["duplicate", "created", "duplicate"]
    assert mixed[1]["id"] == mixed[2]["id"]
    assert UsageRecord.objects.count() == 2


def test_signed_endpoint_and_api_share_one_key_space(stripe, client):
    """A key reported through the old signed endpoint is a duplicate through the API."""
    store = shop()
    user, org = buyer()
    sub = purchase_plan(store.usage, org, user)
    body = json.dumps({"subscription": str(sub.public_id), "quantity": 3, "key": "shared"}).encode()
    signed = client.post(
        "/billing/api/usage/",
        data=body,
        content_type="application/json",
        HTTP_X_SYMBIO_PARTNER=str(store.partner.pk),
        HTTP_X_SYMBIO_SIGNATURE=sign(endpoint_for(store.partner).secret, body),
    )
    assert signed.status_code == 201
    _key, token = key_for(store.partner, ["usage:write"])
    record = {
        "subscription": str(sub.public_id),
        "quantity": 3,
        "key": "shared",
        "timestamp": timezone.now().isoformat(),
    }
    assert post(token, [record], "x").json()["results"][0]["status"] == "duplicate"
    assert UsageRecord.objects.count() == 1

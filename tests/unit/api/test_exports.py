"""Asynchronous exports: requested (202), built by the task, polled until ready, downloaded as
CSV with the partner's rows only; the list's scope is needed; 409 before ready, 410 once expired;
another partner's export is a 404."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from api.models import Export
from tests.factories.api import api_client, key_for, partner_client, world

pytestmark = pytest.mark.django_db


def _request(token, body, key="e1"):
    return api_client(token).post(
        "/api/v1/exports", body, content_type="application/json", headers={"Idempotency-Key": key}
    )


def test_export_is_built_polled_and_downloaded(django_capture_on_commit_callbacks):
    mine, other = world(), world()
    _key, token = key_for(mine.partner, ["payouts:read"])
    with django_capture_on_commit_callbacks(execute=True):
        response = _request(token, {"resource": "transactions"})
    assert response.status_code == 202, response.content
    export_id = response.json()["id"]
    polled = api_client(token).get(f"/api/v1/exports/{export_id}").json()
    assert polled["status"] == "ready" and polled["rows"] == 1
    download = api_client(token).get(polled["download_url"])
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert [row["id"] for row in rows] == [str(mine.entry.pk)]
    assert rows[0]["amount.amount"] == "299.00" and rows[0]["amount.currency"] == "CNY"
    # another partner cannot see it
    other_api = partner_client(other.partner, ["payouts:read"])
    assert other_api.get(f"/api/v1/exports/{export_id}").status_code == 404
    assert other_api.get(polled["download_url"]).status_code == 404
    # expired: 410
    Export.objects.filter(public_id=export_id).update(expires_at=timezone.now() - timedelta(seconds=1))
    gone = api_client(token).get(polled["download_url"])
    assert gone.status_code == 410 and gone.json()["code"] == "export_expired"


def test_export_needs_the_lists_scope_and_is_409_until_ready():
    mine = world()
    _key, token = key_for(mine.partner, ["entitlements:read"])
    refused = _request(token, {"resource": "transactions"})
    assert refused.status_code == 403 and refused.json()["scope"] == "payouts:read"
    pending = _request(token, {"resource": "subscriptions"}, key="e2")  # the task never runs here
    assert pending.status_code == 202 and pending.json()["status"] == "pending"
    early = api_client(token).get(f"/api/v1/exports/{pending.json()['id']}/download")
    assert early.status_code == 409 and early.json()["code"] == "export_not_ready"
    unknown = _request(token, {"resource": "webhook-endpoints"}, key="e3")
    assert unknown.status_code == 400

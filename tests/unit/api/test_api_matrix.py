"""Every endpoint × (right scope → 200, missing scope → 403 naming it, another partner's object →
404, no / unknown / revoked / expired key → 401): the partner API's access matrix."""

import uuid
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from api.services import revoke_key
from partners.models import Event
from tests.factories.api import ALL_SCOPES, api_client, key_for, partner_client, world

# (name, scope, path of the own object or list — {w} is the world)
ENDPOINTS = [
    ("partner", "partner:read", lambda w: "/api/v1/partner"),
    ("listings", "listings:read", lambda w: "/api/v1/listings"),
    ("listing", "listings:read", lambda w: f"/api/v1/listings/{w.listing.translation_key}"),
    ("subscriptions", "entitlements:read", lambda w: "/api/v1/subscriptions"),
    ("subscription", "entitlements:read", lambda w: f"/api/v1/subscriptions/{w.subscription.public_id}"),
    ("entitlements", "entitlements:read", lambda w: "/api/v1/entitlements"),
    ("entitlement", "entitlements:read", lambda w: f"/api/v1/entitlements/{w.entitlement.public_id}"),
    ("transactions", "payouts:read", lambda w: "/api/v1/transactions"),
    ("transaction", "payouts:read", lambda w: f"/api/v1/transactions/{w.entry.pk}"),
    ("statements", "payouts:read", lambda w: "/api/v1/statements"),
    ("statement", "payouts:read", lambda w: f"/api/v1/statements/{w.statement.public_id}"),
    ("payouts", "payouts:read", lambda w: "/api/v1/payouts"),
    ("payout", "payouts:read", lambda w: f"/api/v1/payouts/{w.payout.public_id}"),
    ("events", "webhooks:manage", lambda w: "/api/v1/events"),
    ("webhook-endpoints", "webhooks:manage", lambda w: "/api/v1/webhook-endpoints"),
    ("webhook-endpoint", "webhooks:manage", lambda w: f"/api/v1/webhook-endpoints/{w.endpoint.public_id}"),
]
OBJECTS = [e for e in ENDPOINTS if e[0] not in ("partner",) and not e[0].endswith("s")]


@pytest.fixture(scope="module")
def worlds(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield world(), world()
        transaction.set_rollback(True)


def _ids(endpoints):
    return [e[0] for e in endpoints]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "scope", "path"), ENDPOINTS, ids=_ids(ENDPOINTS))
def test_right_scope_reads_own_data(worlds, name, scope, path):
    mine, other = worlds
    api = partner_client(mine.partner, [scope])
    response = api.get(path(mine))
    assert response.status_code == 200, response.content
    body = response.json()
    if name == "events":
        own = set(Event.objects.filter(partner=mine.partner).values_list("public_id", flat=True))
        assert body["results"] and {row["id"] for row in body["results"]} == {f"msg_{p.hex}" for p in own}
    elif "results" in body:
        assert len(body["results"]) == 1  # own row only, never the other partner's
    else:
        assert body.get("id") or body.get("slug")


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "scope", "path"), ENDPOINTS, ids=_ids(ENDPOINTS))
def test_missing_scope_is_403_naming_it(worlds, name, scope, path):
    mine, _other = worlds
    api = partner_client(mine.partner, [s for s in ALL_SCOPES if s != scope])
    response = api.get(path(mine))
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "missing_scope" and problem["scope"] == scope
    assert scope in problem["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "scope", "path"), OBJECTS, ids=_ids(OBJECTS))
def test_other_partners_object_is_404(worlds, name, scope, path):
    mine, other = worlds
    api = partner_client(mine.partner)
    response = api.get(path(other))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.django_db
@pytest.mark.parametrize("case", ["none", "unknown", "revoked", "expired"])
@pytest.mark.parametrize(("name", "scope", "path"), ENDPOINTS, ids=_ids(ENDPOINTS))
def test_no_revoked_or_expired_key_is_401(worlds, name, scope, path, case):
    mine, _other = worlds
    key, token = key_for(mine.partner)
    if case == "none":
        token = None
    elif case == "unknown":
        token = f"symb_{key.prefix}_{uuid.uuid4().hex}"
    elif case == "revoked":
        revoke_key(key=key)
    else:
        key.expires_at = timezone.now() - timedelta(seconds=1)
        key.save(update_fields=["expires_at"])
    response = api_client(token).get(path(mine))
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    expected = {"none": "not_authenticated", "unknown": "invalid_key", "revoked": "key_revoked"}
    assert response.json()["code"] == expected.get(case, "key_expired")


@pytest.mark.django_db
@pytest.mark.parametrize("case", ["right", "missing", "other", "revoked"])
def test_usage_records_matrix(worlds, case):
    """POST /usage-records: the same matrix; another partner's subscription is rejected per record
    as not_found (no charge, no detail about it)."""
    mine, other = worlds
    scopes = [s for s in ALL_SCOPES if s != "usage:write"] if case == "missing" else None
    key, token = key_for(mine.partner, scopes)
    if case == "revoked":
        revoke_key(key=key)
    target = other.subscription if case == "other" else mine.subscription
    body = {
        "records": [
            {
                "subscription": str(target.public_id),
                "quantity": 3,
                "key": "r1",
                "timestamp": timezone.now().isoformat(),
            }
        ]
    }
    response = api_client(token).post(
        "/api/v1/usage-records", body, content_type="application/json", headers={"Idempotency-Key": case}
    )
    expected_status = {"right": 200, "missing": 403, "other": 200, "revoked": 401}[case]
    assert response.status_code == expected_status, response.content
    if case in ("right", "other"):
        # the world's subscriptions are flat (not usage-based), so both are not_found for usage
        assert response.json()["results"][0]["code"] == "not_found"

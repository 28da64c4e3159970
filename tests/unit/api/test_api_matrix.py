"""The partner API's access matrix, every endpoint × (right scope → 200 with own data only,
missing scope → 403 naming it, another partner's object → 404, no / unknown / revoked / expired
key → 401), over two module-wide pairs of partners: one with billing's objects, one with demand's,
co-sell's and incentives' (read only by the matrix); then those apps' writes through the API, going
through their own rules, and their state changes as webhook events."""

import uuid
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from api.models import Scope
from api.services import revoke_key
from cosell.models import DealRegistration
from demand.models import LeadState
from incentives.services import funds
from partners.models import Event
from partners.services.events import EVENT_TYPES
from tests.factories.api import (
    ALL_SCOPES,
    api_client,
    demand_world,
    key_for,
    partner_client,
    verified_lead,
    world,
)

# (world, name, scope, path of the own object or list — from that world's partner)
ENDPOINTS = [
    *(
        ("billing", *e)
        for e in [
            ("partner", "partner:read", lambda w: "/api/v1/partner"),
            ("listings", "listings:read", lambda w: "/api/v1/listings"),
            ("listing", "listings:read", lambda w: f"/api/v1/listings/{w.listing.translation_key}"),
            ("subscriptions", "entitlements:read", lambda w: "/api/v1/subscriptions"),
            (
                "subscription",
                "entitlements:read",
                lambda w: f"/api/v1/subscriptions/{w.subscription.public_id}",
            ),
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
            (
                "webhook-endpoint",
                "webhooks:manage",
                lambda w: f"/api/v1/webhook-endpoints/{w.endpoint.public_id}",
            ),
        ]
    ),
    *(
        ("demand", *e)
        for e in [
            ("leads", "leads:read", lambda w: "/api/v1/leads"),
            ("lead", "leads:read", lambda w: f"/api/v1/leads/{w.lead.public_id}"),
            ("requirements", "demand:read", lambda w: "/api/v1/requirements"),
            ("requirement", "demand:read", lambda w: f"/api/v1/requirements/{w.requirement.public_id}"),
            ("proposals", "demand:read", lambda w: "/api/v1/proposals"),
            ("proposal", "demand:read", lambda w: f"/api/v1/proposals/{w.proposal.public_id}"),
            ("deal-registrations", "deals:read", lambda w: "/api/v1/deal-registrations"),
            ("deal-registration", "deals:read", lambda w: f"/api/v1/deal-registrations/{w.deal.public_id}"),
            ("fund-requests", "incentives:read", lambda w: "/api/v1/fund-requests"),
            (
                "fund-request",
                "incentives:read",
                lambda w: f"/api/v1/fund-requests/{w.fund_request.public_id}",
            ),
            ("fund-balances", "incentives:read", lambda w: "/api/v1/fund-balances"),
        ]
    ),
]
OBJECTS = [e for e in ENDPOINTS if e[1] != "partner" and not e[1].endswith("s")]
KEY_CASES = ["none", "unknown", "revoked", "expired"]
# Every key case on billing's endpoints; demand's lists only without a key.
UNAUTHENTICATED = [(*e, case) for e in ENDPOINTS if e[0] == "billing" for case in KEY_CASES] + [
    (*e, "none")
    for e in ENDPOINTS
    if e[1] in ("leads", "requirements", "deal-registrations", "fund-requests")
]


@pytest.fixture(scope="module")
def worlds(django_db_setup, django_db_blocker):
    """``{"billing": (mine, other), "demand": (mine, other)}``, built once for the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        data = {"billing": (world(), world()), "demand": (demand_world(), demand_world())}
        connection.check_constraints()  # once, as a commit would (accounts.helpers.built_once_per_module)
        yield data
        transaction.set_rollback(True)


def _ids(endpoints):
    return [
        "-".join(str(part) for part in e if not callable(part) and ":" not in str(part)) for e in endpoints
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "name", "scope", "path"), ENDPOINTS, ids=_ids(ENDPOINTS))
def test_right_scope_reads_own_data_only(worlds, kind, name, scope, path):
    mine, other = worlds[kind]
    api = partner_client(mine.partner, [scope])
    response = api.get(path(mine))
    assert response.status_code == 200, response.content
    body = response.json()
    if name == "events":
        own = set(Event.objects.filter(partner=mine.partner).values_list("public_id", flat=True))
        assert body["results"] and {row["id"] for row in body["results"]} == {f"msg_{p.hex}" for p in own}
    elif name == "fund-balances":
        assert [row["pool"] for row in body] == [str(mine.pool.public_id)]
        assert body[0]["balance"] == {"amount": "50000.00", "currency": "CNY"}
    elif "results" in body and kind == "demand":
        ids = {row["id"] for row in body["results"]}
        assert len(ids) == 1 and ids.isdisjoint(
            {str(o) for o in (other.lead.public_id, other.proposal.public_id, other.deal.public_id)}
        )
    elif "results" in body:
        assert len(body["results"]) == 1  # own row only, never the other partner's
    elif kind == "demand":
        assert body["id"]
    else:
        assert body.get("id") or body.get("slug")


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "name", "scope", "path"), ENDPOINTS, ids=_ids(ENDPOINTS))
def test_missing_scope_is_403_naming_it(worlds, kind, name, scope, path):
    mine, _other = worlds[kind]
    api = partner_client(mine.partner, [s for s in ALL_SCOPES if s != scope])
    response = api.get(path(mine))
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "missing_scope" and problem["scope"] == scope
    assert scope in problem["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "name", "scope", "path"), OBJECTS, ids=_ids(OBJECTS))
def test_other_partners_object_is_404(worlds, kind, name, scope, path):
    mine, other = worlds[kind]
    api = partner_client(mine.partner)
    response = api.get(path(other))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "name", "scope", "path", "case"), UNAUTHENTICATED, ids=_ids(UNAUTHENTICATED)
)
def test_no_revoked_or_expired_key_is_401(worlds, kind, name, scope, path, case):
    mine, _other = worlds[kind]
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
    mine, other = worlds["billing"]
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


def _post(token, path, body=None, key="k1"):
    return api_client(token).post(
        path,
        body if body is not None else {},
        content_type="application/json",
        headers={"Idempotency-Key": key},
    )


@pytest.mark.django_db
def test_lead_state_change_through_the_api_emits_lead_updated(worlds):
    mine, other = worlds["demand"]
    lead = verified_lead(mine.partner)
    assert Event.objects.filter(
        partner=mine.partner, type="lead.received", payload__id=str(lead.public_id)
    ).exists()
    _key, token = key_for(mine.partner, ["leads:read"])
    refused = _post(token, f"/api/v1/leads/{lead.public_id}/state", {"state": "contacted"})
    assert refused.status_code == 403 and refused.json()["scope"] == "leads:write"
    _key, token = key_for(mine.partner, ["leads:write"])
    response = _post(token, f"/api/v1/leads/{lead.public_id}/state", {"state": "contacted"}, key="k2")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == LeadState.CONTACTED
    event = Event.objects.get(partner=mine.partner, type="lead.updated", payload__id=str(lead.public_id))
    assert event.payload["state"] == "contacted" and event.payload["previous_state"] == "new"
    # lost needs a reason: the service's rule, as a problem document; an illegal move is a 409
    lost = _post(token, f"/api/v1/leads/{lead.public_id}/state", {"state": "lost"}, key="k3")
    assert lost.status_code == 400 and lost.json()["field"] == "reason"
    back = _post(token, f"/api/v1/leads/{lead.public_id}/state", {"state": "new"}, key="k4")
    assert back.status_code == 409 and back.json()["code"] == "not_allowed"
    foreign = _post(token, f"/api/v1/leads/{other.lead.public_id}/state", {"state": "contacted"}, key="k5")
    assert foreign.status_code == 404


@pytest.mark.django_db
def test_deal_registered_and_submitted_through_the_api_emits_its_status(worlds):
    mine, _other = worlds["demand"]
    listing = mine.deal.listings.first()
    _key, token = key_for(mine.partner, ["deals:write", "deals:read"])
    body = {
        "customer_name": "杭州示例网络有限公司",
        "contact_name": "赵经理",
        "listings": [str(listing.translation_key)],
        "estimated_value": "88000.00",
        "currency": "CNY",
        "expected_close": str(timezone.localdate() + timezone.timedelta(days=30)),
        "stage": "prospect",
    }
    created = _post(token, "/api/v1/deal-registrations", body)
    assert created.status_code == 201, created.content
    deal_id = created.json()["id"]
    assert created.json()["status"] == "draft"
    assert not Event.objects.filter(partner=mine.partner, payload__id=deal_id).exists()  # drafts are private
    submitted = _post(token, f"/api/v1/deal-registrations/{deal_id}/submit", key="k2")
    assert submitted.status_code == 200, submitted.content
    status = submitted.json()["status"]
    assert status in ("approved", "in_review")
    assert Event.objects.filter(
        partner=mine.partner, type=f"deal_registration.{status}", payload__id=deal_id
    ).exists()
    assert DealRegistration.objects.get(public_id=deal_id).partner == mine.partner
    # the service's field rules: a bad listing and an unknown field are 400s
    bad = _post(token, "/api/v1/deal-registrations", {**body, "listings": [], "colour": "red"}, key="k3")
    assert bad.status_code == 400 and set(bad.json()["errors"]) >= {"colour"}


@pytest.mark.django_db
def test_fund_request_states_and_balance_changes_are_events(worlds):
    mine, _other = worlds["demand"]
    request = funds.submit_request(request=mine.fund_request, user=mine.owner)
    submitted = Event.objects.get(partner=mine.partner, type="fund_request.submitted")
    assert submitted.payload["id"] == str(request.public_id)
    assert submitted.payload["budget"] == {"amount": "20000.00", "currency": "CNY"}
    hold = Event.objects.filter(partner=mine.partner, type="fund_balance.changed", payload__kind="hold").get()
    assert hold.payload["balance"] == {"amount": "30000.00", "currency": "CNY"}
    assert hold.payload["amount"]["amount"] == "-20000.00"


@pytest.mark.django_db
def test_invitation_and_proposal_events(worlds):
    mine, _other = worlds["demand"]
    assert Event.objects.filter(
        partner=mine.partner, type="requirement.invited", payload__id=str(mine.requirement.public_id)
    ).exists()
    assert Event.objects.filter(
        partner=mine.partner, type="proposal.submitted", payload__id=str(mine.proposal.public_id)
    ).exists()


def test_new_event_types_and_scopes_are_registered():
    for event_type in (
        "lead.received",
        "deal_registration.approved",
        "fund_request.paid",
        "fund_balance.changed",
    ):
        assert event_type in EVENT_TYPES
    assert {
        "leads:read",
        "leads:write",
        "demand:read",
        "deals:read",
        "deals:write",
        "incentives:read",
    } <= set(Scope.values)

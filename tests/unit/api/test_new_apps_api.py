"""Demand, co-sell and incentives on the partner API: scopes, cross-partner 404, the writes
going through the apps' own rules, and their state changes as webhook events."""

import pytest
from django.db import transaction
from django.utils import timezone

from api.models import Scope
from cosell.models import DealRegistration
from demand.models import LeadState
from incentives.services import funds
from partners.models import Event
from partners.services.events import EVENT_TYPES
from tests.factories.api import ALL_SCOPES, api_client, demand_world, key_for, partner_client, verified_lead

ENDPOINTS = [
    ("leads", "leads:read", lambda w: "/api/v1/leads"),
    ("lead", "leads:read", lambda w: f"/api/v1/leads/{w.lead.public_id}"),
    ("requirements", "demand:read", lambda w: "/api/v1/requirements"),
    ("requirement", "demand:read", lambda w: f"/api/v1/requirements/{w.requirement.public_id}"),
    ("proposals", "demand:read", lambda w: "/api/v1/proposals"),
    ("proposal", "demand:read", lambda w: f"/api/v1/proposals/{w.proposal.public_id}"),
    ("deal-registrations", "deals:read", lambda w: "/api/v1/deal-registrations"),
    ("deal-registration", "deals:read", lambda w: f"/api/v1/deal-registrations/{w.deal.public_id}"),
    ("fund-requests", "incentives:read", lambda w: "/api/v1/fund-requests"),
    ("fund-request", "incentives:read", lambda w: f"/api/v1/fund-requests/{w.fund_request.public_id}"),
    ("fund-balances", "incentives:read", lambda w: "/api/v1/fund-balances"),
]
OBJECTS = [e for e in ENDPOINTS if not e[0].endswith("s")]


@pytest.fixture(scope="module")
def worlds(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield demand_world(), demand_world()
        transaction.set_rollback(True)


def _ids(endpoints):
    return [e[0] for e in endpoints]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "scope", "path"), ENDPOINTS, ids=_ids(ENDPOINTS))
def test_right_scope_reads_own_data_only(worlds, name, scope, path):
    mine, other = worlds
    api = partner_client(mine.partner, [scope])
    response = api.get(path(mine))
    assert response.status_code == 200, response.content
    body = response.json()
    if name == "fund-balances":
        assert [row["pool"] for row in body] == [str(mine.pool.public_id)]
        assert body[0]["balance"] == {"amount": "50000.00", "currency": "CNY"}
    elif "results" in body:
        ids = {row["id"] for row in body["results"]}
        assert len(ids) == 1 and ids.isdisjoint(
            {str(o) for o in (other.lead.public_id, other.proposal.public_id, other.deal.public_id)}
        )
    else:
        assert body["id"]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "scope", "path"), ENDPOINTS, ids=_ids(ENDPOINTS))
def test_missing_scope_is_403_naming_it(worlds, name, scope, path):
    mine, _other = worlds
    api = partner_client(mine.partner, [s for s in ALL_SCOPES if s != scope])
    response = api.get(path(mine))
    assert response.status_code == 403
    assert response.json()["scope"] == scope


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "scope", "path"), OBJECTS, ids=_ids(OBJECTS))
def test_other_partners_object_is_404(worlds, name, scope, path):
    mine, other = worlds
    api = partner_client(mine.partner)
    response = api.get(path(other))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["leads", "requirements", "deal-registrations", "fund-requests"])
def test_anonymous_is_401(worlds, name):
    assert api_client().get(f"/api/v1/{name}").status_code == 401


def _post(token, path, body=None, key="k1"):
    return api_client(token).post(
        path,
        body if body is not None else {},
        content_type="application/json",
        headers={"Idempotency-Key": key},
    )


@pytest.mark.django_db
def test_lead_state_change_through_the_api_emits_lead_updated(worlds):
    mine, other = worlds
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
    mine, _other = worlds
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
    mine, _other = worlds
    request = funds.submit_request(request=mine.fund_request, user=mine.owner)
    submitted = Event.objects.get(partner=mine.partner, type="fund_request.submitted")
    assert submitted.payload["id"] == str(request.public_id)
    assert submitted.payload["budget"] == {"amount": "20000.00", "currency": "CNY"}
    hold = Event.objects.filter(partner=mine.partner, type="fund_balance.changed", payload__kind="hold").get()
    assert hold.payload["balance"] == {"amount": "30000.00", "currency": "CNY"}
    assert hold.payload["amount"]["amount"] == "-20000.00"


@pytest.mark.django_db
def test_invitation_and_proposal_events(worlds):
    mine, _other = worlds
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

"""The partner API's writes that mirror console actions: certification import (the CSV import's
service, per-row results), lead replies and proposal submission — scopes, cross-partner 404,
revoked keys, idempotent replay, the console's rules and events."""

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from api.models import Scope
from api.services import revoke_key
from demand.models import Invitation, InvitationSource, LeadMessage, LeadState, Proposal, RequirementState
from partners.models import Certification, CertifiedPerson, Event
from partners.services.certifications import import_certified_people
from tests.factories.accounts import buyer
from tests.factories.api import ALL_SCOPES, api_client, demand_world, key_for, verified_lead
from tests.factories.demand import RequirementFactory


@pytest.fixture(scope="module")
def worlds(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        data = demand_world(), demand_world()
        connection.check_constraints()  # once, as a commit would (accounts.helpers.built_once_per_module)
        yield data
        transaction.set_rollback(True)


def _post(token, path, body, key="k1"):
    return api_client(token).post(
        path, body, content_type="application/json", headers={"Idempotency-Key": key}
    )


def _certification(slug="api-import-cert", **kwargs):
    cert, _created = Certification.objects.get_or_create(
        slug=slug,
        defaults={"name": "云实施顾问", "name_en": "Cloud Implementer", "validity_months": 24, **kwargs},
    )
    return cert


def _open_requirement(partner):
    _buyer, org = buyer()
    requirement = RequirementFactory(
        customer_organisation=org, state=RequirementState.OPEN, opened_at=timezone.now()
    )
    Invitation.objects.create(requirement=requirement, partner=partner, source=InvitationSource.INVITED)
    return requirement


PROPOSAL = {"pricing_model": "fixed", "total": "42000.00", "timeline_days": 30, "summary": "两期交付。"}


# --- the write matrix --------------------------------------------------------------------------
# (name, scope, path for the world, body for the world)
WRITES = [
    (
        "certified-people/import",
        "certifications:write",
        lambda w: "/api/v1/certified-people/import",
        lambda w: {
            "rows": [
                {
                    "name": "王工",
                    "email": "wang@example.cn",
                    "certification": _certification().slug,
                    "issued_on": "2026-01-10",
                }
            ]
        },
    ),
    (
        "lead replies",
        "leads:write",
        lambda w: f"/api/v1/leads/{w.lead.public_id}/replies",
        lambda w: {"body": "您好，我们明天联系您。"},
    ),
    (
        "proposals",
        "proposals:write",
        lambda w: "/api/v1/proposals",
        lambda w: {**PROPOSAL, "requirement": str(_open_requirement(w.partner).public_id)},
    ),
]
CROSS = [w for w in WRITES if w[0] != "certified-people/import"]  # the import names no object


def _ids(rows):
    return [r[0] for r in rows]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "scope", "path", "body"), WRITES, ids=_ids(WRITES))
def test_right_scope_writes(worlds, name, scope, path, body):
    mine, _other = worlds
    _key, token = key_for(mine.partner, [scope])
    response = _post(token, path(mine), body(mine))
    assert response.status_code in (200, 201), response.content


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "scope", "path", "body"), WRITES, ids=_ids(WRITES))
def test_missing_scope_is_403_naming_it_and_writes_nothing(worlds, name, scope, path, body):
    mine, _other = worlds
    _key, token = key_for(mine.partner, [s for s in ALL_SCOPES if s != scope])
    counts = (CertifiedPerson.objects.count(), LeadMessage.objects.count(), Proposal.objects.count())
    response = _post(token, path(mine), body(mine))
    assert response.status_code == 403 and response.json()["scope"] == scope
    assert (CertifiedPerson.objects.count(), LeadMessage.objects.count(), Proposal.objects.count()) == counts


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "scope", "path", "body"), CROSS, ids=_ids(CROSS))
def test_another_partners_object_is_404(worlds, name, scope, path, body):
    mine, other = worlds
    _key, token = key_for(mine.partner)
    if name == "proposals":  # a requirement only the other partner is invited to
        response = _post(token, path(mine), body(other))
    else:
        response = _post(token, path(other), body(other))
    assert response.status_code == 404 and response.json()["code"] == "not_found"


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "scope", "path", "body"), WRITES, ids=_ids(WRITES))
def test_revoked_key_is_401(worlds, name, scope, path, body):
    mine, _other = worlds
    key, token = key_for(mine.partner)
    revoke_key(key=key)
    response = _post(token, path(mine), body(mine))
    assert response.status_code == 401 and response.json()["code"] == "key_revoked"


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "scope", "path", "body"), WRITES, ids=_ids(WRITES))
def test_same_idempotency_key_replays_byte_identical_and_writes_once(worlds, name, scope, path, body):
    mine, _other = worlds
    _key, token = key_for(mine.partner)
    payload = body(mine)
    first = _post(token, path(mine), payload, key="same")
    counts = (CertifiedPerson.objects.count(), LeadMessage.objects.count(), Proposal.objects.count())
    again = _post(token, path(mine), payload, key="same")
    assert again.status_code == first.status_code and again.content == first.content
    assert (CertifiedPerson.objects.count(), LeadMessage.objects.count(), Proposal.objects.count()) == counts
    assert _post(token, path(mine), {"other": "body"}, key="same").status_code == 422


@pytest.mark.django_db
def test_no_idempotency_key_is_400(worlds):
    mine, _other = worlds
    _key, token = key_for(mine.partner)
    response = api_client(token).post(
        f"/api/v1/leads/{mine.lead.public_id}/replies", {"body": "hi"}, content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["code"] == "idempotency_key_required"


def test_the_new_scopes_are_registered():
    assert {"certifications:write", "leads:write", "proposals:write"} <= set(Scope.values)


# --- certification import ----------------------------------------------------------------------


@pytest.mark.django_db
def test_certification_import_reports_each_row_and_upserts_like_the_csv_import(worlds):
    mine, other = worlds
    cert = _certification()
    narrow = _certification(slug="api-import-isv-only", partner_kinds=["isv"])  # mine is a service partner
    _key, token = key_for(mine.partner, ["certifications:write"])
    rows = [
        {
            "name": "李雷",
            "email": "LI@example.cn",
            "certification": "Cloud Implementer",
            "issued_on": "2026-02-01",
        },
        {"name": "韩梅梅", "email": "not-an-email", "certification": cert.slug, "issued_on": "2026-02-01"},
        {"name": "张三", "email": "z@example.cn", "certification": "nope", "issued_on": "2026-02-01"},
        {"name": "赵六", "email": "zl@example.cn", "certification": cert.slug, "issued_on": "2026-13-01"},
        {"name": "钱七", "email": "q@example.cn", "certification": narrow.slug, "issued_on": "2026-02-01"},
        {
            "name": "孙八",
            "email": "s@example.cn",
            "certification": cert.slug,
            "issued_on": "2026-02-01",
            "expires_on": "2026-01-01",
        },
        {"name": "", "email": "e@example.cn", "certification": cert.slug, "issued_on": "2026-02-01"},
    ]
    response = api_client(token, language="en").post(
        "/api/v1/certified-people/import",
        {"rows": rows},
        content_type="application/json",
        headers={"Idempotency-Key": "imp-1"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["updated"], body["failed"]) == (1, 0, 6)
    results = body["results"]
    assert [r["index"] for r in results] == list(range(7))
    assert [r["status"] for r in results] == ["created"] + ["error"] * 6
    assert [r["code"] for r in results[1:]] == [
        "invalid_email",
        "unknown_certification",
        "invalid_date",
        "certification_not_for_partner_kind",
        "expires_before_issued",
        "missing_field",
    ]
    assert results[1]["detail"] == "bad email: not-an-email"
    created = results[0]["person"]
    assert created["email"] == "li@example.cn" and created["expires_on"] == "2028-02-01"  # 24 months
    person = CertifiedPerson.objects.get(partner=mine.partner, email="li@example.cn")
    assert person.certification == cert and not CertifiedPerson.objects.filter(partner=other.partner).exists()

    # The console's CSV import of the same person updates the row the API created, and back.
    report = import_certified_people(
        partner=mine.partner,
        text=f"name,email,certification,issued_on\n李雷,li@example.cn,{cert.slug},2026-03-01\n",
    )
    assert (report.created, report.updated) == (0, 1)
    again = _post(
        token,
        "/api/v1/certified-people/import",
        {"rows": [{**rows[0], "issued_on": "2026-04-01"}]},
        key="imp-2",
    )
    assert again.json()["results"][0]["status"] == "updated" and again.json()["updated"] == 1
    person.refresh_from_db()
    assert person.issued_on == date(2026, 4, 1)
    assert CertifiedPerson.objects.filter(partner=mine.partner, email="li@example.cn").count() == 1


@pytest.mark.django_db
def test_certification_import_refuses_malformed_batches(worlds):
    mine, _other = worlds
    _key, token = key_for(mine.partner, ["certifications:write"])
    row = {"name": "a", "email": "a@example.cn", "certification": "x", "issued_on": "2026-01-01"}
    for n, body in enumerate(
        [
            {"rows": []},
            {"rows": [row] * 501},
            {"rows": [{**row, "colour": "red"}]},
            {"rows": "name,email"},
            {},
        ]
    ):
        response = _post(token, "/api/v1/certified-people/import", body, key=f"bad-{n}")
        assert response.status_code == 400, (body, response.content)
        assert response["Content-Type"] == "application/problem+json"


# --- lead replies ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_reply_answers_the_customer_as_the_console_does(worlds, django_capture_on_commit_callbacks):
    mine, _other = worlds
    lead = verified_lead(mine.partner)
    _key, token = key_for(mine.partner, ["leads:write"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(
            token, f"/api/v1/leads/{lead.public_id}/replies", {"body": "  明天上午十点可以吗？ "}
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["message"]["body"] == "明天上午十点可以吗？" and body["message"]["from_partner"] is True
    assert body["lead"]["state"] == LeadState.CONTACTED and body["lead"]["first_responded_at"]
    message = LeadMessage.objects.get(lead=lead, from_partner=True)
    assert message.author is None and message.body == "明天上午十点可以吗？"
    assert [m.to for m in mail.outbox] == [[lead.email]]
    assert "明天上午十点可以吗？" in mail.outbox[0].body
    event = Event.objects.get(partner=mine.partner, type="lead.updated", payload__id=str(lead.public_id))
    assert event.payload["previous_state"] == "new" and event.payload["state"] == "contacted"
    # an empty reply is a 400 naming the field, and sends nothing
    empty = _post(token, f"/api/v1/leads/{lead.public_id}/replies", {"body": "   "}, key="k2")
    assert empty.status_code == 400 and "body" in empty.json()["errors"]
    assert LeadMessage.objects.filter(lead=lead, from_partner=True).count() == 1


# --- proposals ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_proposal_submitted_through_the_api_follows_the_console_rules(worlds):
    mine, other = worlds
    requirement = _open_requirement(mine.partner)
    _key, token = key_for(mine.partner, ["proposals:write", "demand:read"])
    wrong_sum = {
        **PROPOSAL,
        "requirement": str(requirement.public_id),
        "pricing_model": "milestones",
        "milestones": [{"title": "一期", "amount": "10000.00", "acceptance_criteria": "上线"}],
    }
    refused = _post(token, "/api/v1/proposals", wrong_sum, key="p0")
    assert refused.status_code == 400 and refused.json()["field"] == "milestones"
    body = {
        **wrong_sum,
        "milestones": [
            {"title": "一期", "amount": "12000.00", "acceptance_criteria": "上线", "due_in_days": 10},
            {"title": "二期", "amount": "30000.00"},
        ],
    }
    response = _post(token, "/api/v1/proposals", body, key="p1")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["requirement"] == str(requirement.public_id) and data["state"] == "proposed"
    assert data["total"] == {"amount": "42000.00", "currency": requirement.currency}
    assert [m["amount"] for m in data["milestones"]] == ["12000.00", "30000.00"]
    proposal = Proposal.objects.get(public_id=data["id"])
    assert proposal.partner == mine.partner and proposal.total == Decimal("42000.00")
    assert proposal.versions.count() == 1
    assert Event.objects.filter(
        partner=mine.partner, type="proposal.submitted", payload__id=data["id"]
    ).exists()
    assert not Event.objects.filter(partner=other.partner, payload__id=data["id"]).exists()
    # one proposal per requirement: a second is a 409 (revise it instead)
    twice = _post(token, "/api/v1/proposals", body, key="p2")
    assert twice.status_code == 409 and twice.json()["code"] == "not_allowed"
    # visible only to the other partner: 404; unknown fields: 400
    foreign = _post(
        token, "/api/v1/proposals", {**PROPOSAL, "requirement": str(other.requirement.public_id)}, key="p3"
    )
    assert foreign.status_code == 404
    extra = _post(token, "/api/v1/proposals", {**body, "discount": "5%"}, key="p4")
    assert extra.status_code == 400 and "discount" in extra.json()["errors"]

"""Screens: the partner console section (another partner's request → 404, upload errors shown
on their fields) and the staff queues in the Wagtail admin (permissions per role)."""

from decimal import Decimal

import pytest

from incentives.models import FundRequest, RequestState
from incentives.services import funds
from tests.factories.incentives import invoice_pdf, photo, upload
from tests.unit.accounts.helpers import signed_in
from tests.unit.incentives.test_funds import CLAIM_DAY, approved, claim, submitted

pytestmark = pytest.mark.django_db

CONSOLE = "/en/incentives/console/"


def test_console_shows_allocation_balance_and_requests(client, pool, partner_a):
    submitted(partner_a, pool)
    response = signed_in(client, partner_a.owner).get(CONSOLE)
    assert response.status_code == 200
    body = response.content.decode()
    assert "¥60,000.00" in body  # allocation
    assert "¥40,000.00" in body  # balance after the 20,000 hold
    assert "华东用户大会" in body


def test_console_needs_a_partner(client, programme_manager):
    assert signed_in(client, programme_manager).get(CONSOLE).status_code == 404


def test_another_partners_request_is_404(client, pool, partner_a, partner_b):
    request = submitted(partner_a, pool)
    client = signed_in(client, partner_b.owner)
    assert client.get(f"{CONSOLE}requests/{request.public_id}/").status_code == 404
    assert client.post(f"{CONSOLE}requests/{request.public_id}/claim/", {}).status_code == 404
    assert client.post(f"{CONSOLE}requests/{request.public_id}/submit/").status_code == 404
    own = signed_in(client, partner_a.owner).get(f"{CONSOLE}requests/{request.public_id}/")
    assert own.status_code == 200


def test_request_form_creates_and_submits(client, pool, partner_a, settings):
    settings.INCENTIVES_MIN_WORKING_DAYS_AHEAD = 0
    data = {
        "pool": pool.pk,
        "activity_type": "training",
        "title": "Partner training day",
        "plan": "Train 40 consultants.",
        "expected_results": "40 certified people.",
        "start_date": "2026-12-01",
        "end_date": "2026-12-01",
        "budget": "70000",
        "submit": "1",
    }
    client = signed_in(client, partner_a.owner)
    response = client.post(f"{CONSOLE}requests/new/", data)
    request = FundRequest.objects.get(title="Partner training day")
    assert response.status_code == 302
    assert request.state == RequestState.DRAFT  # 70,000 is above the 60,000 remaining: refused, kept as draft
    data.update(title="Smaller training day", budget="30000")
    client.post(f"{CONSOLE}requests/new/", data)
    assert FundRequest.objects.get(title="Smaller training day").state == RequestState.SUBMITTED


def test_claim_upload_errors_are_shown_on_their_fields(
    client, pool, partner_a, programme_manager, settings, monkeypatch
):
    from django.utils import timezone

    request = approved(partner_a, pool, programme_manager)
    real = timezone.localdate
    monkeypatch.setattr(
        timezone, "localdate", lambda value=None, tz=None: CLAIM_DAY if value is None else real(value)
    )
    client = signed_in(client, partner_a.owner)
    settings.INCENTIVES_MAX_UPLOAD_BYTES = 2000
    response = client.post(
        f"{CONSOLE}requests/{request.public_id}/claim/",
        {
            "amount": "1000",
            "summary": "Done.",
            "invoice_file": upload("invoice.txt", b"hello", "text/plain"),
            "invoice_code": "031001900111",
            "invoice_number": "12345678",
            "photos": [photo()],
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "is not an accepted file type here" in body
    assert "files may be at most" in body
    request.refresh_from_db()
    assert request.state == RequestState.PRE_APPROVED
    # with valid files the same form submits the claim
    settings.INCENTIVES_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
    response = client.post(
        f"{CONSOLE}requests/{request.public_id}/claim/",
        {
            "amount": "1000",
            "summary": "Done.",
            "invoice_file": invoice_pdf(),
            "invoice_code": "031001900111",
            "invoice_number": "12345678",
            "photos": [photo()],
        },
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == RequestState.CLAIM_SUBMITTED
    assert request.documents.count() == 2


def test_staff_queue_and_decisions_by_role(client, pool, partner_a, programme_manager, finance):
    request = claim(approved(partner_a, pool, programme_manager))
    detail = f"/admin/incentives/requests/{request.public_id}/"
    # finance sees the queue but cannot approve a claim
    client = signed_in(client, finance)
    assert client.get("/admin/incentives/requests/?state=claim_submitted").status_code == 200
    assert client.post(f"{detail}approve_claim/", {"note": ""}).status_code in (302, 403)
    request.refresh_from_db()
    assert request.state == RequestState.CLAIM_SUBMITTED
    # the programme manager approves, finance pays
    signed_in(client, programme_manager).post(f"{detail}approve_claim/", {"note": "ok"})
    request.refresh_from_db()
    assert request.state == RequestState.CLAIM_APPROVED
    signed_in(client, finance).post(f"{detail}pay/", {})
    request.refresh_from_db()
    assert request.state == RequestState.PAID
    page = client.get(detail)
    assert page.status_code == 200
    document = request.documents.first()
    download = client.get(f"/admin/incentives/documents/{document.pk}/")
    assert download.status_code == 200
    assert download["Cache-Control"].startswith("private, no-store")


def test_partner_users_reach_no_staff_screen(client, pool, partner_a):
    request = submitted(partner_a, pool)
    client = signed_in(client, partner_a.owner)
    for url in (
        "/admin/incentives/",
        "/admin/incentives/requests/",
        f"/admin/incentives/requests/{request.public_id}/",
    ):
        assert client.get(url).status_code in (302, 403)
    client.post(f"/admin/incentives/requests/{request.public_id}/pre_approve/", {"amount": "1", "note": ""})
    request.refresh_from_db()
    assert request.state == RequestState.SUBMITTED


def test_dashboard_and_pool_pages(client, pool, partner_a, programme_manager):
    funds.pre_approve(request=submitted(partner_a, pool), user=programme_manager, amount=Decimal("10000"))
    client = signed_in(client, programme_manager)
    dashboard = client.get("/admin/incentives/")
    assert dashboard.status_code == 200
    assert "¥10,000.00" in dashboard.content.decode()  # held by the open request
    assert client.get(f"/admin/incentives/pools/{pool.pk}/").status_code == 200
    assert client.get("/admin/incentives/pools/").status_code == 200


def test_claim_statement_pdf_for_the_partner_only(client, pool, partner_a, partner_b, programme_manager):
    request = claim(approved(partner_a, pool, programme_manager))
    url = f"{CONSOLE}requests/{request.public_id}/statement.pdf"
    response = signed_in(client, partner_a.owner).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert signed_in(client, partner_b.owner).get(url).status_code == 404
    unclaimed = submitted(partner_a, pool)
    assert (
        signed_in(client, partner_a.owner)
        .get(f"{CONSOLE}requests/{unclaimed.public_id}/statement.pdf")
        .status_code
        == 404
    )


def test_queue_shows_waiting_time_against_the_service_target(client, pool, partner_a, programme_manager):
    from datetime import timedelta

    from django.utils import timezone

    from incentives.models import FundRequest

    old = submitted(partner_a, pool)
    FundRequest.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - timedelta(days=14))
    fresh = submitted(partner_a, pool, budget="1000")
    body = signed_in(client, programme_manager).get("/admin/incentives/requests/").content.decode()
    assert body.count('class="overdue"') == 1
    assert str(fresh.title) in body

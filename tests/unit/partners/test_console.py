"""Who may see and do what: the partner console and the programme's admin screens, for
anonymous, customer, partner A member, partner A owner, partner B owner, reviewer and
programme manager."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from partners.models import EvaluationRun, ImportJob, TierChange, TierRecommendation
from partners.models.certifications import add_months
from partners.services.programme import OVERRIDE_REASON_REQUIRED, evaluate_tiers
from tests.factories.programme import (
    AS_OF,
    CertificationFactory,
    CertifiedPersonFactory,
    report_months,
)
from tests.unit.partners.conftest import ROLES, roles_built_once

pytestmark = pytest.mark.django_db

CONSOLE = "/en/partners/console/"
UPLOAD = "/en/partners/console/certifications/import/"
CSV = "name,email,certification,issued_on\n李娜,lina@a.example.cn,any-kind,2025-03-01\n"


def in_language(message, code: str) -> str:
    """The admin speaks the user's preferred language (Chinese by default)."""
    with translation.override(code):
        return escape(str(message))


def client_for(client, user):
    if user is not None:
        client.force_login(user)
    return client


def csv_upload(body=CSV, name="people.csv"):
    return SimpleUploadedFile(name, body.encode("utf-8"), content_type="text/csv")


def make_people(world):
    cert = CertificationFactory(slug="any-kind", name="平台认证", name_en="Platform Certified")
    CertifiedPersonFactory(
        partner=world["partner_a"], certification=cert, name="Alice Anders", issued_on=date(2026, 1, 1)
    )
    CertifiedPersonFactory(
        partner=world["partner_b"], certification=cert, name="Bob Brandt", issued_on=date(2026, 1, 1)
    )
    return cert


# The role people, partners A and B and ``people`` (their certified people) built once for the
# module; each test runs in a savepoint and gets its own copies.
globals().update(roles_built_once(people=make_people))


# --- the partner console --------------------------------------------------------------------------
CONSOLE_OUTCOME = {
    "anonymous": "login",
    "customer": 404,
    "partner_a_member": "A",
    "partner_a_owner": "A",
    "partner_b_owner": "B",
    "reviewer": 404,
    "programme_manager": 404,
}


@pytest.mark.parametrize("role", ROLES)
def test_console_shows_only_the_active_partners_data(role, role_user, client, people):
    response = client_for(client, role_user(role)).get(CONSOLE)

    expected = CONSOLE_OUTCOME[role]
    if expected == "login":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif expected == 404:
        assert response.status_code == 404
    else:
        assert response.status_code == 200
        body = response.content.decode()
        mine, theirs = ("Alice Anders", "Bob Brandt") if expected == "A" else ("Bob Brandt", "Alice Anders")
        assert mine in body and theirs not in body
        assert ("Partner A Tech" in body) == (expected == "A")


def test_console_shows_tier_progress_members_and_pending_actions(client, partner_a, partner_a_owner, people):
    report_months(partner_a, "published_listings", 1, until=AS_OF)
    soon = timezone.localdate() + timedelta(days=10)
    CertifiedPersonFactory(
        partner=partner_a, certification=people, name="Expiring Erin", issued_on=add_months(soon, -24)
    )
    response = client_for(client, partner_a_owner).get(CONSOLE)

    body = response.content.decode()
    assert "What you need for" in body and "<progress" in body
    assert partner_a_owner.email in body or str(partner_a_owner) in body
    assert "Expiring Erin" in body and "1 certification expires within 30 days" in body
    assert 'action="/en/partners/console/certifications/import/"' in body  # owners may upload


def test_members_see_no_upload_form(client, partner_a, partner_a_member, people):
    body = client_for(client, partner_a_member).get(CONSOLE).content.decode()
    assert "Alice Anders" in body
    assert "certifications/import/" not in body


UPLOAD_OUTCOME = {
    "anonymous": "login",
    "customer": 404,
    "partner_a_member": 403,
    "partner_a_owner": "imported",
    "partner_b_owner": "imported",  # into B, the only partner B's owner can act for
    "reviewer": 404,
    "programme_manager": 404,
}


@pytest.mark.parametrize("role", ROLES)
def test_csv_upload_only_for_owners_and_admins_of_the_partner(
    role, role_user, client, people, django_capture_on_commit_callbacks
):
    user = role_user(role)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(client, user).post(UPLOAD, {"file": csv_upload()})

    expected = UPLOAD_OUTCOME[role]
    if expected == "login":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        assert not ImportJob.objects.exists()
    elif expected == "imported":
        job = ImportJob.objects.get()
        assert response.status_code == 302 and str(job.public_id) in response["Location"]
        assert job.partner.organisation.memberships.filter(user=user).exists()
        assert job.status == ImportJob.Status.DONE and job.created_count == 1
    else:
        assert response.status_code == expected
        assert not ImportJob.objects.exists()


def test_a_bad_upload_shows_a_clear_message_and_imports_nothing(client, partner_a_owner, people):
    response = client_for(client, partner_a_owner).post(UPLOAD, {"file": csv_upload(name="people.xlsx")})

    assert response.status_code == 400
    assert "Upload a .csv file." in response.content.decode()
    assert not ImportJob.objects.exists()


IMPORT_JOB_OUTCOME = {
    "anonymous": "login",
    "customer": 404,
    "partner_a_member": 403,
    "partner_a_owner": 200,
    "partner_b_owner": 404,
    "reviewer": 404,
    "programme_manager": 404,
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("suffix", ["", "progress/"])
def test_import_report_only_for_managers_of_its_partner(
    role, suffix, role_user, client, partner_a, partner_a_owner, people, django_capture_on_commit_callbacks
):
    bad = CSV + "赵敏,not-an-email,any-kind,2025-01-01\n"
    with django_capture_on_commit_callbacks(execute=True):
        client_for(client, partner_a_owner).post(UPLOAD, {"file": csv_upload(bad)})
    job = ImportJob.objects.get(partner=partner_a)
    client.logout()

    response = client_for(client, role_user(role)).get(
        f"/en/partners/console/imports/{job.public_id}/{suffix}"
    )

    expected = IMPORT_JOB_OUTCOME[role]
    if expected == "login":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == expected
    if expected == 200:
        body = response.content.decode()
        assert "1 created" in body and "bad email: not-an-email" in body and "<td>3</td>" in body
        assert "hx-trigger" not in body  # finished: the page stops polling


def test_a_running_import_is_polled_every_second(client, partner_a, partner_a_owner, people):
    job = ImportJob.objects.create(
        partner=partner_a, filename="big.csv", content=CSV, total_rows=4, processed_rows=1
    )

    body = (
        client_for(client, partner_a_owner)
        .get(f"/en/partners/console/imports/{job.public_id}/")
        .content.decode()
    )

    assert 'hx-trigger="every 1s"' in body and 'value="25"' in body


# --- the admin screens ----------------------------------------------------------------------------
@pytest.fixture
def promotion(partner_a):
    report_months(partner_a, "published_listings", 2)
    report_months(partner_a, "revenue", 10_000)  # 120,000 ≥ the ISV "select" tier's 100,000
    evaluate_tiers(as_of=AS_OF)
    rec = TierRecommendation.objects.get(partner=partner_a, status=TierRecommendation.Status.PENDING)
    assert rec.action == TierRecommendation.Action.PROMOTE
    return rec


ADMIN_ALLOWED = {"programme_manager"}


def _admin_denied(response):
    return response.status_code in (302, 403)


@pytest.mark.parametrize("role", ROLES)
def test_recommendation_queue_and_detail_are_for_programme_managers_only(role, role_user, client, promotion):
    c = client_for(client, role_user(role))
    urls = [reverse("programme:index"), reverse("programme:detail", args=[promotion.pk])]
    for url in urls:
        response = c.get(url)
        if role in ADMIN_ALLOWED:
            assert response.status_code == 200, url
            assert "Partner A Tech" in response.content.decode() or "甲方科技" in response.content.decode()
        else:
            assert _admin_denied(response), (role, url)


@pytest.mark.parametrize("role", ROLES)
def test_only_programme_managers_can_approve(role, role_user, client, promotion):
    response = client_for(client, role_user(role)).post(reverse("programme:approve", args=[promotion.pk]))

    promotion.refresh_from_db()
    if role in ADMIN_ALLOWED:
        assert response.status_code == 302
        assert promotion.status == TierRecommendation.Status.APPROVED
        assert TierChange.objects.filter(partner=promotion.partner).count() == 1
    else:
        assert _admin_denied(response)
        assert promotion.status == TierRecommendation.Status.PENDING
        assert not TierChange.objects.exists()


def test_override_without_a_reason_is_refused_in_the_admin(client, programme_manager, promotion):
    response = client_for(client, programme_manager).post(
        reverse("programme:override", args=[promotion.pk]), {"tier": promotion.current_tier_id, "reason": " "}
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert any(in_language(OVERRIDE_REASON_REQUIRED, code) in body for code in ("en", "zh-hans"))
    promotion.refresh_from_db()
    assert promotion.status == TierRecommendation.Status.PENDING


@pytest.mark.parametrize("role", ROLES)
def test_run_evaluation_now_is_for_programme_managers_only(
    role, role_user, client, promotion, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(client, role_user(role)).post(reverse("programme:runs"))

    if role in ADMIN_ALLOWED:
        run = EvaluationRun.objects.get()
        assert response.status_code == 302 and str(run.public_id) in response["Location"]
        assert run.status == EvaluationRun.Status.DONE and run.started_by == role_user(role)
        progress = client.get(response["Location"], headers={"HX-Request": "true"})
        assert progress.status_code == 200 and b"<progress" in progress.content
        assert b"<html" not in progress.content  # the htmx fragment only
    else:
        assert _admin_denied(response)
        assert not EvaluationRun.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_history_and_catalogue_screens_are_for_programme_managers_only(role, role_user, client):
    c = client_for(client, role_user(role))
    for url in (
        reverse("programme_history:index"),
        reverse("wagtailsnippets_partners_tier:list"),
        reverse("wagtailsnippets_partners_certification:list"),
        reverse("programme:runs"),
    ):
        response = c.get(url)
        if role in ADMIN_ALLOWED:
            assert response.status_code == 200, url
        else:
            assert _admin_denied(response), (role, url)


def test_programme_managers_edit_tier_criteria_in_the_admin(client, programme_manager):
    from partners.models import Tier

    tier = Tier.objects.get(kind="isv", slug="select")
    response = client_for(client, programme_manager).get(
        reverse("wagtailsnippets_partners_tier:edit", args=[tier.pk])
    )

    assert response.status_code == 200
    assert "criteria-TOTAL_FORMS" in response.content.decode()  # the inline criteria editor


@pytest.mark.django_db
def test_the_account_menu_leads_partner_members_to_their_console(
    client, partner_a, partner_a_member, customer
):
    """Partners find their console from the account menu on every page; customers do not see it."""
    with translation.override("en"):
        console = reverse("partners:console")
    html = client_for(client, partner_a_member).get("/en/").content.decode()
    assert 'data-testid="partner-console-link"' in html and f'href="{console}"' in html
    client.logout()
    html = client_for(client, customer).get("/en/").content.decode()
    assert 'data-testid="partner-console-link"' not in html

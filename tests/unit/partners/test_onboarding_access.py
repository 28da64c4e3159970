"""Who may reach each onboarding view: every view × every role.

Outcomes: ``ok`` (200), ``404``, ``login`` (redirect to a login page), ``denied`` (Wagtail's
permission denied: redirect to the admin dashboard, the view's content not rendered).
"""

import pytest
from django.urls import reverse

from partners.models import PartnerApplication
from partners.services import onboarding
from tests.factories.partners import pdf_upload
from tests.unit.accounts.helpers import get_as, outcome
from tests.unit.partners.conftest import ROLES, roles_built_once

pytestmark = pytest.mark.django_db

ADMIN_HOME = reverse("wagtailadmin_home")

# The role people and partners A and B built once for the module (each test in a savepoint, with
# its own copies); the application stays per test: its document lives in the test's MEDIA_ROOT.
globals().update(roles_built_once())


@pytest.fixture
def application(db, regions):
    """Someone else's application (the applicant plays none of the matrix roles)."""
    from tests.factories.accounts import UserFactory

    return onboarding.submit_application(
        applicant=UserFactory(),
        company_name="矩阵测试公司",
        company_name_en="Matrix Test Co",
        kind="service",
        contact_name="张三",
        contact_email="zhang@matrix-test.cn",
        description="测试",
        documents=[pdf_upload("secret.pdf")],
        language="en",
    )


STATUS_PAGE = {
    "anonymous": "login",
    "customer": "404",
    "partner_a_member": "404",
    "partner_a_owner": "404",
    "partner_b_owner": "404",
    "reviewer": "ok",
    "programme_manager": "ok",
}
EDIT_PAGE = {**STATUS_PAGE, "reviewer": "404", "programme_manager": "404"}
DOCUMENT_DOWNLOAD = {
    "anonymous": "login",
    "customer": "login",  # no admin access at all: Wagtail sends them to its login
    "partner_a_member": "404",
    "partner_a_owner": "404",
    "partner_b_owner": "404",
    "reviewer": "ok",
    "programme_manager": "ok",
}
ADMIN_QUEUE = {
    **DOCUMENT_DOWNLOAD,
    "partner_a_member": "denied",
    "partner_a_owner": "denied",
    "partner_b_owner": "denied",
}
ADMIN_REVIEW = DOCUMENT_DOWNLOAD
PARTNER_A_PAGE_EDIT = {
    "anonymous": "login",
    "customer": "login",
    "partner_a_member": "ok",
    "partner_a_owner": "ok",
    "partner_b_owner": "denied",
    "reviewer": "denied",
    "programme_manager": "denied",
}
APPLY_PAGE = dict.fromkeys(ROLES, "ok")  # visitors see the programme page


@pytest.mark.parametrize("role", ROLES)
def test_application_status_page_is_for_its_applicant_and_staff(client, role_user, application, role):
    response = get_as(client, role_user(role), f"/en/partners/applications/{application.public_id}/")
    assert outcome(response) == STATUS_PAGE[role]
    if outcome(response) == "ok":
        assert "Matrix Test Co" in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_application_edit_page_is_only_for_its_applicant(client, role_user, application, reviewer, role):
    onboarding.request_more_information(application=application, reviewer=reviewer, message="more")
    response = get_as(client, role_user(role), f"/en/partners/applications/{application.public_id}/edit/")
    assert outcome(response) == EDIT_PAGE[role]


def test_applicant_reaches_their_own_status_and_edit_pages(client, application, reviewer):
    onboarding.request_more_information(application=application, reviewer=reviewer, message="more")
    client.force_login(application.applicant)
    assert client.get(f"/en/partners/applications/{application.public_id}/").status_code == 200
    assert client.get(f"/en/partners/applications/{application.public_id}/edit/").status_code == 200


def test_applicant_cannot_download_even_their_own_documents(client, application):
    client.force_login(application.applicant)
    document = application.documents.get()
    url = reverse("partner_applications:document", args=[application.public_id, document.pk])
    assert outcome(client.get(url)) == "login"  # applicants have no admin access


@pytest.mark.parametrize("role", ROLES)
def test_document_download_is_for_staff_only(client, role_user, application, role):
    document = application.documents.get()
    url = reverse("partner_applications:document", args=[application.public_id, document.pk])
    response = get_as(client, role_user(role), url)
    assert outcome(response) == DOCUMENT_DOWNLOAD[role]
    if response.status_code == 200:
        assert response["Content-Disposition"].startswith("attachment")
        assert 'filename="secret.pdf"' in response["Content-Disposition"]
        assert b"".join(response.streaming_content).startswith(b"%PDF-")


@pytest.mark.parametrize("role", ROLES)
def test_admin_queue_is_for_reviewers_and_programme_managers(client, role_user, application, role):
    response = get_as(client, role_user(role), reverse("partner_applications:index"))
    assert outcome(response) == ADMIN_QUEUE[role]
    if response.status_code == 200:
        assert "矩阵测试公司" in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_admin_review_page_is_for_reviewers_and_programme_managers(client, role_user, application, role):
    response = get_as(
        client, role_user(role), reverse("partner_applications:review", args=[application.public_id])
    )
    assert outcome(response) == ADMIN_REVIEW[role]


@pytest.mark.parametrize("role", ["partner_a_owner", "customer"])
def test_only_reviewers_can_post_a_decision(client, role_user, application, role):
    client.force_login(role_user(role))
    client.post(reverse("partner_applications:review", args=[application.public_id]), {"decision": "approve"})
    application.refresh_from_db()
    assert application.status == PartnerApplication.Status.SUBMITTED


@pytest.mark.parametrize("role", ROLES)
def test_partner_a_page_edit_in_wagtail_admin_follows_wagtail_page_permissions(
    client, role_user, partner_a, role
):
    response = get_as(client, role_user(role), reverse("wagtailadmin_pages:edit", args=[partner_a.page.pk]))
    assert outcome(response) == PARTNER_A_PAGE_EDIT[role]
    rendered_form = response.status_code == 200 and 'id="page-edit-form"' in response.content.decode()
    assert rendered_form == (PARTNER_A_PAGE_EDIT[role] == "ok")


@pytest.mark.parametrize("role", ROLES)
def test_apply_page_needs_a_signed_in_user(client, role_user, role):
    assert outcome(get_as(client, role_user(role), "/en/partners/apply/")) == APPLY_PAGE[role]


def test_admin_menu_shows_applications_only_to_reviewers(client, reviewer, partner_a_owner, partner_a):
    client.force_login(reviewer)
    assert reverse("partner_applications:index") in client.get(ADMIN_HOME).content.decode()
    client.force_login(partner_a_owner)
    assert reverse("partner_applications:index") not in client.get(ADMIN_HOME).content.decode()

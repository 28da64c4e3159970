"""Who reaches each health screen: every view × every role (matrix), plus the partner's page.

Outcomes: ``ok`` (200), ``404``, ``login`` (redirect to a login page), ``denied`` (Wagtail's
permission denied: redirect to the admin dashboard without the view's content).
"""

import pytest
from django.urls import reverse

from health.models import GeneratedReport
from tests.factories.accounts import MembershipFactory, OrganisationFactory, UserFactory, staff_member
from tests.factories.health import MONTHS
from tests.unit.accounts.helpers import built_once_per_module, copies, enrol_totp, get_as, outcome
from tests.unit.health.dashboard_fixtures import build_health_world

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "customer",
    "partner_a_member",
    "partner_a_owner",
    "partner_b_owner",
    "reviewer",
    "finance",
    "programme_manager",
    "admin",
    "superuser",
)


def _build():
    """``health_world`` and one person per role."""
    world = build_health_world()
    customer = UserFactory()
    MembershipFactory(user=customer, organisation=OrganisationFactory(), role="owner")
    users = {
        "anonymous": None,
        "customer": customer,
        "partner_a_member": world.a_member,
        "partner_a_owner": world.a_owner,
        "partner_b_owner": world.b_owner,
        "reviewer": staff_member("reviewer", email="reviewer@symbio.example.cn"),
        "finance": staff_member("finance", email="finance@symbio.example.cn"),
        "programme_manager": staff_member("programme_manager", email="pm@symbio.example.cn"),
        "admin": staff_member("admin", email="admin@symbio.example.cn"),
        "superuser": enrolled(UserFactory(is_superuser=True, is_staff=True)),
    }
    return world, users


_access_world = built_once_per_module(_build)


@pytest.fixture
def _copies(_access_world):
    return copies(_access_world)


@pytest.fixture
def health_world(_copies):
    return _copies[0]


@pytest.fixture
def users(_copies):
    return _copies[1]


def enrolled(user):
    enrol_totp(user)  # staff need two-factor before the admin (accounts.mfa)
    return user


STAFF_ONLY = {
    "anonymous": "login",
    "customer": "login",  # no admin access at all
    "partner_a_member": "denied",
    "partner_a_owner": "denied",
    "partner_b_owner": "denied",
    "reviewer": "denied",
    "finance": "ok",
    "programme_manager": "ok",
    "admin": "ok",
    "superuser": "ok",
}
HEALTH_ONLY = {**STAFF_ONLY, "finance": "denied"}
PARTNER_A_REPORT = {
    "anonymous": "login",
    "customer": "404",
    "partner_a_member": "ok",
    "partner_a_owner": "ok",
    "partner_b_owner": "404",
    "reviewer": "404",
    "finance": "404",
    "programme_manager": "ok",
    "admin": "ok",
    "superuser": "ok",
}
ECOSYSTEM_REPORT = {
    **PARTNER_A_REPORT,
    "partner_a_member": "404",
    "partner_a_owner": "404",
    "finance": "ok",
}


@pytest.mark.parametrize("role", ROLES)
def test_dashboard_matrix(client, users, role):
    response = get_as(client, users[role], "/admin/ecosystem_health/")
    result = outcome(response)
    if role.startswith("partner_") and result == "login":
        result = "denied"  # partners without admin access are sent to log in: also no content
    assert result == STAFF_ONLY[role]
    if result == "ok":
        html = response.content.decode()
        assert 'id="chart-multiplier"' in html  # revenue: PMs, admins, finance
        if role == "finance":
            assert 'id="at-risk-list"' not in html and "华信科技" not in html  # no health details
        else:
            assert 'id="at-risk-list"' in html and "华信科技" in html


@pytest.mark.parametrize("role", ROLES)
def test_drill_down_matrix(client, users, health_world, role):
    response = get_as(client, users[role], f"/admin/ecosystem_health/partners/{health_world.a.pk}/")
    result = outcome(response)
    if role.startswith("partner_") and result == "login":
        result = "denied"
    assert result == HEALTH_ONLY[role]


@pytest.mark.parametrize("role", ROLES)
def test_export_matrix(client, users, role):
    response = get_as(client, users[role], "/admin/ecosystem_health/export.csv")
    result = outcome(response)
    if role.startswith("partner_") and result == "login":
        result = "denied"
    assert result == STAFF_ONLY[role]
    if result == "ok":
        body = response.content.decode("utf-8-sig")
        assert ("华信科技" in body) == (role != "finance")  # at-risk and movers are health details


def _done_report(kind, partner=None):
    from django.core.files.base import ContentFile

    report = GeneratedReport.objects.create(
        kind=kind, partner=partner, period_start=MONTHS[0], period_end=MONTHS[2], language="en"
    )
    report.file.save("r.pdf", ContentFile(b"%PDF-1.7 test"), save=False)
    report.status = GeneratedReport.Status.DONE
    report.progress = 100
    report.save()
    return report


@pytest.mark.parametrize("role", ROLES)
def test_partner_report_download_matrix(client, users, health_world, role):
    report = _done_report(GeneratedReport.Kind.PARTNER_HEALTH, health_world.a)
    response = get_as(client, users[role], reverse("health:health-report-download", kwargs={"pk": report.pk}))
    assert outcome(response) == PARTNER_A_REPORT[role]
    if outcome(response) == "ok":
        assert b"".join(response.streaming_content).startswith(b"%PDF")
        assert response["Content-Type"] == "application/pdf"
        assert "health-huaxin" in response["Content-Disposition"]


@pytest.mark.parametrize("role", ROLES)
def test_ecosystem_report_download_matrix(client, users, role):
    report = _done_report(GeneratedReport.Kind.ECOSYSTEM)
    response = get_as(client, users[role], reverse("health:health-report-download", kwargs={"pk": report.pk}))
    assert outcome(response) == ECOSYSTEM_REPORT[role]


def test_unknown_report_uuid_is_404(client, users):
    client.force_login(users["programme_manager"])
    url = reverse("health:health-report-download", kwargs={"pk": "7c8e1d0a-3f62-4c35-9d9b-0b3f6f4d2a11"})
    assert client.get(url).status_code == 404


def test_unfinished_report_cannot_be_downloaded(client, users, health_world):
    report = GeneratedReport.objects.create(
        kind=GeneratedReport.Kind.PARTNER_HEALTH,
        partner=health_world.a,
        period_start=MONTHS[0],
        period_end=MONTHS[2],
    )
    client.force_login(users["partner_a_owner"])
    assert client.get(reverse("health:health-report-download", kwargs={"pk": report.pk})).status_code == 404
    page = client.get(reverse("health:health-report", kwargs={"pk": report.pk}))
    assert page.status_code == 200
    assert 'hx-trigger="every 1s"' in page.content.decode()  # still polling


# --- the partner's own page -------------------------------------------------------------------
def _activate(client, user, partner):
    """Log in with ``partner`` as the active organisation."""
    client.force_login(user)
    session = client.session
    session["active_organisation"] = partner.organisation.slug
    session.save()


def test_partner_sees_its_own_health_page(client_en, health_world):
    client_en.force_login(health_world.a_member)
    response = client_en.get("/en/partners/console/health/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Huaxin Tech" in html
    assert "55.3" in html  # composite
    assert "Follow up renewals before they lapse." in html  # weakest metric's hint (churn, score 20)
    assert "Yunfan" not in html  # nothing of partner B
    assert "<svg" in html and 'role="img"' in html  # trend and comparison charts


@pytest.mark.parametrize("role", ["anonymous", "customer", "reviewer", "programme_manager"])
def test_health_page_needs_a_partner_organisation(client, users, role):
    response = get_as(client, users[role], "/partners/console/health/")
    assert outcome(response) == ("login" if role == "anonymous" else "404")


def test_partner_generates_its_own_report_and_downloads_it(
    client_en, health_world, django_capture_on_commit_callbacks
):
    client_en.force_login(health_world.a_owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_en.post("/en/partners/console/health/reports/", {"language": "en"})
    assert response.status_code == 302
    report = GeneratedReport.objects.get()
    assert report.partner == health_world.a and report.language == "en"
    assert response["Location"].endswith(f"/partners/console/health/reports/{report.pk}/")
    status = client_en.get(response["Location"])
    assert status.status_code == 200
    assert "Download the PDF" in status.content.decode()
    download = client_en.get(reverse("health:health-report-download", kwargs={"pk": report.pk}))
    assert download.status_code == 200
    # partner B's owner cannot reach it, and sees no archive entry of A
    client_en.force_login(health_world.b_owner)
    assert client_en.get(response["Location"]).status_code == 404
    assert (
        client_en.get(reverse("health:health-report-download", kwargs={"pk": report.pk})).status_code == 404
    )
    assert str(report.pk) not in client_en.get("/en/partners/console/health/").content.decode()


def test_menu_item_is_shown_to_dashboard_viewers_only(rf, users):
    from health.admin_views.dashboard import _DashboardMenuItem

    item = _DashboardMenuItem("Ecosystem health", "/admin/ecosystem_health/")
    shown = {}
    for role in ("partner_a_owner", "reviewer", "finance", "programme_manager", "admin", "superuser"):
        request = rf.get("/admin/")
        request.user = users[role]
        shown[role] = item.is_shown(request)
    assert shown == {
        "partner_a_owner": False,
        "reviewer": False,
        "finance": True,
        "programme_manager": True,
        "admin": True,
        "superuser": True,
    }


def test_health_page_without_scores_says_so(client_en, health_world):
    health_world.b.health_snapshots.all().delete()
    client_en.force_login(health_world.b_owner)
    response = client_en.get("/en/partners/console/health/")
    assert response.status_code == 200
    assert "No health score has been computed for your organisation yet." in response.content.decode()

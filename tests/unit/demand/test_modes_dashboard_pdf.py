"""Directed and private-invite requirements chosen on the form (with the partners), the staff
dashboard's SVG charts, the compare PDF (Chinese text with an embedded CJK font) and demand's
metrics in the default health model."""

import shutil
import subprocess
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from demand.models import Invitation, Requirement, RequirementMode
from demand.services import requirements as requirement_services
from tests.factories.demand import RequirementFactory
from tests.unit.accounts.helpers import english, enrol_totp, signed_in
from tests.unit.demand.test_proposals import _invite, _propose


def _form(**extra):
    return {
        "title": "数据中台",
        "description": "建设数据中台",
        "currency": "CNY",
        "proposal_due": (timezone.localtime() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
        "award_by": (timezone.localdate() + timedelta(days=20)).isoformat(),
        "claim_limit": "5",
        "submit": "1",
        **extra,
    }


@pytest.mark.django_db
def test_customer_directs_a_requirement_to_a_partner_and_approval_invites_only_it(
    client, customer, customer_org, partner_a, partner_b, staff_user
):
    signed_in(client, customer, customer_org)
    page = client.get(reverse("demand:requirement-new") + f"?partner={partner_a.organisation.slug}")
    html = page.content.decode()
    assert f'<option value="{partner_a.pk}" selected>' in html and 'value="directed" selected' in html
    assert client.post(reverse("demand:requirement-new"), _form(mode="directed")).status_code == 400
    response = client.post(
        reverse("demand:requirement-new"), _form(mode="directed", directed_partner=partner_a.pk)
    )
    assert response.status_code == 302
    requirement = Requirement.objects.get()
    assert requirement.mode == RequirementMode.DIRECTED and requirement.directed_partner == partner_a
    requirement_services.approve(requirement=requirement, by=staff_user)
    assert list(Invitation.objects.values_list("partner", "source")) == [(partner_a.pk, "directed")]


@pytest.mark.django_db
def test_private_invitation_invites_the_chosen_partners_and_at_most_ten(
    client, customer, customer_org, partner_a, partner_b, staff_user
):
    signed_in(client, customer, customer_org)
    assert client.post(reverse("demand:requirement-new"), _form(mode="private_invite")).status_code == 400
    response = client.post(
        reverse("demand:requirement-new"),
        _form(mode="private_invite", invited_partners=[partner_a.pk, partner_b.pk]),
    )
    assert response.status_code == 302
    requirement = Requirement.objects.get()
    assert set(requirement.invited_partners.all()) == {partner_a, partner_b}
    requirement_services.approve(requirement=requirement, by=staff_user)
    assert set(Invitation.objects.values_list("partner", flat=True)) == {partner_a.pk, partner_b.pk}
    # routed mode ignores a stray partner choice
    client.post(reverse("demand:requirement-new"), _form(mode="routed", invited_partners=[partner_a.pk]))
    routed = Requirement.objects.get(mode="routed")
    assert not routed.invited_partners.exists() and routed.directed_partner is None


@pytest.fixture
def staff_user(db):
    from tests.factories.accounts import UserFactory

    user = UserFactory(email="pm@symbio.example")
    user.groups.add(Group.objects.get(name="Programme managers"))
    enrol_totp(user)
    return user


@pytest.mark.django_db
@pytest.mark.usefixtures("english")
def test_dashboard_draws_the_monthly_charts_from_the_same_definitions(
    client, staff_user, customer_org, partner_a, partner_b
):
    from demand import selectors

    requirement = RequirementFactory(customer_organisation=customer_org, state="open", screening_questions=[])
    Requirement.objects.filter(pk=requirement.pk).update(opened_at=timezone.now() - timedelta(hours=5))
    _invite(requirement, partner_a, partner_b)
    _propose(requirement, partner_a)
    trend = selectors.dashboard_trend()
    figures = selectors.dashboard_figures()
    assert len(trend["labels"]) == 6 and trend["labels"][-1] == timezone.localdate().strftime("%Y-%m")
    assert trend["median_hours_to_first_proposal"][-1] == figures["median_hours_to_first_proposal"]
    assert trend["share_with_three_proposals"][-1] == 0
    client.force_login(english(staff_user))
    html = client.get(reverse("demand_admin:queue")).content.decode()
    charts = html[html.index('data-testid="charts"') :]
    assert charts.count("<svg") == 5
    assert "Median hours to the first proposal (target &lt; 24)" in charts


@pytest.mark.django_db
def test_compare_pdf_carries_the_chinese_text_with_an_embedded_cjk_font(
    client, customer, customer_org, partner_a, partner_b, other_customer
):
    requirement = RequirementFactory(
        customer_organisation=customer_org, state="open", screening_questions=[], title="仓储系统升级"
    )
    _invite(requirement, partner_a, partner_b)
    _propose(requirement, partner_a, summary="分三期实施仓储系统")
    _propose(requirement, partner_b)
    signed_in(client, customer, customer_org)
    url = reverse("demand:compare-pdf", kwargs={"public_id": requirement.public_id})
    response = client.get(url + "?lang=zh-hans&w_price=2")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    english = client.get(url + "?lang=en")
    assert english.status_code == 200
    if shutil.which("pdftotext") and shutil.which("pdffonts"):
        import tempfile

        with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
            f.write(response.content)
            f.flush()
            text = subprocess.run(["pdftotext", f.name, "-"], capture_output=True, text=True).stdout
            fonts = subprocess.run(["pdffonts", f.name], capture_output=True, text=True).stdout
        assert "仓储系统升级" in text and "分三期实施仓储系统" in text
        assert "CJK" in fonts and " yes " in fonts  # embedded (subset)
        with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
            f.write(english.content)
            f.flush()
            text_en = subprocess.run(["pdftotext", f.name, "-"], capture_output=True, text=True).stdout
        assert "Compare proposals" in text_en and "仓储系统升级" in text_en
    signed_in(client, other_customer, other_customer.memberships.first().organisation)
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_default_health_model_has_demand_metrics():
    from health.models import HealthMetric

    rows = dict(HealthMetric.objects.filter(source="demand").values_list("slug", "direction"))
    assert rows == {
        "lead_first_response_hours": "lower",
        "requirement_win_rate": "higher",
        "proposals_sent": "higher",
    }
    assert HealthMetric.objects.filter(slug="delivery_success_rate", kinds=["service"]).exists()

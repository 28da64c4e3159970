"""Audit log of staff decisions (Wagtail's log entries): tier approvals and overrides,
application decisions, review moderation, health settings and metric edits — who, what, why;
and the "Programme decisions" report listing them."""

import pytest
from wagtail.models import ModelLogEntry

from health.models import HealthMetric, HealthSettings
from partners.models import TierRecommendation
from partners.services.onboarding import reject_application
from partners.services.programme import approve_recommendation, evaluate_tiers, override_recommendation
from tests.factories.accounts import UserFactory
from tests.factories.health import pm_user
from tests.factories.partners import ApplicationFactory
from tests.factories.programme import AS_OF, report_months, service_ladder, service_partner
from tests.unit.accounts.helpers import enrol_totp

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    user = UserFactory(is_staff=True, is_superuser=True)
    enrol_totp(user)  # staff need two-factor before the admin (accounts.mfa)
    return user


@pytest.fixture
def recommendations():
    ladder = service_ladder()
    partners = [service_partner(ladder[1]) for _ in range(2)]
    for partner in partners:
        report_months(partner, "revenue", 100)
        report_months(partner, "certified_people", 5)
    evaluate_tiers(as_of=AS_OF)
    return ladder, [TierRecommendation.objects.filter(partner=p).latest("created_at", "pk") for p in partners]


def test_tier_approval_and_override_are_logged_with_reason(recommendations, manager):
    ladder, (first, second) = recommendations
    approve_recommendation(recommendation=first, user=manager)
    override_recommendation(recommendation=second, user=manager, tier=ladder[1], reason="等待下季度审计")
    approved = ModelLogEntry.objects.get(action="partners.tier_approved")
    assert approved.user == manager and approved.object_id == str(first.partner_id)
    assert approved.data["to_tier"] == str(ladder[2]) and approved.data["from_tier"] == str(ladder[1])
    overridden = ModelLogEntry.objects.get(action="partners.tier_overridden")
    assert overridden.data["reason"] == "等待下季度审计"
    assert overridden.data["to_tier"] == str(ladder[1])
    assert "等待下季度审计" in overridden.message


def test_application_decision_is_logged(manager):
    application = ApplicationFactory()
    reject_application(application=application, reviewer=manager, message="资料不完整")
    entry = ModelLogEntry.objects.get(action="partners.application_reject")
    assert entry.user == manager and entry.object_id == str(application.pk)
    assert entry.data["reason"] == "资料不完整"


def test_review_moderation_is_logged(manager):
    from marketplace.services.reviews import hide_review, unhide_review
    from tests.factories.marketplace import make_listing, make_review

    review = make_review(make_listing())
    hide_review(review=review, user=manager, reason="包含广告")
    unhide_review(review=review, user=manager)
    hidden = ModelLogEntry.objects.get(action="marketplace.review_hidden")
    shown = ModelLogEntry.objects.get(action="marketplace.review_unhidden")
    assert (hidden.user, hidden.data["reason"]) == (manager, "包含广告")
    assert shown.data["hidden_reason"] == "包含广告"


def _settings_form(**overrides):
    data = {
        "productivity_weight": "1",
        "robustness_weight": "1",
        "innovation_weight": "1",
        "at_risk_drop_points": "10",
        "at_risk_floor": "40",
        "healthy_threshold": "70",
        "report_recipients": "",
        "change_reason": "",
    }
    return {**data, **overrides}


def test_settings_change_in_the_admin_is_logged_with_fields_and_reason(client):
    admin = pm_user("en", is_superuser=True, is_staff=True)
    client.force_login(admin)
    settings = HealthSettings.load()
    url = f"/admin/settings/partners/healthsettings/{settings.pk}/"
    response = client.post(url, _settings_form(productivity_weight="3", change_reason="季度目标调整"))
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = ModelLogEntry.objects.get(action="partners.health_settings_changed")
    assert entry.user == admin
    assert entry.data == {
        "changes": {"productivity_weight": {"from": "1", "to": "3"}},
        "reason": "季度目标调整",
    }
    # Saving without a change writes nothing.
    client.post(url, _settings_form(productivity_weight="3"))
    assert ModelLogEntry.objects.filter(action="partners.health_settings_changed").count() == 1


def test_metric_weight_change_is_logged_and_listed_in_programme_decisions(client):
    admin = pm_user("en", is_superuser=True, is_staff=True)
    client.force_login(admin)
    metric = HealthMetric.objects.get(slug="new_customers")
    edit = f"/admin/snippets/partners/healthmetric/edit/{metric.pk}/"
    form = client.get(edit).context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        if name == "kinds":
            import json

            value = json.dumps(value)
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        data[name] = value.pk if hasattr(value, "pk") else value
    data.update({"weight": "2.5", "change_reason": "更重视新客户"})
    response = client.post(edit, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    entry = ModelLogEntry.objects.get(action="partners.health_metric_changed")
    assert entry.data["changes"] == {"weight": {"from": "1", "to": "2.5"}}
    html = client.get("/admin/programme_decisions/").content.decode()
    assert "Change health metric" in html and "更重视新客户" in html

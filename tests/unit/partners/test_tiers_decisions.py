"""Staff decisions on recommendations: approve, override (with a reason), demotion grace period,
tier history and the ``partner_tier_changed`` signal."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from accounts.models import Role
from partners.models import ProgrammeSettings, TierChange, TierRecommendation
from partners.programme_signals import partner_tier_changed
from partners.services.programme import (
    OVERRIDE_REASON_REQUIRED,
    RECOVERED,
    apply_due_demotions,
    approve_recommendation,
    evaluate_tiers,
    override_recommendation,
)
from tests.factories.accounts import MembershipFactory, UserFactory
from tests.factories.programme import AS_OF, report_months, service_ladder, service_partner

pytestmark = pytest.mark.django_db

Action, RecStatus = TierRecommendation.Action, TierRecommendation.Status
TODAY = date(2026, 10, 5)


@pytest.fixture
def ladder():
    return service_ladder()


@pytest.fixture
def manager():
    return UserFactory(is_staff=True)


@pytest.fixture
def signals():
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    partner_tier_changed.connect(receiver, dispatch_uid="test-receiver")
    yield received
    partner_tier_changed.disconnect(dispatch_uid="test-receiver")


def recommendation_for(partner) -> TierRecommendation:
    return TierRecommendation.objects.filter(partner=partner).latest("created_at", "pk")


@pytest.fixture
def promotion(ladder):
    partner = service_partner(ladder[1])
    report_months(partner, "revenue", 100)
    report_months(partner, "certified_people", 5)
    evaluate_tiers(as_of=AS_OF)
    rec = recommendation_for(partner)
    assert rec.action == Action.PROMOTE
    return rec


@pytest.fixture
def demotion(ladder):
    partner = service_partner(ladder[2])
    owner = UserFactory(email="owner@gold.example.cn")
    MembershipFactory(user=owner, organisation=partner.organisation, role=Role.OWNER)
    MembershipFactory(organisation=partner.organisation, role=Role.MEMBER)
    report_months(partner, "revenue", 50)
    report_months(partner, "certified_people", 6)
    evaluate_tiers(as_of=AS_OF)
    rec = recommendation_for(partner)
    assert rec.action == Action.DEMOTE
    return rec


def test_approving_a_promotion_changes_the_tier_writes_history_and_fires_the_signal(
    promotion, manager, signals, django_capture_on_commit_callbacks, ladder
):
    partner = promotion.partner

    with django_capture_on_commit_callbacks(execute=True):
        approve_recommendation(recommendation=promotion, user=manager)

    partner.refresh_from_db()
    promotion.refresh_from_db()
    assert partner.tier == ladder[2]
    assert (promotion.status, promotion.decided_by) == (RecStatus.APPROVED, manager)
    assert promotion.applied_at is not None
    change = TierChange.objects.get(partner=partner)
    assert (change.from_tier, change.to_tier, change.changed_by, change.recommendation) == (
        ladder[1],
        ladder[2],
        manager,
        promotion,
    )
    assert len(signals) == 1
    assert signals[0]["partner"] == partner and signals[0]["to_tier"] == ladder[2]
    assert signals[0]["from_tier"] == ladder[1] and signals[0]["change"] == change


def test_a_decided_recommendation_cannot_be_approved_twice(promotion, manager):
    approve_recommendation(recommendation=promotion, user=manager)
    with pytest.raises(ValidationError):
        approve_recommendation(recommendation=promotion, user=manager)
    assert TierChange.objects.count() == 1


def test_override_requires_a_reason(promotion, manager, ladder):
    with pytest.raises(ValidationError) as excinfo:
        override_recommendation(recommendation=promotion, user=manager, tier=ladder[3], reason="   ")

    assert str(OVERRIDE_REASON_REQUIRED) in excinfo.value.messages
    promotion.refresh_from_db()
    promotion.partner.refresh_from_db()
    assert promotion.status == RecStatus.PENDING
    assert promotion.partner.tier == ladder[1]
    assert not TierChange.objects.exists()


def test_override_sets_the_chosen_tier_at_once_and_keeps_the_reason(
    promotion, manager, ladder, signals, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        override_recommendation(
            recommendation=promotion, user=manager, tier=ladder[0], reason="Audit found delivery issues"
        )

    promotion.refresh_from_db()
    promotion.partner.refresh_from_db()
    assert (promotion.status, promotion.override_tier) == (RecStatus.OVERRIDDEN, ladder[0])
    assert promotion.partner.tier == ladder[0]
    assert TierChange.objects.get().reason == "Audit found delivery issues"
    assert len(signals) == 1


def test_override_keeping_the_current_tier_changes_nothing_but_the_record(
    promotion, manager, ladder, signals
):
    override_recommendation(recommendation=promotion, user=manager, tier=ladder[1], reason="Wait a quarter")

    promotion.refresh_from_db()
    assert promotion.status == RecStatus.OVERRIDDEN
    assert not TierChange.objects.exists() and not signals


def test_an_approved_demotion_waits_for_the_grace_period(
    demotion, manager, ladder, signals, django_capture_on_commit_callbacks
):
    partner = demotion.partner

    with django_capture_on_commit_callbacks(execute=True):
        approve_recommendation(recommendation=demotion, user=manager, today=TODAY)

    demotion.refresh_from_db()
    partner.refresh_from_db()
    assert demotion.status == RecStatus.APPROVED and demotion.applied_at is None
    assert demotion.effective_on == TODAY + timedelta(days=60)
    assert partner.tier == ladder[2]  # unchanged for now
    assert [m.to for m in mail.outbox] == [["owner@gold.example.cn"]]  # owners only, warned
    assert "2026-12-04" in mail.outbox[0].body

    assert apply_due_demotions(today=TODAY + timedelta(days=59)) == 0
    partner.refresh_from_db()
    assert partner.tier == ladder[2]

    with django_capture_on_commit_callbacks(execute=True):
        assert apply_due_demotions(today=TODAY + timedelta(days=60)) == 1
    partner.refresh_from_db()
    demotion.refresh_from_db()
    assert partner.tier == ladder[1]
    assert demotion.applied_at is not None
    change = TierChange.objects.get(partner=partner)
    assert (change.from_tier, change.to_tier, change.recommendation) == (ladder[2], ladder[1], demotion)
    assert len(signals) == 1
    assert apply_due_demotions(today=TODAY + timedelta(days=90)) == 0  # applied once


def test_a_partner_that_recovers_before_the_grace_period_ends_is_not_demoted(demotion, manager, ladder):
    partner = demotion.partner
    approve_recommendation(recommendation=demotion, user=manager, today=TODAY)
    report_months(partner, "revenue", 150)  # back above gold's 1,000

    summary = evaluate_tiers(as_of=AS_OF)
    assert apply_due_demotions(today=TODAY + timedelta(days=61)) == 0

    demotion.refresh_from_db()
    partner.refresh_from_db()
    assert summary.recovered == 1
    assert (demotion.status, demotion.reason) == (RecStatus.SUPERSEDED, RECOVERED)
    assert partner.tier == ladder[2]
    assert not TierChange.objects.exists()


def test_a_still_failing_partner_is_not_asked_about_twice(demotion, manager):
    approve_recommendation(recommendation=demotion, user=manager, today=TODAY)

    evaluate_tiers(as_of=AS_OF)

    demotion.refresh_from_db()
    assert demotion.is_waiting_demotion
    assert not TierRecommendation.objects.filter(partner=demotion.partner, status=RecStatus.PENDING).exists()


def test_the_grace_period_is_a_programme_setting(demotion, manager, ladder):
    settings = ProgrammeSettings.load()
    settings.demotion_grace_days = 0
    settings.save()

    approve_recommendation(recommendation=demotion, user=manager, today=TODAY)

    demotion.partner.refresh_from_db()
    assert demotion.partner.tier == ladder[1]  # no grace: demoted at once


def test_approval_refuses_a_stale_recommendation(promotion, manager, ladder):
    partner = promotion.partner
    partner.tier = ladder[0]
    partner.save()

    with pytest.raises(ValidationError):
        approve_recommendation(recommendation=promotion, user=manager)
    partner.refresh_from_db()
    assert partner.tier == ladder[0]

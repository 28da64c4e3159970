"""Tier evaluation: promote / demote / hold from facts, cumulative ladders, absent facts, and a
query count that does not depend on the number of partners."""

import pytest

from partners.models import EvaluationRun, Partner, PartnerKind, TierRecommendation
from partners.selectors.programme import Status
from partners.services.programme import evaluate_tiers
from tests.factories.partners import PartnerFactory
from tests.factories.programme import AS_OF, report_months, service_ladder, service_partner

pytestmark = pytest.mark.django_db

Action, RecStatus = TierRecommendation.Action, TierRecommendation.Status


@pytest.fixture
def ladder():
    return service_ladder()


def latest_recommendation(partner) -> TierRecommendation:
    return TierRecommendation.objects.filter(partner=partner).latest("created_at", "pk")


def evidence_for(rec, metric, tier_slug=None):
    return next(
        e for e in rec.evidence if e["metric"] == metric and (tier_slug is None or e["tier"] == tier_slug)
    )


def test_gold_partner_is_demoted_when_revenue_drops(ladder):
    registered, silver, gold = ladder[:3]
    partner = service_partner(gold)
    report_months(partner, "revenue", 50)  # 600 over 12 months; gold needs 1,000
    report_months(partner, "certified_people", 6)

    summary = evaluate_tiers(as_of=AS_OF)

    rec = latest_recommendation(partner)
    assert (rec.action, rec.status) == (Action.DEMOTE, RecStatus.PENDING)
    assert rec.current_tier == gold and rec.recommended_tier == silver
    revenue = evidence_for(rec, "revenue", gold.slug)
    assert (revenue["required"], revenue["actual"], revenue["status"]) == ("1000", "600", Status.UNMET)
    assert evidence_for(rec, "certified_people")["status"] == Status.MET
    assert summary.demote == 1
    partner.refresh_from_db()
    assert partner.tier == gold  # nothing changes before staff approve


def test_partner_is_promoted_when_every_criterion_of_the_next_tier_is_met(ladder):
    silver, gold = ladder[1], ladder[2]
    partner = service_partner(silver)
    report_months(partner, "revenue", 100)  # 1,200
    report_months(partner, "certified_people", 5)

    evaluate_tiers(as_of=AS_OF)

    rec = latest_recommendation(partner)
    assert (rec.action, rec.status, rec.recommended_tier) == (Action.PROMOTE, RecStatus.PENDING, gold)


def test_partner_holds_when_the_next_tier_is_only_partly_met(ladder):
    silver = ladder[1]
    partner = service_partner(silver)
    report_months(partner, "revenue", 100)
    report_months(partner, "certified_people", 3)  # gold needs 5

    summary = evaluate_tiers(as_of=AS_OF)

    rec = latest_recommendation(partner)
    assert (rec.action, rec.status, rec.recommended_tier) == (Action.HOLD, RecStatus.RECORDED, silver)
    assert summary.hold == 1
    assert not TierRecommendation.objects.filter(status=RecStatus.PENDING).exists()


def test_a_partner_must_meet_the_lower_tiers_too(ladder):
    registered, silver = ladder[0], ladder[1]
    partner = service_partner(registered)
    report_months(partner, "revenue", 1000)  # 12,000: enough for platinum's revenue
    report_months(partner, "avg_rating", "4.8")
    report_months(partner, "review_count", 40)
    report_months(partner, "certified_people", 2)  # but gold needs 5 people

    evaluate_tiers(as_of=AS_OF)

    rec = latest_recommendation(partner)
    assert rec.recommended_tier == silver  # platinum's own criteria are met, gold's are not
    assert evidence_for(rec, "avg_rating")["status"] == Status.MET


def test_an_absent_fact_is_not_evaluated_and_counts_as_unmet(ladder):
    platinum, diamond = ladder[3], ladder[4]
    partner = service_partner(platinum)
    report_months(partner, "revenue", 1000)
    report_months(partner, "certified_people", 8)
    report_months(partner, "avg_rating", "4.7")
    report_months(partner, "review_count", 12)
    # no health_score fact: diamond cannot be reached (and nothing crashes)

    evaluate_tiers(as_of=AS_OF)

    rec = latest_recommendation(partner)
    assert (rec.action, rec.recommended_tier) == (Action.HOLD, platinum)
    health = evidence_for(rec, "health_score", diamond.slug)
    assert health["status"] == Status.MISSING and health["actual"] is None


def test_a_tier_is_lost_when_its_facts_stop_being_reported(ladder):
    silver, gold = ladder[1], ladder[2]
    partner = service_partner(gold)
    report_months(partner, "revenue", 200)  # no certified-people facts at all

    evaluate_tiers(as_of=AS_OF)

    rec = latest_recommendation(partner)
    assert (rec.action, rec.recommended_tier) == (Action.DEMOTE, silver)
    assert evidence_for(rec, "certified_people")["status"] == Status.MISSING


def test_a_rating_needs_its_minimum_number_of_reviews(ladder):
    gold = ladder[2]
    partner = service_partner(gold)
    report_months(partner, "revenue", 1000)
    report_months(partner, "certified_people", 8)
    report_months(partner, "avg_rating", "4.9")
    report_months(partner, "review_count", 4)  # platinum wants 10 reviews behind the rating

    evaluate_tiers(as_of=AS_OF)

    rec = latest_recommendation(partner)
    assert (rec.action, rec.recommended_tier) == (Action.HOLD, gold)
    rating = evidence_for(rec, "avg_rating")
    assert (rating["status"], rating["count_actual"], rating["min_count"]) == (Status.SMALL_SAMPLE, "4", 10)


def test_only_the_trailing_twelve_months_count(ladder):
    silver = ladder[1]
    partner = service_partner(silver)
    report_months(partner, "revenue", 500, months=12, until=AS_OF.replace(year=AS_OF.year - 1))  # a year ago
    report_months(partner, "revenue", 5, months=12)  # 60 in the window

    evaluate_tiers(as_of=AS_OF)

    rec = latest_recommendation(partner)
    assert rec.action == Action.DEMOTE
    assert evidence_for(rec, "revenue", silver.slug)["actual"] == "60"


def test_a_new_evaluation_supersedes_the_pending_recommendation(ladder):
    silver = ladder[1]
    partner = service_partner(silver)
    report_months(partner, "revenue", 100)
    report_months(partner, "certified_people", 5)
    evaluate_tiers(as_of=AS_OF)
    first = latest_recommendation(partner)

    evaluate_tiers(as_of=AS_OF)

    first.refresh_from_db()
    assert first.status == RecStatus.SUPERSEDED
    assert TierRecommendation.objects.filter(partner=partner, status=RecStatus.PENDING).count() == 1


def test_suspended_partners_and_kinds_without_a_ladder_are_skipped(ladder):
    suspended = service_partner(ladder[2], status=Partner.Status.SUSPENDED)
    summary = evaluate_tiers(as_of=AS_OF)
    assert summary.evaluated == Partner.objects.filter(status=Partner.Status.ACTIVE).count()
    assert not TierRecommendation.objects.filter(partner=suspended).exists()


def test_a_run_records_its_progress_and_summary(ladder):
    partner = service_partner(ladder[1])
    report_months(partner, "revenue", 1)
    run = EvaluationRun.objects.create(as_of=AS_OF)

    evaluate_tiers(as_of=AS_OF, run=run)

    run.refresh_from_db()
    assert run.status == EvaluationRun.Status.DONE and run.percent == 100
    assert run.processed == run.total >= 1
    assert run.summary["demote"] == 1


def _population(size, ladder):
    for i in range(size):
        partner = service_partner(ladder[i % 3])
        report_months(partner, "revenue", 10 * i)
        report_months(partner, "certified_people", i % 7)
    PartnerFactory.create_batch(2, kind=PartnerKind.ISV)  # another kind, another ladder


@pytest.mark.parametrize("size", [5, 50])
def test_evaluation_query_count_does_not_grow_with_partner_count(size, ladder, django_assert_max_num_queries):
    _population(size, ladder)

    with django_assert_max_num_queries(14):
        summary = evaluate_tiers(as_of=AS_OF)

    assert summary.evaluated >= size
    assert TierRecommendation.objects.filter(as_of=AS_OF).count() == summary.evaluated

"""Snapshots against a hand-computed example: values per aggregation, percentiles within the
kind (mid-rank for ties), medians, direction, weights, excluded metrics, previous values;
idempotent recomputation and kept history; the health_score fact."""

from decimal import Decimal

import pytest

from health.models import HealthSnapshot
from health.services import scoring_python, scoring_sql
from health.services import snapshots as health
from partners.models import PartnerFact
from tests.factories.health import fact, month, only_metrics, set_health

pytestmark = pytest.mark.django_db

JUNE, MAY = month("2026-06"), month("2026-05")
# Revenue growth month on month (100 × (this month − last month) / last month).
GROWTH = {
    "slug": "growth",
    "metric": "revenue",
    "dimension": "productivity",
    "aggregation": "growth",
    "window_months": 1,
}


@pytest.fixture
def example(isvs, service_partner):
    """Three ISVs (p1, p2, p3) and one service partner (s1); see the module's expectations."""
    only_metrics(
        {
            "slug": "rev",
            "metric": "revenue",
            "dimension": "productivity",
            "aggregation": "sum",
            "window_months": 2,
        },
        {
            "slug": "churn",
            "metric": "churned_customers",
            "dimension": "robustness",
            "aggregation": "sum",
            "window_months": 1,
            "direction": "lower",
        },
        {
            "slug": "rating",
            "metric": "avg_rating",
            "dimension": "innovation",
            "aggregation": "latest",
            "window_months": 3,
        },
        {
            "slug": "joint",
            "metric": "joint_solutions",
            "dimension": "innovation",
            "aggregation": "latest",
            "window_months": 1,
            "weight": Decimal("3"),
            "kinds": ["service"],
        },
    )
    set_health(productivity_weight=2, robustness_weight=1, innovation_weight=1)
    p1, p2, p3 = isvs
    s1 = service_partner
    fact(p1, "revenue", "2026-05", 100)
    fact(p1, "revenue", "2026-06", 200)
    fact(p2, "revenue", "2026-06", 50)
    fact(p3, "revenue", "2026-04", 1000)  # outside June's 2-month window: excluded in June
    fact(s1, "revenue", "2026-06", 10)
    fact(p1, "churned_customers", "2026-06", 2)
    fact(p2, "churned_customers", "2026-06", 2)
    fact(p3, "churned_customers", "2026-06", 0)
    fact(p1, "avg_rating", "2026-04", "4.0")
    fact(p1, "avg_rating", "2026-06", "4.5")
    fact(p2, "avg_rating", "2026-05", "3.0")
    fact(p3, "avg_rating", "2026-06", "5.0")
    fact(s1, "joint_solutions", "2026-06", 2)
    fact(p1, "joint_solutions", "2026-06", 7)  # ISVs do not have this metric: ignored
    return p1, p2, p3, s1


def snap(partner, when=JUNE):
    return HealthSnapshot.objects.get(partner=partner, month=when)


def test_hand_computed_example(example):
    p1, p2, p3, s1 = example
    summary = health.compute_snapshots(first=MAY, last=JUNE, notify=False)
    assert summary["snapshots"] == 7  # May: p1, p2, p3 (s1 has nothing in May); June: all four

    one = snap(p1)
    assert one.metrics["rev"] == {
        "value": "300",
        "score": 100.0,
        "percentile": 100.0,
        "median": "175",
        "dimension": "productivity",
        "weight": 1.0,
        "previous": "100",
        "previous_score": 0.0,
    }
    # churn: p3 0 < p1 = p2 2 → p1 and p2 share the mid-rank: (1 + 0.5) / 2 = 75th percentile.
    assert one.metrics["churn"]["percentile"] == 75.0
    assert one.metrics["churn"]["score"] == 25.0  # lower is better
    assert one.metrics["churn"]["median"] == "2"
    assert one.metrics["rating"]["value"] == "4.5"  # latest month in the window
    assert one.metrics["rating"]["median"] == "4.5"
    assert one.metrics["rating"]["previous"] == "4"
    assert "joint" not in one.metrics  # not a metric of ISVs, not a zero
    assert (one.productivity, one.robustness, one.innovation) == (
        Decimal("100"),
        Decimal("25"),
        Decimal("50"),
    )
    assert one.composite == Decimal("68.75")  # (2×100 + 25 + 50) / 4
    assert one.previous_composite == Decimal("33.33")  # May: (2×0 + 100) / 3
    assert one.kind == "isv" and one.tier_id == p1.tier_id

    two = snap(p2)
    assert two.composite == Decimal("6.25")  # (2×0 + 25 + 0) / 4
    assert two.metrics["rating"]["value"] == "3"

    three = snap(p3)
    assert three.productivity is None  # its only revenue is outside the window: excluded
    assert "rev" not in three.metrics
    assert three.composite == Decimal("100")  # (100 + 100) / 2
    assert three.metrics["churn"]["score"] == 100.0

    service = snap(s1)
    assert service.metrics["rev"]["percentile"] == 50.0  # alone in its kind
    assert service.metrics["joint"]["value"] == "2"
    assert service.robustness is None
    assert service.composite == Decimal("50")  # (2×50 + 50) / 3
    assert not HealthSnapshot.objects.filter(partner=s1, month=MAY).exists()


def test_growth_ratio_avg_and_missing_as_zero(isvs):
    p1, p2, p3 = isvs
    only_metrics(
        GROWTH,
        {
            "slug": "conv",
            "metric": "trials_converted",
            "denominator": "trials_started",
            "dimension": "productivity",
            "window_months": 2,
        },
        {
            "slug": "reviews",
            "metric": "review_count",
            "dimension": "innovation",
            "aggregation": "avg",
            "window_months": 3,
            "missing_counts_as_zero": True,
        },
    )
    fact(p1, "revenue", "2026-05", 100)
    fact(p1, "revenue", "2026-06", 150)
    fact(p2, "revenue", "2026-06", 80)  # no previous month: growth undefined, excluded
    fact(p1, "trials_started", "2026-05", 4)
    fact(p1, "trials_started", "2026-06", 6)
    fact(p1, "trials_converted", "2026-06", 3)
    fact(p2, "trials_started", "2026-06", 5)  # none converted: 0 %
    fact(p1, "review_count", "2026-04", 3)
    fact(p1, "review_count", "2026-06", 6)
    health.compute_snapshots(first=JUNE, notify=False)
    one, two, three = snap(p1), snap(p2), snap(p3)
    assert one.metrics["growth"]["value"] == "50"
    assert "growth" not in two.metrics
    assert one.metrics["conv"]["value"] == "30"  # 3 / (4 + 6)
    assert two.metrics["conv"]["value"] == "0"
    assert one.metrics["reviews"]["value"] == "4.5"  # mean of the months reported
    assert three.metrics["reviews"]["value"] == "0"  # missing counts as zero for this metric
    assert three.metrics["reviews"]["score"] == 25.0  # p2 and p3 tie at 0


def test_recomputation_is_idempotent_and_keeps_history(example):
    p1, *_ = example
    health.compute_snapshots(first=MAY, last=JUNE, notify=False)
    before = {(s.partner_id, s.month): (s.composite, s.metrics) for s in HealthSnapshot.objects.all()}
    health.compute_snapshots(first=MAY, last=JUNE, notify=False)
    after = {(s.partner_id, s.month): (s.composite, s.metrics) for s in HealthSnapshot.objects.all()}
    assert before == after
    assert HealthSnapshot.objects.count() == 7

    # New facts for June only change June; May's snapshot (history) stays as it was.
    fact(p1, "revenue", "2026-06", 10)
    health.compute_snapshots(first=JUNE, notify=False)
    assert snap(p1).metrics["rev"]["value"] == "110"
    assert snap(p1, MAY).composite == before[(p1.pk, MAY)][0]
    assert HealthSnapshot.objects.count() == 7


def test_a_recomputation_removes_snapshots_left_without_metrics(example):
    """A partner with no metric left in a month loses that month's earlier snapshot; other
    months keep theirs (a first computation has none to remove, and skips the search)."""
    p1, p2, *_ = example
    health.compute_snapshots(first=MAY, last=JUNE, notify=False)
    assert snap(p2, MAY).composite is not None
    PartnerFact.objects.filter(partner=p2, month=MAY).delete()
    health.compute_snapshots(first=MAY, notify=False)
    assert not HealthSnapshot.objects.filter(partner=p2, month=MAY).exists()
    assert snap(p2).composite is not None and snap(p1, MAY).composite is not None
    assert HealthSnapshot.objects.count() == 6


def test_one_partner_is_ranked_against_its_whole_kind(example):
    p1, p2, *_ = example
    health.compute_snapshots(first=JUNE, partner_ids=[p1.pk], notify=False)
    assert list(HealthSnapshot.objects.values_list("partner_id", flat=True)) == [p1.pk]
    assert snap(p1).composite == Decimal("68.75")


def test_health_score_fact_written(example):
    p1, *_ = example
    health.compute_snapshots(first=JUNE, notify=False)
    value = PartnerFact.objects.get(partner=p1, metric__slug="health_score", month=JUNE).value
    assert value == Decimal("68.75")


def test_weights_change_the_composite(example):
    p1, *_ = example
    set_health(productivity_weight=0, robustness_weight=1, innovation_weight=1)
    health.compute_snapshots(first=JUNE, notify=False)
    assert snap(p1).composite == Decimal("37.5")  # (25 + 50) / 2


def test_python_path_gives_the_same_snapshots_as_the_sql_path(example, monkeypatch):
    """PostgreSQL writes snapshots in SQL; SQLite (``make run``) weighs them in Python."""
    health.compute_snapshots(first=MAY, last=JUNE, notify=False)
    in_sql = {
        (s.partner_id, s.month): (s.composite, s.productivity, s.previous_composite, s.metrics)
        for s in HealthSnapshot.objects.all()
    }
    HealthSnapshot.objects.all().delete()
    monkeypatch.setattr(scoring_sql, "compute", scoring_python.compute)
    health.compute_snapshots(first=MAY, last=JUNE, notify=False)
    in_python = {
        (s.partner_id, s.month): (s.composite, s.productivity, s.previous_composite, s.metrics)
        for s in HealthSnapshot.objects.all()
    }
    assert in_python == in_sql
    assert len(in_sql) == 7


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_months_scored_side_by_side_give_the_same_snapshots(example, settings):
    """Outside a transaction the month chunks run on two connections at once (one per core);
    the rows are the same as one connection's."""

    def rows():
        return {
            (s.partner_id, s.month): (s.composite, s.productivity, s.previous_composite, s.metrics)
            for s in HealthSnapshot.objects.all()
        }

    def scores():  # the health_score facts, written by the scoring statements themselves
        facts = PartnerFact.objects.filter(metric__slug="health_score")
        return set(facts.values_list("partner", "month", "value"))

    settings.HEALTH_SQL_WORKERS = 1
    health.compute_snapshots(first=MAY, last=JUNE, notify=False)
    one, one_scores = rows(), scores()
    HealthSnapshot.objects.all().delete()
    PartnerFact.objects.filter(metric__slug="health_score").delete()

    settings.HEALTH_SQL_WORKERS = 2
    assert scoring_sql.sql_workers([MAY, JUNE]) == 2
    summary = health.compute_snapshots(first=MAY, last=JUNE, notify=False)
    assert rows() == one and summary["snapshots"] == len(one) == 7
    assert scores() == one_scores and len(one_scores) == 7


def test_values_beyond_the_sorted_arrays_fall_back_to_the_window_ranking(isvs, monkeypatch):
    """PostgreSQL ranks through sorted arrays of values in ten-thousandths (``bigint``); a
    value of 10^15 or more does not fit, and the statement is run again with the per-metric
    windows: same snapshots as the Python path, the huge value and its tie kept exact."""
    p1, p2, p3 = isvs
    only_metrics(
        GROWTH,
        {
            "slug": "churn",
            "metric": "churned_customers",
            "dimension": "robustness",
            "window_months": 1,
            "direction": "lower",
        },
    )
    for partner in (p1, p2):
        fact(partner, "revenue", "2026-05", "0.01")
        fact(partner, "revenue", "2026-06", "99999999999999")  # growth ≈ 10^18 %
    fact(p3, "revenue", "2026-05", 100)
    fact(p3, "revenue", "2026-06", 150)
    for partner, churned in ((p1, 2), (p2, 2), (p3, 0)):
        fact(partner, "churned_customers", "2026-06", churned)
    used = []
    query = scoring_sql._score_query

    def recording(*args, **kwargs):
        used.append(kwargs.get("arrays", False))
        return query(*args, **kwargs)

    monkeypatch.setattr(scoring_sql, "_score_query", recording)
    health.compute_snapshots(first=JUNE, notify=False)
    assert used == [True, False]  # the arrays overflowed: the windows ranked
    in_sql = {s.partner_id: (s.composite, s.metrics) for s in HealthSnapshot.objects.all()}
    assert float(in_sql[p1.pk][1]["growth"]["value"]) > 10**17
    assert in_sql[p1.pk][1]["growth"]["score"] == 75.0  # p1 and p2 tie above p3
    HealthSnapshot.objects.all().delete()
    monkeypatch.setattr(scoring_sql, "compute", scoring_python.compute)
    health.compute_snapshots(first=JUNE, notify=False)
    assert {s.partner_id: (s.composite, s.metrics) for s in HealthSnapshot.objects.all()} == in_sql

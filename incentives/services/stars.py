"""Star ratings (1–5) of delivery capability for service and channel partners.

Computed monthly from facts only (Kingsoft-style grading): certified people, delivery success
rate, customer rating and lead response time. Each fact found in the last three months earns
1–5 points by the thresholds below; the stars are the weighted mean of the points of the facts
that exist, rounded half up. A missing fact is left out (never counted as zero); a partner with
no fact gets no rating. The rating is stored with its explanation and reported back as the
``delivery_stars`` fact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.bulk import bulk_upsert
from incentives.models import DeliveryOutcome, StarRating
from partners.models import Metric, Partner, PartnerFact, PartnerKind
from partners.services.facts import FactRow, ensure_metric, report_facts

STAR_METRIC = "delivery_stars"
KINDS = (PartnerKind.SERVICE, PartnerKind.CHANNEL)
WINDOW_MONTHS = 3


@dataclass(frozen=True)
class Component:
    metric: str
    label: object
    weight: Decimal
    thresholds: tuple  # (value, points) best first
    higher_is_better: bool = True
    average: bool = False  # average over the window, else the latest month

    def points(self, value: Decimal) -> int:
        for threshold, points in self.thresholds:
            if (value >= threshold) if self.higher_is_better else (value <= threshold):
                return points
        return 1


COMPONENTS = (
    Component(
        "delivery_success_rate",
        _("Delivery success rate"),
        Decimal("0.35"),
        ((95, 5), (90, 4), (80, 3), (70, 2)),
        average=True,
    ),
    Component("certified_people", _("Certified people"), Decimal("0.25"), ((20, 5), (10, 4), (5, 3), (2, 2))),
    Component(
        "avg_rating",
        _("Customer rating"),
        Decimal("0.25"),
        ((Decimal("4.6"), 5), (Decimal("4.2"), 4), (Decimal("3.8"), 3), (Decimal("3.0"), 2)),
    ),
    Component(
        "lead_response_hours",
        _("Lead response time (hours)"),
        Decimal("0.15"),
        ((4, 5), (12, 4), (24, 3), (48, 2)),
        higher_is_better=False,
    ),
)


def _shift(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def rate(values: dict[str, list[tuple[date, Decimal]]]) -> tuple[int, Decimal, list[dict]] | None:
    """Stars, score and explanation from ``{metric: [(month, value), …]}``; None without facts."""
    explanation, total, weights = [], Decimal(0), Decimal(0)
    for component in COMPONENTS:
        series = sorted(values.get(component.metric) or [])
        if not series:
            explanation.append({"metric": component.metric, "missing": True, "weight": str(component.weight)})
            continue
        value = sum(v for _m, v in series) / len(series) if component.average else series[-1][1]
        points = component.points(value)
        total += component.weight * points
        weights += component.weight
        explanation.append(
            {
                "metric": component.metric,
                "value": str(value.quantize(Decimal("0.01"))),
                "points": points,
                "weight": str(component.weight),
                "month": series[-1][0].isoformat(),
            }
        )
    if weights == 0:
        return None
    score = (total / weights).quantize(Decimal("0.01"))
    stars = int(score.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return max(1, min(5, stars)), score, explanation


def report_delivery_outcomes(*, month: date) -> int:
    """The month's ``delivery_success_rate`` (accepted ÷ all outcomes, percent) of every partner
    with staff-entered delivery outcomes in that month."""
    month = month.replace(day=1)
    rows = (
        DeliveryOutcome.objects.filter(accepted_on__gte=month, accepted_on__lt=_shift(month, 1))
        .values("partner_id")
        .annotate(total=Count("pk"), ok=Count("pk", filter=Q(successful=True)))
        .order_by()
    )
    facts = [
        FactRow(
            row["partner_id"],
            "delivery_success_rate",
            month,
            (Decimal(row["ok"]) * 100 / row["total"]).quantize(Decimal("0.01")),
        )
        for row in rows
    ]
    return report_facts(source="incentives", rows=facts)


@transaction.atomic
def compute_star_ratings(*, month: date, partners=None) -> int:
    """Rate every service and channel partner for ``month`` (its first day is used)."""
    month = month.replace(day=1)
    qs = Partner.objects.filter(kind__in=KINDS, status=Partner.Status.ACTIVE)
    if partners is not None:
        qs = qs.filter(pk__in=[p.pk for p in partners])
    ids = list(qs.values_list("pk", flat=True))
    facts: dict[int, dict[str, list]] = {pid: {} for pid in ids}
    rows = PartnerFact.objects.filter(
        partner_id__in=ids,
        metric__slug__in=[c.metric for c in COMPONENTS],
        month__gt=_shift(month, -WINDOW_MONTHS),
        month__lte=month,
    ).values_list("partner_id", "metric__slug", "month", "value")
    for pid, slug, fact_month, value in rows:
        facts[pid].setdefault(slug, []).append((fact_month, value))
    ensure_metric(
        slug=STAR_METRIC,
        name="交付星级",
        name_en="Delivery stars",
        unit=Metric.Unit.RATING,
        source="incentives",
    )
    report, ratings, unrated = [], [], []
    now = timezone.now()
    for pid in ids:
        result = rate(facts[pid])
        if result is None:
            unrated.append(pid)
            continue
        stars, score, explanation = result
        ratings.append((pid, month, stars, score, explanation, now))
        report.append(FactRow(pid, STAR_METRIC, month, stars))
    # One delete and one upsert for every partner (10,000 at the large demo), not two queries each.
    if unrated:
        StarRating.objects.filter(partner_id__in=unrated, month=month).delete()
    bulk_upsert(
        StarRating,
        ["partner_id", "month", "stars", "score", "explanation", "computed_at"],
        ratings,
        unique_fields=["partner", "month"],
        update_fields=["stars", "score", "explanation", "computed_at"],
    )
    report_facts(source="incentives", rows=report)
    return len(report)


LABELS = {c.metric: c.label for c in COMPONENTS}


def latest_rating(partner) -> StarRating | None:
    return StarRating.objects.filter(partner=partner).order_by("-month").first()


def describe(rating: StarRating) -> list[dict]:
    """The explanation with labels in the active language, for templates."""
    return [{**row, "label": LABELS.get(row["metric"], row["metric"])} for row in rating.explanation]

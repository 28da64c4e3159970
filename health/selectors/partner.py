"""One partner's health, for its own health page, the staff drill-down and its PDF: composite →
dimensions → metrics with hints, trends and the tier's medians."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from health.models import GeneratedReport, HealthDimension, HealthMetric, HealthSnapshot
from health.selectors.figures import DIMENSIONS, with_cause
from health.selectors.filters import month_label
from partners.models import Partner
from partners.selectors.programme import display_value, shift_months


def snapshot_for(partner: Partner, month: date | None = None) -> HealthSnapshot | None:
    qs = HealthSnapshot.objects.filter(partner=partner).select_related("tier")
    if month:
        qs = qs.filter(month=month)
    return qs.order_by("-month").first()


def history(partner: Partner, *, months: int = 12, until: date | None = None) -> list[HealthSnapshot]:
    qs = HealthSnapshot.objects.filter(partner=partner)
    if until:
        qs = qs.filter(month__lte=until)
    return list(reversed(qs.order_by("-month")[:months]))


def _metric_definitions() -> dict[str, HealthMetric]:
    return {m.slug: m for m in HealthMetric.objects.select_related("metric")}


def _dec(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (ValueError, ArithmeticError):
        return None


@dataclass
class MetricLine:
    slug: str
    name: str
    dimension: str
    unit: str
    value: Decimal | None
    value_display: str
    median: Decimal | None
    median_display: str
    score: Decimal | None
    percentile: Decimal | None
    weight: Decimal | None
    previous: Decimal | None
    change: Decimal | None
    change_display: str
    score_change: Decimal | None
    formula: str
    hint: str
    direction: str


def _unit(definition: HealthMetric | None) -> str:
    """Growth and ratio metrics are percentages whatever the unit of the fact they read."""
    if definition is None:
        return ""
    if definition.aggregation == HealthMetric.Aggregation.GROWTH or definition.denominator_id:
        return "percent"
    return definition.metric.unit


def metric_lines(snapshot: HealthSnapshot, previous: HealthSnapshot | None = None) -> list[MetricLine]:
    definitions = _metric_definitions()
    previous_metrics = (previous.metrics if previous else None) or {}
    lines = []
    for slug, entry in (snapshot.metrics or {}).items():
        definition = definitions.get(slug)
        unit = _unit(definition)
        value = _dec(entry.get("value"))
        median = _dec(entry.get("median"))
        prev_value = _dec(entry.get("previous"))
        if prev_value is None and slug in previous_metrics:
            prev_value = _dec(previous_metrics[slug].get("value"))
        score = _dec(entry.get("score"))
        prev_score = _dec(entry.get("previous_score"))
        if prev_score is None and previous_metrics:
            prev_score = _dec(previous_metrics.get(slug, {}).get("score"))
        change = value - prev_value if value is not None and prev_value is not None else None
        if change is None:
            change_display = "—"
        else:
            sign = "+" if change > 0 else ""
            change_display = sign + display_value(change, unit)
            if change < 0:
                change_display = "−" + display_value(-change, unit)
        lines.append(
            MetricLine(
                slug=slug,
                name=definition.t_name if definition else slug,
                dimension=entry.get("dimension") or (definition.dimension if definition else ""),
                unit=unit,
                value=value,
                value_display=display_value(value, unit),
                median=median,
                median_display=display_value(median, unit),
                score=score,
                percentile=_dec(entry.get("percentile")),
                weight=_dec(entry.get("weight")),
                previous=prev_value,
                change=change,
                change_display=change_display,
                score_change=score - prev_score if score is not None and prev_score is not None else None,
                formula=(definition.t_formula if definition else "") or "",
                hint=(definition.t_improvement_hint if definition else "") or "",
                direction=definition.direction if definition else HealthMetric.Direction.HIGHER,
            )
        )
    order = {d: i for i, d in enumerate(DIMENSIONS)}
    sort = {slug: (d.sort_order if d else 0) for slug, d in definitions.items()}
    lines.sort(key=lambda line: (order.get(line.dimension, 9), sort.get(line.slug, 0), line.slug))
    return lines


def dimension_blocks(snapshot: HealthSnapshot, lines: list[MetricLine], previous=None) -> list[dict]:
    labels = dict(HealthDimension.choices)
    blocks = []
    for dimension in DIMENSIONS:
        score = getattr(snapshot, dimension)
        before = getattr(previous, dimension) if previous else None
        blocks.append(
            {
                "key": dimension,
                "label": labels[dimension],
                "score": score,
                "previous": before,
                "change": score - before if score is not None and before is not None else None,
                "metrics": [line for line in lines if line.dimension == dimension],
            }
        )
    return blocks


def weakest_metrics(lines: list[MetricLine], limit: int = 3) -> list[MetricLine]:
    scored = [line for line in lines if line.score is not None]
    return sorted(scored, key=lambda line: (line.score, line.slug))[:limit]


def weakest_dimension(snapshot: HealthSnapshot) -> str | None:
    scores = [(getattr(snapshot, d), d) for d in DIMENSIONS if getattr(snapshot, d) is not None]
    return min(scores)[1] if scores else None


def tier_medians(snapshot: HealthSnapshot) -> dict[str, Decimal | None]:
    """Medians of composite and dimension scores among partners of the same tier (or kind) that month."""
    qs = HealthSnapshot.objects.filter(month=snapshot.month)
    qs = qs.filter(tier_id=snapshot.tier_id) if snapshot.tier_id else qs.filter(kind=snapshot.kind)
    rows = list(qs.values_list("composite", *DIMENSIONS))
    out = {}
    for index, key in enumerate(["composite", *DIMENSIONS]):
        values = [row[index] for row in rows if row[index] is not None]
        out[key] = Decimal(str(statistics.median(values))).quantize(Decimal("0.01")) if values else None
    return out


def trend_chart(snaps: list[HealthSnapshot], *, title: str, width: int = 640, height: int = 240) -> dict:
    labels = dict(HealthDimension.choices)
    return {
        "type": "line",
        "title": title,
        "labels": [month_label(s.month) for s in snaps],
        "series": [
            {"name": str(_("Health score")), "values": [s.composite for s in snaps], "colour": "#0f172a"},
            *[
                {"name": str(labels[d]), "values": [getattr(s, d) for s in snaps], "dashed": True}
                for d in DIMENSIONS
            ],
        ],
        "y_min": 0,
        "y_max": 100,
        "width": width,
        "height": height,
    }


def partner_health(partner: Partner, *, month: date | None = None, months: int = 12) -> dict:
    """The drill-down of one partner: composite → dimensions → metrics, trends, tier medians."""
    snapshot = snapshot_for(partner, month)
    if snapshot is None:
        return {"partner": partner, "snapshot": None}
    previous = HealthSnapshot.objects.filter(partner=partner, month=shift_months(snapshot.month, -1)).first()
    lines = metric_lines(snapshot, previous)
    snaps = history(partner, months=months, until=snapshot.month)
    medians = tier_medians(snapshot)
    weakest_dim = weakest_dimension(snapshot)
    labels = dict(HealthDimension.choices)
    comparison = {
        "type": "bar",
        "title": str(_("Compared with the median of the tier")),
        "labels": [str(_("Health score")), *[str(labels[d]) for d in DIMENSIONS]],
        "series": [
            {
                "name": str(partner.organisation),
                "values": [snapshot.composite, *[getattr(snapshot, d) for d in DIMENSIONS]],
            },
            {
                "name": str(_("Tier median")),
                "values": [medians["composite"], *[medians[d] for d in DIMENSIONS]],
                "colour": "#94a3b8",
            },
        ],
        "y_max": 100,
        "show_values": True,
    }
    return {
        "partner": partner,
        "snapshot": snapshot,
        "previous": previous,
        "lines": lines,
        "dimensions": dimension_blocks(snapshot, lines, previous),
        "history": snaps,
        "medians": medians,
        "weakest": weakest_metrics(lines),
        "weakest_dimension": weakest_dim,
        "weakest_dimension_label": labels.get(weakest_dim, ""),
        "weakest_dimension_lines": sorted(
            [line for line in lines if line.dimension == weakest_dim and line.score is not None],
            key=lambda line: line.score,
        ),
        "trend_chart": trend_chart(snaps, title=str(_("Health score over time"))),
        "comparison_chart": comparison,
        "flags": [with_cause(flag) for flag in partner.at_risk_flags.filter(month=snapshot.month)],
    }


def partner_reports(partner: Partner, limit: int = 20):
    return GeneratedReport.objects.filter(
        kind=GeneratedReport.Kind.PARTNER_HEALTH, partner=partner, status=GeneratedReport.Status.DONE
    ).order_by("-created_at")[:limit]

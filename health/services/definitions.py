"""What the scoring reads: the enabled health metrics as plain ``Definition`` values, the
month arithmetic of the scoring statements (months as integers), the snapshot columns and the
number format of the ``metrics`` drill-down. Both scoring paths (``scoring_sql``,
``scoring_python``), at-risk detection and the audit use these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from health.models import HealthDimension, HealthMetric
from partners.models import PartnerKind
from partners.selectors.programme import month_start

DIMENSIONS = tuple(HealthDimension.values)
SNAPSHOT_COLUMNS = [
    "partner_id",
    "month",
    "kind",
    "tier_id",
    "productivity",
    "robustness",
    "innovation",
    "composite",
    "metrics",
    "previous_composite",
    "computed_at",
]


# --- months ------------------------------------------------------------------------------------
def month_index(month: date) -> int:
    return month.year * 12 + month.month - 1


def index_month(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> list[date]:
    first, last = month_start(first), month_start(last)
    return [index_month(i) for i in range(month_index(first), month_index(last) + 1)]


# --- metric definitions ------------------------------------------------------------------------
@dataclass(frozen=True)
class Definition:
    id: int
    slug: str
    metric_id: int
    denominator_id: int | None
    dimension: str
    weight: Decimal
    direction: str
    aggregation: str
    window: int
    kinds: tuple[str, ...]
    zero: bool

    @property
    def span(self) -> int:
        """Months of facts the value needs (growth compares with the window before)."""
        if self.aggregation == HealthMetric.Aggregation.GROWTH and not self.denominator_id:
            return self.window * 2
        return self.window


def definitions() -> list[Definition]:
    rows = HealthMetric.objects.filter(enabled=True).order_by("dimension", "sort_order", "slug")
    out = []
    for hm in rows:
        kinds = tuple(k for k in (hm.kinds or []) if k in PartnerKind.values) or tuple(PartnerKind.values)
        out.append(
            Definition(
                id=hm.pk,
                slug=hm.slug,
                metric_id=hm.metric_id,
                denominator_id=hm.denominator_id,
                dimension=hm.dimension,
                weight=hm.weight,
                direction=hm.direction,
                aggregation=hm.aggregation,
                window=max(1, min(24, hm.window_months)),
                kinds=kinds,
                zero=hm.missing_counts_as_zero,
            )
        )
    return out


# --- numbers in the drill-down -----------------------------------------------------------------
def fmt_number(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        text = f"{round(value, 4):.4f}"
    else:
        text = str(value)
        if "E" in text or "e" in text:
            text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text

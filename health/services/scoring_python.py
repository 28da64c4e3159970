"""Steps 3–4 of the scoring in Python, the portable path (SQLite for ``make run``): the values and
percentiles come from ``scoring_sql.iter_metric_rows``; dimensions, composite and the snapshot
rows are weighed here and bulk-upserted month by month. Same formulas as the PostgreSQL path
(``test_python_path_gives_the_same_snapshots_as_the_sql_path``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from core.bulk import bulk_upsert
from health.models import HealthDimension, HealthMetric, HealthSnapshot
from health.services.definitions import DIMENSIONS, SNAPSHOT_COLUMNS, Definition, fmt_number, month_index
from health.services.scoring_sql import iter_metric_rows
from health.services.writes import report_health_scores
from partners.models import Partner, TierChange
from partners.selectors.programme import shift_months

TWO_PLACES = Decimal("0.01")
SNAPSHOT_FIELDS = [
    "kind",
    "tier",
    "productivity",
    "robustness",
    "innovation",
    "composite",
    "metrics",
    "previous_composite",
    "computed_at",
]


def _dec2(value: float | Decimal | None) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def _weighted(pairs: Iterable[tuple[float, float]]) -> float | None:
    total = weight_sum = 0.0
    for score, weight in pairs:
        total += score * weight
        weight_sum += weight
    return total / weight_sum if weight_sum > 0 else None


@dataclass
class MonthResult:
    """Scores of one month: ``{partner_id: (dimension scores, composite, metrics json)}``."""

    month: date
    partners: dict[int, tuple[dict[str, float | None], float, dict]]


def _score_month(
    month: date,
    rows: list[tuple],
    defs_by_id: dict[int, Definition],
    dim_weights: dict[str, float],
    previous: MonthResult | None,
) -> MonthResult:
    by_partner: dict[int, list[tuple]] = defaultdict(list)
    medians: dict = {}
    for _mi, pid, hid, _kind, value, pct, median in rows:
        text = medians.get(median)
        if text is None:
            text = medians[median] = fmt_number(median)
        by_partner[pid].append((hid, value, pct, text))
    result: dict[int, tuple[dict[str, float | None], float, dict]] = {}
    for pid, items in by_partner.items():
        prev_metrics = previous.partners[pid][2] if previous and pid in previous.partners else {}
        metrics: dict[str, dict] = {}
        per_dim: dict[str, list[tuple[float, float]]] = defaultdict(list)
        for hid, value, pct, median in items:
            d = defs_by_id[hid]
            percentile = float(pct)
            score = percentile if d.direction == HealthMetric.Direction.HIGHER else 100.0 - percentile
            weight = float(d.weight)
            before = prev_metrics.get(d.slug)
            metrics[d.slug] = {
                "value": fmt_number(value),
                "score": round(score, 2),
                "percentile": round(percentile, 2),
                "median": median,
                "dimension": d.dimension,
                "weight": weight,
                "previous": before["value"] if before else None,
                "previous_score": before["score"] if before else None,
            }
            per_dim[d.dimension].append((score, weight))
        dims = {dim: _weighted(per_dim.get(dim, ())) for dim in DIMENSIONS}
        composite = _weighted(
            (score, dim_weights.get(dim, 0.0)) for dim, score in dims.items() if score is not None
        )
        if composite is None:
            continue
        result[pid] = (dims, composite, metrics)
    return MonthResult(month=month, partners=result)


def _tiers_at(months: list[date], partner_ids: set[int] | None) -> Callable[[int, date], int | None]:
    """Tier of a partner at the end of a month, from ``TierChange`` history (else current tier)."""
    current = dict(Partner.objects.values_list("pk", "tier_id"))
    history: dict[int, list[tuple[date, int | None]]] = defaultdict(list)
    changes = TierChange.objects.order_by("changed_at", "pk").values_list(
        "partner_id", "changed_at", "to_tier_id"
    )
    if partner_ids is not None:
        changes = changes.filter(partner_id__in=partner_ids)
    for pid, changed_at, to_tier in changes:
        history[pid].append((timezone.localdate(changed_at), to_tier))

    def tier_at(pid: int, month: date) -> int | None:
        entries = history.get(pid)
        if not entries:
            return current.get(pid)
        end = shift_months(month, 1)
        tier = None
        for day, to_tier in entries:
            if day < end:
                tier = to_tier
            else:
                break
        return tier

    return tier_at


def _kinds() -> dict[int, str]:
    return dict(Partner.objects.values_list("pk", "kind"))


def _group_by_month(rows):
    """``(month_index, [rows])`` for consecutive rows of the same month."""
    current, batch = None, []
    for row in rows:
        if row[0] != current:
            if batch:
                yield current, batch
            current, batch = row[0], []
        batch.append(row)
    if batch:
        yield current, batch


def compute(defs, months, dim_weights, only, now, progress, report_scores, summary) -> None:
    """Portable path (SQLite for ``make run``): scores streamed from SQL, weighed in Python."""
    defs_by_id = {d.id: d for d in defs}
    kinds = _kinds()
    tier_at = _tiers_at(months, only)
    first = months[0]

    # The month before ``first`` gives "previous" values; it is computed, not written.
    todo = [shift_months(first, -1), *months]
    rows_by_month = _group_by_month(iter_metric_rows(defs, todo))
    pending = next(rows_by_month, None)
    previous: MonthResult | None = None
    done = 0
    for month in todo:
        rows: list[tuple] = []
        if pending is not None and pending[0] == month_index(month):
            rows = pending[1]
            pending = next(rows_by_month, None)
        result = _score_month(month, rows, defs_by_id, dim_weights, previous)
        if month >= first:
            summary["snapshots"] += _write_month(result, previous, kinds, tier_at, only, now, report_scores)
            done += 1
            if progress:
                progress(done, len(months))
        previous = result


@transaction.atomic
def _write_month(result, previous, kinds, tier_at, only, now, report_scores) -> int:
    prev = previous.partners if previous else {}
    rows = []
    month = result.month
    for pid, (dims, composite, metrics) in result.partners.items():
        if only is not None and pid not in only:
            continue
        rows.append(
            (
                pid,
                month,
                kinds.get(pid, ""),
                tier_at(pid, month),
                _dec2(dims.get(HealthDimension.PRODUCTIVITY)),
                _dec2(dims.get(HealthDimension.ROBUSTNESS)),
                _dec2(dims.get(HealthDimension.INNOVATION)),
                _dec2(composite),
                metrics,
                _dec2(prev[pid][1]) if pid in prev else None,
                now,
            )
        )
    written = {row[0] for row in rows}
    # A partner that no longer has any metric this month loses its stale snapshot.
    stale = HealthSnapshot.objects.filter(month=result.month).exclude(partner_id__in=written)
    if only is not None:
        stale = stale.filter(partner_id__in=only)
    if len(written) < 5000:
        stale.delete()
    else:  # a long id list: compare in Python instead of a huge NOT IN
        doomed = [
            pk
            for pk, pid in HealthSnapshot.objects.filter(month=result.month).values_list("pk", "partner_id")
            if pid not in written and (only is None or pid in only)
        ]
        if doomed:
            HealthSnapshot.objects.filter(pk__in=doomed).delete()
    bulk_upsert(
        HealthSnapshot,
        SNAPSHOT_COLUMNS,
        rows,
        unique_fields=["partner", "month"],
        update_fields=SNAPSHOT_FIELDS,
    )
    if report_scores and rows:
        report_health_scores(month, only)
    return len(rows)

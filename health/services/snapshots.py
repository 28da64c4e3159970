"""The health model: monthly snapshots from facts, at-risk detection, recomputation runs.

How a month is scored (``docs/health.md`` has the long version):

1. **Metric value** — per partner and enabled ``HealthMetric``, the facts of the metric in the
   window of ``window_months`` months ending with the month are aggregated: ``sum``, ``avg``
   (mean of the months reported), ``latest`` (last month reported in the window) or ``growth``
   (100 × (window sum − previous window sum) / previous window sum; none when the previous
   window is empty or zero). With a ``denominator``: 100 × Σ numerator / Σ denominator over the
   window. No fact in the window → the metric is left out for that partner (or scored as a
   value of 0 when ``missing_counts_as_zero``). A metric whose ``kinds`` exclude the partner's
   kind is left out, never counted as zero.
2. **Percentile within the kind** — among the partners of the same kind that have the metric
   that month: ``100 × (rank − 1 + (ties − 1) / 2) / (n − 1)`` with rank by ascending value
   (ties share the mid-rank; one partner alone gets 50). **Score** = percentile when higher is
   better, 100 − percentile when lower is better. The kind's median value is kept beside it.
3. **Dimension score** — weighted mean of its metrics' scores (``HealthMetric.weight``).
4. **Composite** — weighted mean of the dimensions that have a score (``HealthSettings``
   weights). A partner with no metric at all that month gets no snapshot.

Steps 1–2 run in one SQL statement per 24 months (running sums and window functions over a
partner × month grid of pivoted facts; PostgreSQL and SQLite). On PostgreSQL the statement also
does steps 3–4 and upserts the snapshots itself (``scoring_sql``); elsewhere the rows stream
into Python (``scoring_python``), with bulk upserts. Recomputing replaces the months computed;
other months stay. Then ``at_risk`` flags what dropped or sits below the floor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from django.db import connection
from django.utils import timezone

from health.models import AtRiskFlag, HealthSettings
from health.services import at_risk, scoring_python, scoring_sql
from health.services.definitions import definitions, months_between
from partners.selectors.programme import default_as_of, month_start


def compute_snapshots(
    *,
    first: date,
    last: date | None = None,
    partner_ids: Iterable[int] | None = None,
    progress: Callable[[int, int], None] | None = None,
    report_scores: bool = True,
    detect: bool = True,
    notify: bool = True,
) -> dict:
    """(Re)compute the snapshots of every month from ``first`` to ``last`` (default: ``first``)
    for every active partner, or only ``partner_ids`` (percentiles still compare with every
    partner of the kind). Returns a summary. Idempotent: the same facts give the same rows."""
    first = month_start(first)
    last = month_start(last or first)
    months = months_between(first, last)
    only = set(partner_ids) if partner_ids is not None else None
    defs = definitions()
    health = HealthSettings.load()
    dim_weights = {dim: float(w) for dim, w in health.dimension_weights().items()}
    summary = {"months": len(months), "snapshots": 0, "flags": 0, "notified": 0}
    now = timezone.now()
    if defs and connection.vendor == "postgresql":
        scoring_sql.compute(defs, months, dim_weights, only, now, progress, report_scores, summary)
    else:
        scoring_python.compute(defs, months, dim_weights, only, now, progress, report_scores, summary)
    if detect:
        at_risk.detect_at_risk(months=months, partner_ids=only, notify=notify)
        flagged = AtRiskFlag.objects.filter(month__in=months)
        if only is not None:
            flagged = flagged.filter(partner_id__in=only)
        summary["flags"] = flagged.count()
    return summary


def compute_month(month: date | None = None, **kwargs) -> dict:
    """The scheduled computation: the last complete month (and the flags and emails it raises)."""
    month = month or default_as_of()
    return compute_snapshots(first=month, last=month, **kwargs)

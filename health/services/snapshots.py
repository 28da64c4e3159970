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
does steps 3–4 and upserts the snapshots itself (``_write_months_in_sql``); elsewhere the rows
stream into Python (``_compute_in_python``), with bulk upserts. Recomputing replaces the months
computed; other months stay.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import connection, connections, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from wagtail.log_actions import log

from health.models import AtRiskFlag, HealthDimension, HealthMetric, HealthRun, HealthSettings, HealthSnapshot
from partners.models import Metric, Partner, PartnerKind, TierChange
from partners.selectors.programme import default_as_of, month_start, shift_months

logger = logging.getLogger(__name__)

FACT_SOURCE = "partners"
HEALTH_SCORE_SLUG = "health_score"
PROGRAMME_MANAGERS_GROUP = "Programme managers"
UPSERT_BATCH = 2000
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
SNAPSHOT_DB_COLUMNS = [
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
LOG_SETTINGS_CHANGED = "partners.health_settings_changed"
LOG_METRIC_CHANGED = "partners.health_metric_changed"
LOG_FLAG_ACKNOWLEDGED = "partners.at_risk_acknowledged"


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


# --- step 1–2: values, percentiles and medians in SQL -----------------------------------------
def _values(rows: list[tuple], types: str) -> tuple[str, list]:
    """``VALUES (…), …`` and its flat parameters; ``types`` has one letter per column
    (``i`` integer, ``t`` text, ``d`` date), cast so PostgreSQL need not guess."""
    pg = connection.vendor == "postgresql"
    casts = {"i": "CAST(%s AS integer)", "t": "CAST(%s AS text)" if pg else "%s"}
    casts["d"] = "CAST(%s AS date)" if pg else "%s"
    placeholder = "(" + ", ".join(casts[t] for t in types) + ")"
    return ", ".join([placeholder] * len(rows)), [v for row in rows for v in row]


FETCH_SIZE = 5000


def _value_sql(d: Definition, col: dict[int, str]) -> str:
    """The SQL expression of one health metric's value at a grid row (``windowed`` columns)."""
    m, w = col[d.metric_id], d.window
    s1 = f"(c_{m} - COALESCE(LAG(c_{m}, {w}) OVER w, 0))"
    n1 = f"(n_{m} - COALESCE(LAG(n_{m}, {w}) OVER w, 0))"
    if d.denominator_id:
        den = col[d.denominator_id]
        d1 = f"(c_{den} - COALESCE(LAG(c_{den}, {w}) OVER w, 0))"
        return f"CASE WHEN {d1} > 0 THEN {s1} * 100.0 / {d1} END"
    if d.aggregation == HealthMetric.Aggregation.AVG:
        return f"CASE WHEN {n1} > 0 THEN {s1} * 1.0 / {n1} END"
    if d.aggregation == HealthMetric.Aggregation.LATEST:
        return f"CASE WHEN n_{m} > 0 AND lm_{m} > mi - {w} THEN cv_{m} END"
    if d.aggregation == HealthMetric.Aggregation.GROWTH:
        s0 = f"(COALESCE(LAG(c_{m}, {w}) OVER w, 0) - COALESCE(LAG(c_{m}, {2 * w}) OVER w, 0))"
        n0 = f"(COALESCE(LAG(n_{m}, {w}) OVER w, 0) - COALESCE(LAG(n_{m}, {2 * w}) OVER w, 0))"
        return f"CASE WHEN {n1} > 0 AND {n0} > 0 AND {s0} > 0 THEN ({s1} - {s0}) * 100.0 / {s0} END"
    return f"CASE WHEN {n1} > 0 THEN {s1} END"


def _score_query(defs: list[Definition], months: list[date], tail: str | None = None) -> tuple[str, list]:
    """One statement giving, per partner and month of ``months`` (consecutive) with at least one
    value, ``(month_index, partner_id, kind, v_1, p_1, md_1, v_2, …)``: each health metric's
    value, percentile within the kind and the kind's median, ordered by month then partner.

    Facts are pivoted to one row per partner × month (a column per metric) over a grid that
    starts early enough for the longest window (twice it for growth); window values are
    differences of running sums (``LAG`` by the window), "latest" carries the last reported
    value forward. Percentiles and medians use ``RANK`` / ``CUME_DIST`` / ``ROW_NUMBER`` per
    metric, partitioned by month and kind. The cost grows with partners × months × metrics."""
    first, last = min(months), max(months)
    lookback = max(d.span for d in defs)
    grid = months_between(shift_months(first, -(lookback - 1)), last)
    metric_ids = sorted({d.metric_id for d in defs} | {d.denominator_id for d in defs if d.denominator_id})
    col = {mid: str(mid) for mid in metric_ids}
    latest = sorted({col[d.metric_id] for d in defs if d.aggregation == HealthMetric.Aggregation.LATEST})
    month_values, params = _values([(month_index(m), m, shift_months(m, 1)) for m in grid], "idd")

    pivot = ",\n".join(
        f"SUM(CASE WHEN metric_id = {mid} THEN CAST(value AS DOUBLE PRECISION) END) AS f_{col[mid]}"
        for mid in metric_ids
    )
    grid_cols = ", ".join(f"pf.f_{col[mid]}" for mid in metric_ids)
    running = ",\n".join(
        f"SUM(COALESCE(f_{c}, 0)) OVER w AS c_{c}, COUNT(f_{c}) OVER w AS n_{c}" for c in col.values()
    )
    carried = "".join(
        f",\nFIRST_VALUE(f_{c}) OVER (PARTITION BY partner_id, n_{c} ORDER BY mi) AS cv_{c}"
        f",\nFIRST_VALUE(mi) OVER (PARTITION BY partner_id, n_{c} ORDER BY mi) AS lm_{c}"
        for c in latest
    )
    values = []
    for i, d in enumerate(defs):
        kinds = ", ".join(f"'{k}'" for k in d.kinds)  # PartnerKind values only: safe to inline
        expr = f"ROUND(CAST({_value_sql(d, col)} AS NUMERIC), 4)"
        if d.zero:
            expr = f"COALESCE({expr}, CASE WHEN joined_on IS NULL OR joined_on < next_day THEN 0 END)"
        values.append(f"CASE WHEN kind IN ({kinds}) THEN {expr} END AS v_{i}")
    rank_cols = []
    for i in range(len(defs)):
        win = f"(PARTITION BY mi, kind, v_{i} IS NULL ORDER BY v_{i})"
        rank_cols.append(
            f"RANK() OVER {win} AS rk_{i}, CUME_DIST() OVER {win} AS cd_{i}, "
            f"ROW_NUMBER() OVER {win} AS rn_{i}, COUNT(v_{i}) OVER (PARTITION BY mi, kind) AS n_{i}"
        )
    medians = ",\n".join(
        f"AVG(CASE WHEN v_{i} IS NOT NULL AND (rn_{i} = (n_{i} + 1) / 2 OR rn_{i} = (n_{i} + 2) / 2) "
        f"THEN v_{i} END) AS md_{i}"
        for i in range(len(defs))
    )
    outputs = ",\n".join(
        f"r.v_{i} AS v_{i}, CASE WHEN r.v_{i} IS NULL THEN NULL WHEN r.n_{i} > 1 THEN "
        f"(r.rk_{i} - 1 + (ROUND(r.cd_{i} * r.n_{i}) - r.rk_{i}) / 2.0) * 100.0 / (r.n_{i} - 1) "
        f"ELSE 50 END AS p_{i}, ROUND(CAST(md.md_{i} AS NUMERIC), 4) AS md_{i}"
        for i in range(len(defs))
    )
    columns = ", ".join(f"v_{i}, p_{i}, md_{i}" for i in range(len(defs)))
    tail = tail or f"SELECT mi, partner_id, kind, {columns} FROM scored ORDER BY mi, partner_id"
    any_value = " OR ".join(f"v_{i} IS NOT NULL" for i in range(len(defs)))
    sql = f"""
WITH months(mi, day, next_day) AS (VALUES {month_values}),
pf AS (
    SELECT partner_id, month, {pivot}
    FROM partners_partnerfact
    WHERE metric_id IN ({", ".join(map(str, metric_ids))}) AND month >= %s AND month <= %s
    GROUP BY partner_id, month
),
grid AS (
    SELECT p.id AS partner_id, p.kind, p.joined_on, m.mi, m.next_day, {grid_cols}
    FROM partners_partner p
    CROSS JOIN months m
    LEFT JOIN pf ON pf.partner_id = p.id AND pf.month = m.day
    WHERE p.status = 'active'
),
running AS (
    SELECT grid.*, {running}
    FROM grid
    WINDOW w AS (PARTITION BY partner_id ORDER BY mi ROWS UNBOUNDED PRECEDING)
),
carried AS (SELECT running.*{carried} FROM running),
vals AS (
    SELECT partner_id, kind, mi, {", ".join(values)}
    FROM carried
    WINDOW w AS (PARTITION BY partner_id ORDER BY mi)
),
ranked AS (
    SELECT vals.*, {", ".join(rank_cols)}
    FROM vals WHERE mi >= %s AND ({any_value})
),
md AS (SELECT mi, kind, {medians} FROM ranked GROUP BY mi, kind),
scored AS (
    SELECT r.mi, r.partner_id, r.kind, {outputs}
    FROM ranked r JOIN md ON md.mi = r.mi AND md.kind = r.kind
)
{tail}
"""
    return sql, [*params, grid[0], last, month_index(first)]


def iter_metric_rows(defs: list[Definition], months: list[date]):
    """Stream ``(month_index, partner_id, hm_id, kind, value, percentile, kind_median)`` rows of
    :func:`_score_query` (a server-side cursor on PostgreSQL, with room to sort in memory)."""
    if not defs or not months:
        return
    sql, params = _score_query(defs, months)
    ids = [d.id for d in defs]
    pg = connection.vendor == "postgresql"
    if pg:
        with connection.cursor() as cursor:
            cursor.execute("SET work_mem = '128MB'")
            cursor.execute("SET jit = off")
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(FETCH_SIZE):
            for row in rows:
                mi, pid, kind = row[0], row[1], row[2]
                for i, hid in enumerate(ids):
                    value = row[3 + 3 * i]
                    if value is not None:
                        yield mi, pid, hid, kind, value, row[4 + 3 * i], row[5 + 3 * i]
    if pg:
        with connection.cursor() as cursor:
            cursor.execute("RESET work_mem")
            cursor.execute("RESET jit")


def metric_rows(defs: list[Definition], months: list[date]) -> list[tuple]:
    return list(iter_metric_rows(defs, months))


# --- step 3–4: dimensions, composite, snapshots -----------------------------------------------
DIMENSIONS = tuple(HealthDimension.values)


def _fmt(value) -> str | None:
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
            text = medians[median] = _fmt(median)
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
                "value": _fmt(value),
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


SQL_CHUNK_MONTHS = 24


def _write_months_in_sql(
    defs: list[Definition], months: list[date], *, first: date, dim_weights, only, now
) -> int:
    """PostgreSQL: score ``months`` (the month before ``first`` included) and upsert the
    snapshots of ``first`` onwards in the scoring statement itself — dimensions, composite,
    previous values and the ``metrics`` drill-down built with ``jsonb_build_object``, so no row
    goes through Python. Same formulas as :func:`_score_month` (the tests compare values)."""
    n = len(defs)
    higher = HealthMetric.Direction.HIGHER
    scores = ", ".join(
        f"CASE WHEN v_{i} IS NULL THEN NULL ELSE {'' if d.direction == higher else '100 - '}p_{i} END"
        f" AS sc_{i}"
        for i, d in enumerate(defs)
    )
    dims = []
    for dim in DIMENSIONS:
        members = [(i, d) for i, d in enumerate(defs) if d.dimension == dim]
        if not members:
            dims.append(f"CAST(NULL AS DOUBLE PRECISION) AS d_{dim}")
            continue
        total = " + ".join(f"COALESCE(sc_{i} * {float(d.weight)}, 0)" for i, d in members)
        weights = " + ".join(
            f"CASE WHEN sc_{i} IS NOT NULL THEN {float(d.weight)} ELSE 0 END" for i, d in members
        )
        dims.append(f"({total}) / NULLIF({weights}, 0) AS d_{dim}")
    comp_total = " + ".join(f"COALESCE(d_{dim} * {dim_weights.get(dim, 0.0)}, 0)" for dim in DIMENSIONS)
    comp_weights = " + ".join(
        f"CASE WHEN d_{dim} IS NOT NULL THEN {dim_weights.get(dim, 0.0)} ELSE 0 END" for dim in DIMENSIONS
    )
    lagged = ", ".join(
        f"CASE WHEN LAG(mi) OVER w = mi - 1 THEN LAG(v_{i}) OVER w END AS pv_{i}, "
        f"CASE WHEN LAG(mi) OVER w = mi - 1 THEN LAG(sc_{i}) OVER w END AS psc_{i}"
        for i in range(n)
    )

    def num(expr: str, places: int) -> str:
        return f"ROUND(CAST({expr} AS NUMERIC), {places})"

    # One object with every metric's key (null when absent), minus the absent keys: cheaper than
    # concatenating one object per metric.
    inner = ", ".join(
        f"'{d.slug}', CASE WHEN v_{i} IS NULL THEN NULL ELSE jsonb_build_object("
        f"'value', trim_scale(v_{i})::text, 'score', {num(f'sc_{i}', 2)}, 'percentile', {num(f'p_{i}', 2)}, "
        f"'median', trim_scale(md_{i})::text, 'dimension', '{d.dimension}', 'weight', {float(d.weight)}, "
        f"'previous', trim_scale(pv_{i})::text, 'previous_score', {num(f'psc_{i}', 2)}) END"
        for i, d in enumerate(defs)
    )
    absent = ", ".join(f"CASE WHEN v_{i} IS NULL THEN '{d.slug}' END" for i, d in enumerate(defs))
    entries = f"jsonb_build_object({inner}) - CAST(ARRAY[{absent}] AS text[])"
    scope, scope_params = "", []
    if only is not None:
        scope = " AND partner_id IN (" + ", ".join(["%s"] * len(only)) + ")"
        scope_params = sorted(only)
    update = ", ".join(f"{c} = EXCLUDED.{c}" for c in SNAPSHOT_DB_COLUMNS if c not in ("partner_id", "month"))
    tail = f""",
scores AS MATERIALIZED (SELECT scored.*, {scores} FROM scored),
dims AS MATERIALIZED (SELECT scores.*, {", ".join(dims)} FROM scores),
comp AS (SELECT dims.*, ({comp_total}) / NULLIF({comp_weights}, 0) AS composite FROM dims),
prev AS (
    SELECT comp.*, {lagged},
        CASE WHEN LAG(mi) OVER w = mi - 1 THEN LAG(composite) OVER w END AS prev_composite
    FROM comp
    WINDOW w AS (PARTITION BY partner_id ORDER BY mi)
)
INSERT INTO partners_healthsnapshot ({", ".join(SNAPSHOT_DB_COLUMNS)})
SELECT partner_id, make_date(mi / 12, mi %% 12 + 1, 1), kind,
    COALESCE(
        (SELECT tc.to_tier_id FROM partners_tierchange tc
         WHERE tc.partner_id = prev.partner_id
           AND (tc.changed_at AT TIME ZONE %s)::date < make_date((mi + 1) / 12, (mi + 1) %% 12 + 1, 1)
         ORDER BY tc.changed_at DESC, tc.id DESC LIMIT 1),
        (SELECT p.tier_id FROM partners_partner p WHERE p.id = prev.partner_id
           AND NOT EXISTS (SELECT 1 FROM partners_tierchange t2 WHERE t2.partner_id = p.id))
    ),
    {num("d_productivity", 2)}, {num("d_robustness", 2)}, {num("d_innovation", 2)}, {num("composite", 2)},
    {entries},
    {num("prev_composite", 2)}, %s
FROM prev
WHERE mi >= %s AND composite IS NOT NULL{scope}
ON CONFLICT (partner_id, month) DO UPDATE SET {update}
"""
    sql, params = _score_query(defs, months, tail=tail)
    params = [*params, settings.TIME_ZONE, now, month_index(first), *scope_params]
    with transaction.atomic(), connection.cursor() as cursor:
        # Room to sort in memory; no JIT: compiling this wide statement costs ~10 s, more than
        # it saves.
        cursor.execute("SET LOCAL work_mem = '128MB'")
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        return cursor.rowcount


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


def _sql_workers(months: list[date]) -> int:
    """Connections to score with: the month chunks are independent (each brings the month before
    it for the changes), so outside a transaction they run side by side, one per core
    (``HEALTH_SQL_WORKERS``). Inside a transaction (tests, a caller's atomic block) other
    connections could not see its facts: one connection then."""
    wanted = max(1, int(getattr(settings, "HEALTH_SQL_WORKERS", 2)))
    if connection.in_atomic_block or len(months) < 2:
        return 1
    return min(wanted, len(months))


def _compute_in_sql(defs, months, dim_weights, only, now, progress, report_scores, summary) -> None:
    workers = _sql_workers(months)
    size = min(SQL_CHUNK_MONTHS, -(-len(months) // workers))
    chunks = [months[start : start + size] for start in range(0, len(months), size)]

    def write(chunk: list[date]) -> int:
        first = chunk[0]
        return _write_months_in_sql(
            defs, [shift_months(first, -1), *chunk], first=first, dim_weights=dim_weights, only=only, now=now
        )

    def write_in_thread(chunk: list[date]) -> int:
        try:
            return write(chunk)
        finally:
            connections.close_all()  # this thread's own connection

    done = 0
    if workers > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = pool.map(write_in_thread, chunks)
            for chunk, written in zip(chunks, results, strict=True):
                summary["snapshots"] += written
                done += len(chunk)
                if progress:
                    progress(done, len(months))
    else:
        for chunk in chunks:
            summary["snapshots"] += write(chunk)
            done += len(chunk)
            if progress:
                progress(done, len(months))
    # Months (or partners) with no metric left keep no stale snapshot from an earlier run.
    stale = HealthSnapshot.objects.filter(month__gte=months[0], month__lte=months[-1]).exclude(
        computed_at=now
    )
    if only is not None:
        stale = stale.filter(partner_id__in=only)
    stale.delete()
    if report_scores:
        _report_health_scores(months[0], only, last=months[-1], computed_at=now)


def _compute_in_python(defs, months, dim_weights, only, now, progress, report_scores, summary) -> None:
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
        _compute_in_sql(defs, months, dim_weights, only, now, progress, report_scores, summary)
    else:
        _compute_in_python(defs, months, dim_weights, only, now, progress, report_scores, summary)
    if detect:
        detect_at_risk(months=months, partner_ids=only, notify=notify)
        flagged = AtRiskFlag.objects.filter(month__in=months)
        if only is not None:
            flagged = flagged.filter(partner_id__in=only)
        summary["flags"] = flagged.count()
    return summary


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
        _report_health_scores(month, only)
    return len(rows)


def bulk_upsert(
    model,
    attnames: list[str],
    rows: list[tuple],
    *,
    unique_fields: list[str],
    update_fields: list[str] | None,
) -> None:
    """``INSERT … ON CONFLICT (unique_fields) DO UPDATE`` (or ``DO NOTHING`` without
    ``update_fields``) of ``rows`` (tuples of database-ready values for ``attnames``; JSON as
    Python objects). On PostgreSQL rows go through ``COPY`` into a temporary table — much faster
    than one long ``VALUES``/``UNNEST`` statement for JSON rows; elsewhere ``bulk_create``."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        objs = [model(**dict(zip(attnames, row, strict=True))) for row in rows]
        for start in range(0, len(objs), UPSERT_BATCH):
            model.objects.bulk_create(
                objs[start : start + UPSERT_BATCH],
                update_conflicts=bool(update_fields),
                ignore_conflicts=not update_fields,
                unique_fields=unique_fields if update_fields else None,
                update_fields=update_fields,
            )
        return
    meta = model._meta
    qn = connection.ops.quote_name
    by_attname = {f.attname: f for f in meta.concrete_fields}
    json_at = [i for i, name in enumerate(attnames) if by_attname[name].get_internal_type() == "JSONField"]
    columns = ", ".join(qn(by_attname[name].column) for name in attnames)
    conflict = ", ".join(qn(meta.get_field(name).column) for name in unique_fields)
    if update_fields:
        updated = [qn(meta.get_field(n).column) for n in update_fields]
        action = "DO UPDATE SET " + ", ".join(f"{c} = EXCLUDED.{c}" for c in updated)
    else:
        action = "DO NOTHING"
    table = qn(meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE health_upsert ON COMMIT DROP AS SELECT {columns} FROM {table} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY health_upsert ({columns}) FROM STDIN") as copy:
            for row in rows:
                if json_at:
                    row = list(row)
                    for i in json_at:
                        row[i] = json.dumps(row[i], ensure_ascii=False)
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM health_upsert "
            f"ON CONFLICT ({conflict}) {action}"
        )
        cursor.execute("DROP TABLE health_upsert")


def _report_health_scores(
    month: date, only: set[int] | None, *, last: date | None = None, computed_at=None
) -> None:
    """The ``health_score`` fact of every snapshot of ``month`` (to ``last``; only those computed
    at ``computed_at`` when given), in one set-based upsert from the snapshots (the values
    ``report_facts`` would write, without a round trip through Python)."""
    metric_id = Metric.objects.filter(slug=HEALTH_SCORE_SLUG).values_list("pk", flat=True).first()
    if metric_id is None:
        return
    scope, params = "", [metric_id, FACT_SOURCE, timezone.now(), month, last or month]
    if computed_at is not None:
        scope += " AND computed_at = %s"
        params.append(computed_at)
    if only is not None:
        scope += " AND partner_id IN (" + ", ".join(["%s"] * len(only)) + ")"
        params += sorted(only)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO partners_partnerfact (partner_id, metric_id, month, value, source, updated_at) "
            "SELECT partner_id, %s, month, composite, %s, %s FROM partners_healthsnapshot "
            f"WHERE month >= %s AND month <= %s{scope} "
            "ON CONFLICT (partner_id, metric_id, month) DO UPDATE SET value = excluded.value, "
            "source = excluded.source, updated_at = excluded.updated_at",
            params,
        )


def compute_month(month: date | None = None, **kwargs) -> dict:
    """The scheduled computation: the last complete month (and the flags and emails it raises)."""
    month = month or default_as_of()
    return compute_snapshots(first=month, last=month, **kwargs)


# --- at-risk detection -------------------------------------------------------------------------
def _cause_detail(snapshot: HealthSnapshot, previous: HealthSnapshot | None, metrics: dict) -> dict:
    dims = {}
    for dim in HealthDimension.values:
        now_score = getattr(snapshot, dim)
        before = getattr(previous, dim) if previous else None
        dims[dim] = {
            "score": _fmt(now_score),
            "previous": _fmt(before),
            "change": _fmt(now_score - before) if now_score is not None and before is not None else None,
        }
    changes = [
        (slug, m["score"] - m["previous_score"])
        for slug, m in metrics.items()
        if m.get("previous_score") is not None
    ]
    dropped = [slug for slug, delta in sorted(changes, key=lambda c: c[1]) if delta < 0][:3]
    weakest = sorted(metrics.items(), key=lambda item: item[1]["score"])[:3]
    scored = [(d, float(s)) for d, s in snapshot.dimension_scores().items() if s is not None]
    deltas = [(d, float(v["change"])) for d, v in dims.items() if v["change"] is not None]
    return {
        "dimensions": dims,
        "dimension": (min(deltas, key=lambda x: x[1])[0] if deltas else None)
        or (min(scored, key=lambda x: x[1])[0] if scored else None),
        "weakest_dimension": min(scored, key=lambda x: x[1])[0] if scored else None,
        "metrics": dropped or [slug for slug, _m in weakest],
    }


def detect_at_risk(
    *, months: list[date], partner_ids: set[int] | None = None, notify: bool = True
) -> list[AtRiskFlag]:
    """Flag snapshots of ``months`` that dropped more than ``at_risk_drop_points`` since the month
    before, or sit below ``at_risk_floor``. Idempotent (one flag per partner, month and cause).
    Flags of the latest month are emailed to the programme managers, once."""
    if not months:
        return []
    health = HealthSettings.load()
    from django.db.models import F, Q

    snapshots = HealthSnapshot.objects.filter(month__in=months).filter(
        Q(composite__lt=health.at_risk_floor)
        | Q(
            previous_composite__isnull=False,
            previous_composite__gt=F("composite") + health.at_risk_drop_points,
        )
    )
    if partner_ids is not None:
        snapshots = snapshots.filter(partner_id__in=partner_ids)
    existing = set(
        AtRiskFlag.objects.filter(month__in=months).values_list("partner_id", "month", "cause").order_by()
    )
    snapshots = list(snapshots.defer("metrics"))
    if not snapshots:
        return []
    previous = {
        (s.partner_id, s.month): s
        for s in HealthSnapshot.objects.filter(
            partner_id__in={s.partner_id for s in snapshots},
            month__in={shift_months(s.month, -1) for s in snapshots},
        ).defer("metrics")
    }
    new = [
        s.pk
        for s in snapshots
        if any((s.partner_id, s.month, c) not in existing for c in AtRiskFlag.Cause.values)
    ]
    metrics_of = {}
    for start in range(0, len(new), 5000):
        metrics_of.update(
            HealthSnapshot.objects.filter(pk__in=new[start : start + 5000]).values_list("pk", "metrics")
        )
    flags = []
    for s in snapshots:
        before = previous.get((s.partner_id, shift_months(s.month, -1)))
        detail = None
        causes = []
        if s.composite < health.at_risk_floor:
            causes.append(AtRiskFlag.Cause.FLOOR)
        if (
            s.previous_composite is not None
            and s.previous_composite - s.composite > health.at_risk_drop_points
        ):
            causes.append(AtRiskFlag.Cause.DROP)
        for cause in causes:
            if (s.partner_id, s.month, cause) in existing:
                continue
            detail = detail or _cause_detail(s, before, metrics_of.get(s.pk) or {})
            flags.append(
                AtRiskFlag(
                    partner_id=s.partner_id,
                    month=s.month,
                    composite=s.composite,
                    previous_composite=s.previous_composite,
                    cause=cause,
                    cause_detail={
                        **detail,
                        "threshold": _fmt(
                            health.at_risk_floor
                            if cause == AtRiskFlag.Cause.FLOOR
                            else health.at_risk_drop_points
                        ),
                    },
                )
            )
    now = timezone.now()
    bulk_upsert(
        AtRiskFlag,
        ["partner_id", "month", "composite", "previous_composite", "cause", "cause_detail", "created_at"],
        [
            (f.partner_id, f.month, f.composite, f.previous_composite, f.cause, f.cause_detail, now)
            for f in flags
        ],
        unique_fields=["partner", "month", "cause"],
        update_fields=None,
    )
    if notify:
        latest = max(months)
        pending = list(
            AtRiskFlag.objects.filter(month=latest, notified_at__isnull=True).values_list("pk", flat=True)
        )
        if pending:
            transaction.on_commit(partial(_enqueue_notification, pending))
    return flags


def _enqueue_notification(flag_ids: list[int]) -> None:
    from health.tasks.snapshots import notify_at_risk

    notify_at_risk.delay(flag_ids)


def programme_managers():
    """Active members of the "Programme managers" group, with their Wagtail profile (language)."""
    return (
        get_user_model()
        .objects.filter(groups__name=PROGRAMME_MANAGERS_GROUP, is_active=True)
        .exclude(email="")
        .select_related("wagtail_userprofile")
        .distinct()
        .order_by("pk")
    )


def _language_of(user) -> str:
    profile = getattr(user, "wagtail_userprofile", None)
    language = (profile.preferred_language if profile else "") or settings.LANGUAGE_CODE
    return "en" if language.startswith("en") else "zh-hans"


def send_at_risk_email(*, flag_ids: list[int]) -> int:
    """One email per programme manager, in their language, listing the new flags; each flag is
    emailed once (``notified_at``, set in the same transaction as the sending: a failed send
    leaves the flags to the task's retry)."""
    from django.urls import reverse

    base = getattr(settings, "SITE_URL", "").rstrip("/")
    with translation.override("zh-hans"):
        report_path = reverse("health_model:at_risk")
    sent = 0
    with transaction.atomic():
        flags = list(
            AtRiskFlag.objects.select_for_update(of=("self",))
            .filter(pk__in=flag_ids, notified_at__isnull=True)
            .select_related("partner__organisation")
            .order_by("composite", "pk")
        )
        if not flags:
            return 0
        for user in programme_managers():
            with translation.override(_language_of(user)):
                rows: dict[int, dict] = {}
                for flag in flags:
                    row = rows.setdefault(flag.partner_id, {"flag": flag, "drop": False, "floor": False})
                    row[flag.cause] = True
                    dim = (flag.cause_detail or {}).get("dimension")
                    if dim in HealthDimension.values:
                        row["dimension"] = str(HealthDimension(dim).label)
                context = {"rows": list(rows.values()), "user": user, "report_url": f"{base}{report_path}"}
                subject = render_to_string("health/emails/at_risk_subject.txt", context).strip()
                body = render_to_string("health/emails/at_risk.txt", context)
            sent += send_mail(subject, body, None, [user.email])
        AtRiskFlag.objects.filter(pk__in=[f.pk for f in flags]).update(notified_at=timezone.now())
    return sent


@transaction.atomic
def acknowledge_flag(*, flag: AtRiskFlag, user, note: str = "") -> AtRiskFlag:
    if flag.acknowledged_at is None:
        flag.acknowledged_by, flag.acknowledged_at = user, timezone.now()
        flag.save(update_fields=["acknowledged_by", "acknowledged_at"])
        log(
            instance=flag.partner,
            action=LOG_FLAG_ACKNOWLEDGED,
            user=user,
            data={"month": flag.month.isoformat(), "cause": flag.cause, "reason": note},
        )
    return flag


# --- runs (scheduled and "recompute now") ------------------------------------------------------
def start_run(*, user=None, first: date | None = None, last: date | None = None) -> HealthRun:
    """Create a run and enqueue it after commit; the admin shows its progress."""
    from health.tasks.snapshots import run_health_computation

    last = month_start(last or default_as_of())
    first = month_start(first or last)
    run = HealthRun.objects.create(
        started_by=user, first_month=first, last_month=last, total=len(months_between(first, last))
    )
    transaction.on_commit(lambda: run_health_computation.delay(run.pk))
    return run


def execute_run(*, run_id: int) -> HealthRun:
    run = HealthRun.objects.get(pk=run_id)
    if run.is_finished:
        return run
    HealthRun.objects.filter(pk=run.pk).update(status=HealthRun.Status.RUNNING)

    def progress(done: int, total: int) -> None:
        HealthRun.objects.filter(pk=run.pk).update(processed=done, total=total)

    try:
        summary = compute_snapshots(first=run.first_month, last=run.last_month, progress=progress)
    except Exception as exc:
        HealthRun.objects.filter(pk=run.pk).update(
            status=HealthRun.Status.FAILED, finished_at=timezone.now(), message=str(exc)[:255]
        )
        raise
    HealthRun.objects.filter(pk=run.pk).update(
        status=HealthRun.Status.DONE, finished_at=timezone.now(), summary=summary, processed=run.total
    )
    run.refresh_from_db()
    return run


# --- audit of staff changes to the model -------------------------------------------------------
def settings_values(instance: HealthSettings) -> dict:
    return {
        field: _fmt(getattr(instance, field))
        for field in (
            "productivity_weight",
            "robustness_weight",
            "innovation_weight",
            "at_risk_drop_points",
            "at_risk_floor",
            "healthy_threshold",
        )
    }


def metric_values(instance: HealthMetric) -> dict:
    return {
        "dimension": instance.dimension,
        "weight": _fmt(instance.weight),
        "direction": instance.direction,
        "aggregation": instance.aggregation,
        "window_months": instance.window_months,
        "kinds": list(instance.kinds or []),
        "enabled": instance.enabled,
        "missing_counts_as_zero": instance.missing_counts_as_zero,
    }


def log_change(*, instance, action: str, user, before: dict, after: dict, reason: str = "") -> bool:
    """Write an audit entry listing the fields that changed (nothing when none did)."""
    changed = {k: {"from": before.get(k), "to": v} for k, v in after.items() if before.get(k) != v}
    if not changed:
        return False
    log(instance=instance, action=action, user=user, data={"changes": changed, "reason": reason})
    return True

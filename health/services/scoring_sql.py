"""Steps 1–2 of the scoring in one SQL statement (values, percentiles within the kind, medians),
and on PostgreSQL steps 3–4 too: dimensions, composite and the upsert of the snapshots in the
same statement (``compute``). The portable path (``scoring_python``) streams this module's
``iter_metric_rows`` and weighs them in Python. Formulas: ``health.services.snapshots``.

One module because its functions write pieces of the same statement: the value, percentile and
JSON fragments are only correct together, and the month-chunk writer and its workers run exactly
that statement."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date

from django.conf import settings
from django.db import DataError, connection, connections, transaction

from health.models import HealthMetric, HealthSnapshot
from health.services.definitions import (
    DIMENSIONS,
    SNAPSHOT_COLUMNS,
    Definition,
    month_index,
    months_between,
)
from health.services.writes import FACT_SOURCE, health_score_metric_id
from partners.selectors.programme import shift_months


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


def _hundredths(percent: str, numerator: str, denominator: str) -> str:
    """``ROUND(percent, 2) × 100`` as an integer, where ``percent`` (a float expression) is
    ``numerator / denominator`` (integers, both ≥ 0): exact integer arithmetic (half up), and the
    float expression itself only when the quotient is exactly half a hundredth — there its
    rounding error could tip ``ROUND`` either way. Anywhere else a float within ~1e-13 of the
    quotient rounds the same (the quotient is at least 1/(200 × denominator) from a tie), so
    this equals ``ROUND(CAST(percent AS NUMERIC), 2) * 100`` without the float → numeric
    conversion (a ``snprintf`` and a parse each: most of the cost of the drill-down's numbers)."""
    return (
        f"CASE WHEN mod(200 * {numerator}, 2 * {denominator}) = {denominator} "
        f"THEN CAST(ROUND(CAST({percent} AS NUMERIC), 2) * 100 AS bigint) "
        f"ELSE (200 * {numerator} + {denominator}) / (2 * {denominator}) END"
    )


def _score_query(
    defs: list[Definition],
    months: list[date],
    tail: str | None = None,
    hundredths: bool = False,
    arrays: bool = False,
) -> tuple[str, list]:
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

    def percentile(i: int) -> str:
        return (
            f"CASE WHEN r.v_{i} IS NULL THEN NULL WHEN r.n_{i} > 1 THEN "
            f"(r.rk_{i} - 1 + (ROUND(r.cd_{i} * r.n_{i}) - r.rk_{i}) / 2.0) * 100.0 / (r.n_{i} - 1) "
            "ELSE 50 END"
        )

    outputs = ",\n".join(
        f"r.v_{i} AS v_{i}, {percentile(i)} AS p_{i}, ROUND(CAST(md.md_{i} AS NUMERIC), 4) AS md_{i}"
        for i in range(len(defs))
    )
    if hundredths:
        # The percentile and 100 − percentile in hundredths (what the drill-down shows):
        # percentile = 50 × (rank + ties − 2) / (n − 1), ties = ROUND(CUME_DIST × n) − rank + 1.
        for i in range(len(defs)):
            upto = f"(r.rk_{i} + CAST(ROUND(r.cd_{i} * r.n_{i}) AS bigint) - 2)"
            below, above = f"(50 * {upto})", f"(100 * (r.n_{i} - 1) - 50 * {upto})"
            outputs += (
                f",\nCASE WHEN r.v_{i} IS NULL THEN NULL WHEN r.n_{i} > 1 THEN "
                f"{_hundredths(percentile(i), below, f'(r.n_{i} - 1)')} ELSE 5000 END AS ph_{i}"
                f",\nCASE WHEN r.v_{i} IS NULL THEN NULL WHEN r.n_{i} > 1 THEN "
                f"{_hundredths(f'100 - {percentile(i)}', above, f'(r.n_{i} - 1)')} ELSE 5000 END AS qh_{i}"
            )
    columns = ", ".join(f"v_{i}, p_{i}, md_{i}" for i in range(len(defs)))
    tail = tail or f"SELECT mi, partner_id, kind, {columns} FROM scored ORDER BY mi, partner_id"
    any_value = " OR ".join(f"v_{i} IS NOT NULL" for i in range(len(defs)))
    if arrays:
        ranking = _array_ranking(len(defs), any_value)
    else:
        ranking = f"""ranked AS (
    SELECT vals.*, {", ".join(rank_cols)}
    FROM vals WHERE mi >= %s AND ({any_value})
),
md AS (SELECT mi, kind, {medians} FROM ranked GROUP BY mi, kind)"""
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
{ranking},
scored AS (
    SELECT r.mi, r.partner_id, r.kind, {outputs}
    FROM ranked r JOIN md ON md.mi = r.mi AND md.kind = r.kind
)
{tail}
"""
    return sql, [*params, grid[0], last, month_index(first)]


def _array_ranking(n: int, any_value: str) -> str:
    """``ranked`` and ``md`` of :func:`_score_query` from sorted arrays (its ``arrays``): per
    month × kind and metric ``a_i`` (the values in ten-thousandths, ascending) and ``m_i`` (the
    values, for the median); then per row ``rk_i`` = 1 + how many are below the value (at most
    value − 1 ten-thousandth), ``cd_i`` = how many are at most the value / ``n_i`` — what
    ``RANK`` and ``CUME_DIST`` give, in the same types. The median is the mean of the middle one
    or two values, as ``AVG`` computes it (exact sum, divided by the count). ``OFFSET 0`` keeps
    ``ranked`` a subquery of its own: pulled up into ``scored``, each ``width_bucket`` would be
    evaluated at every use of ``rk_i`` / ``cd_i`` (about ten a metric) instead of once."""
    scaled = ", ".join(f"CAST(v_{i} * 10000 AS bigint) AS s_{i}" for i in range(n))
    sorted_ = ",\n".join(
        f"array_agg(s_{i} ORDER BY s_{i}) FILTER (WHERE s_{i} IS NOT NULL) AS a_{i}, "
        f"array_agg(v_{i} ORDER BY v_{i}) FILTER (WHERE v_{i} IS NOT NULL) AS m_{i}, COUNT(v_{i}) AS n_{i}"
        for i in range(n)
    )
    medians = ",\n".join(
        f"CASE WHEN mod(n_{i}, 2) = 1 THEN m_{i}[CAST((n_{i} + 1) / 2 AS integer)] / 1 "
        f"ELSE (m_{i}[CAST(n_{i} / 2 AS integer)] + m_{i}[CAST(n_{i} / 2 + 1 AS integer)]) / 2 END AS md_{i}"
        for i in range(n)
    )
    ranks = ",\n".join(
        f"g.n_{i}, CAST(width_bucket(p.s_{i} - 1, g.a_{i}) + 1 AS bigint) AS rk_{i}, "
        f"CAST(width_bucket(p.s_{i}, g.a_{i}) AS DOUBLE PRECISION) / g.n_{i} AS cd_{i}"
        for i in range(n)
    )
    arrays = ", ".join(f"a_{i}" for i in range(n))
    return f"""present AS (
    SELECT vals.*, {scaled}
    FROM vals WHERE mi >= %s AND ({any_value})
),
grp AS (SELECT mi, kind, {sorted_} FROM present GROUP BY mi, kind),
md AS MATERIALIZED (SELECT mi, kind, {arrays}, {", ".join(f"n_{i}" for i in range(n))}, {medians} FROM grp),
ranked AS (
    SELECT p.*, {ranks}
    FROM present p JOIN md g ON g.mi = p.mi AND g.kind = p.kind
    OFFSET 0
)"""


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


SQL_CHUNK_MONTHS = 24


def _json_number(expr: str) -> str:
    """A nullable numeric as JSON: ``null``, or its text with trailing zeros trimmed, quoted.
    ``||`` and casts rather than ``concat``: ``concat`` looks up each argument's output function
    in the catalogue cache on every call (benchmarks/README.md)."""
    return f"""COALESCE('"' || CAST(trim_scale({expr}) AS text) || '"', 'null')"""


def _json_hundredths(expr: str) -> str:
    """A nullable count of hundredths (≥ 0) as a JSON number with two decimals (``12.30``), or
    ``null``: integer text, no numeric conversion."""
    return (
        f"COALESCE(CAST({expr} / 100 AS text) || '.' || lpad(CAST(mod({expr}, 100) AS text), 2, '0'), 'null')"
    )


def _metrics_json(defs: list[Definition], score: list[str]) -> str:
    """The ``metrics`` drill-down (``score[i]``: the column of metric ``i``'s score in hundredths)
    as JSON text cast to ``jsonb`` once: one text per metric present (``||``), joined by
    ``concat_ws`` (which skips the absent ones). Building it with nested ``jsonb_build_object``
    (which turns every number into text and back) and then dropping the absent keys cost about
    twice as much (benchmarks/README.md). Slugs and dimensions are ``[-a-z0-9_]`` and need no
    escaping; the order of the keys does not matter (``jsonb`` orders them)."""
    pieces = [
        f"""CASE WHEN v_{i} IS NOT NULL THEN '"{d.slug}": {{"value": ' || {_json_number(f"v_{i}")}"""
        f""" || ', "score": ' || {_json_hundredths(score[i])}"""
        f""" || ', "percentile": ' || {_json_hundredths(f"ph_{i}")}"""
        f""" || ', "median": ' || {_json_number(f"md_{i}")}"""
        f""" || ', "dimension": "{d.dimension}", "weight": {float(d.weight)}, "previous": '"""
        f""" || {_json_number(f"pv_{i}")} || ', "previous_score": ' || {_json_hundredths(f"psh_{i}")}"""
        f""" || '}}' END"""
        for i, d in enumerate(defs)
    ]
    # concat_ws takes at most 100 arguments: groups of 90, an empty group as NULL.
    groups = [
        f"NULLIF(concat_ws(', ', {', '.join(pieces[start : start + 90])}), '')"
        for start in range(0, len(pieces), 90)
    ]
    joined = groups[0] if len(groups) == 1 else f"concat_ws(', ', {', '.join(groups)})"
    return f"CAST(concat('{{', {joined}, '}}') AS jsonb)"


def _write_months_in_sql(
    defs: list[Definition], months: list[date], *, first: date, dim_weights, only, now, score_metric_id=None
) -> int:
    """PostgreSQL: score ``months`` (the month before ``first`` included) and upsert the
    snapshots of ``first`` onwards in the scoring statement itself — dimensions, composite,
    previous values and the ``metrics`` drill-down built with ``jsonb_build_object``, so no row
    goes through Python. Same formulas as :func:`_score_month` (the tests compare values).
    With ``score_metric_id`` the same statement also upserts the ``health_score`` fact of every
    snapshot it wrote (from its ``RETURNING`` rows: what ``report_health_scores`` writes).
    The tier: the last change before the month's end, or the partner's tier where it never
    changed — looked up per partner once (``tiers``, a hash join), the changes only for partners
    that have some (two subqueries per snapshot before: about 1 s per 120,000)."""
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
    # The month before, in one pass: one LAG per array of values / scores instead of one per
    # metric and column (each LAG re-reads the previous row).
    lagged = ", ".join(
        f"CASE WHEN lag_mi = mi - 1 THEN lag_v[{i + 1}] END AS pv_{i}, "
        f"CASE WHEN lag_mi = mi - 1 THEN lag_sh[{i + 1}] END AS psh_{i}"
        for i in range(n)
    )
    # Each metric's score in hundredths, as the drill-down shows it (percentile or 100 − it).
    hundredths = [f"ph_{i}" if d.direction == higher else f"qh_{i}" for i, d in enumerate(defs)]
    v_array = ", ".join(f"v_{i}" for i in range(n))
    sh_array = ", ".join(hundredths)

    def num(expr: str, places: int) -> str:
        return f"ROUND(CAST({expr} AS NUMERIC), {places})"

    entries = _metrics_json(defs, hundredths)
    scope, scope_params = "", []
    if only is not None:
        scope = " AND partner_id IN (" + ", ".join(["%s"] * len(only)) + ")"
        scope_params = sorted(only)
    update = ", ".join(f"{c} = EXCLUDED.{c}" for c in SNAPSHOT_COLUMNS if c not in ("partner_id", "month"))
    upsert = f"""INSERT INTO partners_healthsnapshot ({", ".join(SNAPSHOT_COLUMNS)})
SELECT partner_id, make_date(mi / 12, mi %% 12 + 1, 1), kind,
    CASE WHEN tiers.changed THEN
        (SELECT tc.to_tier_id FROM partners_tierchange tc
         WHERE tc.partner_id = prev.partner_id
           AND (tc.changed_at AT TIME ZONE %s)::date < make_date((mi + 1) / 12, (mi + 1) %% 12 + 1, 1)
         ORDER BY tc.changed_at DESC, tc.id DESC LIMIT 1)
    ELSE tiers.tier_id END,
    {num("d_productivity", 2)}, {num("d_robustness", 2)}, {num("d_innovation", 2)}, {num("composite", 2)},
    {entries},
    {num("prev_composite", 2)}, %s
FROM prev JOIN tiers ON tiers.id = prev.partner_id
WHERE mi >= %s AND composite IS NOT NULL{scope}
ON CONFLICT (partner_id, month) DO UPDATE SET {update}"""
    params = [settings.TIME_ZONE, now, month_index(first), *scope_params]
    if score_metric_id is None:
        write = "\n" + upsert
    else:
        write = f""",
written AS ({upsert}
RETURNING partner_id, month, composite)
INSERT INTO partners_partnerfact (partner_id, metric_id, month, value, source, updated_at)
SELECT partner_id, %s, month, composite, %s, %s FROM written
ON CONFLICT (partner_id, metric_id, month) DO UPDATE SET value = excluded.value,
    source = excluded.source, updated_at = excluded.updated_at"""
        params += [score_metric_id, FACT_SOURCE, now]
    tail = f""",
scores AS MATERIALIZED (SELECT scored.*, {scores} FROM scored),
dims AS MATERIALIZED (SELECT scores.*, {", ".join(dims)} FROM scores),
comp AS (SELECT dims.*, ({comp_total}) / NULLIF({comp_weights}, 0) AS composite FROM dims),
before AS (
    SELECT comp.*, LAG(mi) OVER w AS lag_mi, LAG(ARRAY[{v_array}]) OVER w AS lag_v,
        LAG(ARRAY[{sh_array}]) OVER w AS lag_sh, LAG(composite) OVER w AS lag_composite
    FROM comp
    WINDOW w AS (PARTITION BY partner_id ORDER BY mi)
),
tiers AS (
    SELECT p.id, p.tier_id, EXISTS (SELECT 1 FROM partners_tierchange t WHERE t.partner_id = p.id) AS changed
    FROM partners_partner p
),
prev AS (
    SELECT before.*, {lagged},
        CASE WHEN lag_mi = mi - 1 THEN lag_composite END AS prev_composite
    FROM before
){write}
"""
    own_transaction = not connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        # Room to sort in memory; no JIT: compiling this wide statement costs ~10 s, more than
        # it saves.
        cursor.execute("SET LOCAL work_mem = '128MB'")
        cursor.execute("SET LOCAL jit = off")
        if own_transaction:
            # The snapshots and their health_score facts are derived rows that a rerun
            # recomputes exactly: the commit need not wait for its WAL to reach the disk (a crash
            # could lose the last committed chunks, never leave half of one). Not inside a
            # caller's transaction, whose other writes may matter more.
            cursor.execute("SET LOCAL synchronous_commit = off")
        # lz4 compresses the ~2.5 KB drill-downs about 3× faster than the default pglz (0.8 s
        # against 2.5 s for 120,000 rows); readers decompress either. Only where the server has it.
        cursor.execute(
            "SELECT set_config('default_toast_compression', 'lz4', true) FROM pg_settings "
            "WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)"
        )
        for arrays in (True, False):
            sql, score_params = _score_query(defs, months, tail=tail, hundredths=True, arrays=arrays)
            try:
                with transaction.atomic():
                    cursor.execute(sql, [*score_params, *params])
            except DataError:
                if not arrays:
                    raise
                continue  # a value beyond bigint in ten-thousandths: rank with the windows
            return cursor.rowcount
        raise AssertionError("unreachable")


def sql_workers(months: list[date]) -> int:
    """Connections to score with: the month chunks are independent (each brings the month before
    it for the changes), so outside a transaction they run side by side, one per core
    (``HEALTH_SQL_WORKERS``). Inside a transaction (tests, a caller's atomic block) other
    connections could not see its facts: one connection then."""
    wanted = max(1, int(getattr(settings, "HEALTH_SQL_WORKERS", 2)))
    if connection.in_atomic_block or len(months) < 2:
        return 1
    return min(wanted, len(months))


def compute(defs, months, dim_weights, only, now, progress, report_scores, summary) -> None:
    workers = sql_workers(months)
    # The health_score facts are written by the scoring statements themselves (on each worker).
    score_metric_id = health_score_metric_id() if report_scores else None
    size = min(SQL_CHUNK_MONTHS, -(-len(months) // workers))
    # Months (or partners) with no metric left keep no stale snapshot from an earlier run. Where
    # the months had no snapshot before (a first computation) there is none: the pass over every
    # row just written that looks for them is left out.
    earlier = HealthSnapshot.objects.filter(month__gte=months[0], month__lte=months[-1])
    if only is not None:
        earlier = earlier.filter(partner_id__in=only)
    had_snapshots = earlier.exists()
    chunks = [months[start : start + size] for start in range(0, len(months), size)]

    def write(chunk: list[date]) -> int:
        first = chunk[0]
        return _write_months_in_sql(
            defs,
            [shift_months(first, -1), *chunk],
            first=first,
            dim_weights=dim_weights,
            only=only,
            now=now,
            score_metric_id=score_metric_id,
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
    if had_snapshots:
        earlier.exclude(computed_at=now).delete()

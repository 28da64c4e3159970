"""At-risk detection: snapshots that dropped sharply or sit below the floor get one flag per
partner, month and cause; the latest month's new flags are emailed (``health.services.emails``,
through the ``notify_at_risk`` task); staff acknowledge them (audit-logged)."""

from __future__ import annotations

from datetime import date

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from wagtail.log_actions import log

from core.bulk import bulk_upsert
from core.tasks import enqueue_on_commit
from health.models import AtRiskFlag, HealthDimension, HealthSettings, HealthSnapshot
from health.services.audit import LOG_FLAG_ACKNOWLEDGED
from health.services.definitions import fmt_number
from partners.selectors.programme import shift_months


def _cause_detail(snapshot: HealthSnapshot, previous: HealthSnapshot | None, metrics: dict) -> dict:
    dims = {}
    for dim in HealthDimension.values:
        now_score = getattr(snapshot, dim)
        before = getattr(previous, dim) if previous else None
        dims[dim] = {
            "score": fmt_number(now_score),
            "previous": fmt_number(before),
            "change": (
                fmt_number(now_score - before) if now_score is not None and before is not None else None
            ),
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


def detect_at_risk(*, months: list[date], partner_ids: set[int] | None = None, notify: bool = True) -> int:
    """Flag snapshots of ``months`` that dropped more than ``at_risk_drop_points`` since the month
    before, or sit below ``at_risk_floor``. Idempotent (one flag per partner, month and cause).
    Flags of the latest month are emailed to the programme managers, once. Returns the number of
    new flags. On PostgreSQL one statement finds the snapshots, builds the detail and inserts the
    flags (:func:`flag_in_sql`); elsewhere the same detail is built in Python."""
    if not months:
        return 0
    health = HealthSettings.load()
    if connection.vendor == "postgresql":
        written = flag_in_sql(months, partner_ids, health)
    else:
        written = flag_in_python(months, partner_ids, health)
    if notify:
        latest = max(months)
        pending = list(
            AtRiskFlag.objects.filter(month=latest, notified_at__isnull=True).values_list("pk", flat=True)
        )
        if pending:
            enqueue_on_commit("partners.notify_at_risk", pending)
    return written


def _flagged(months: list[date], partner_ids: set[int] | None, health: HealthSettings):
    snapshots = HealthSnapshot.objects.filter(month__in=months).filter(
        Q(composite__lt=health.at_risk_floor)
        | Q(
            previous_composite__isnull=False,
            previous_composite__gt=F("composite") + health.at_risk_drop_points,
        )
    )
    if partner_ids is not None:
        snapshots = snapshots.filter(partner_id__in=partner_ids)
    return snapshots


def _thresholds(health: HealthSettings) -> dict[str, str | None]:
    return {
        AtRiskFlag.Cause.FLOOR: fmt_number(health.at_risk_floor),
        AtRiskFlag.Cause.DROP: fmt_number(health.at_risk_drop_points),
    }


def flag_in_python(months: list[date], partner_ids: set[int] | None, health: HealthSettings) -> int:
    """The portable path: snapshots and their previous month loaded, the detail built in Python
    (:func:`_cause_detail`), the flags upserted in bulk."""
    existing = set(
        AtRiskFlag.objects.filter(month__in=months).values_list("partner_id", "month", "cause").order_by()
    )
    snapshots = list(_flagged(months, partner_ids, health).defer("metrics"))
    if not snapshots:
        return 0
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
    thresholds = _thresholds(health)
    rows = []
    now = timezone.now()
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
            cause_detail = {**detail, "threshold": thresholds[cause]}
            rows.append((s.partner_id, s.month, s.composite, s.previous_composite, cause, cause_detail, now))
    bulk_upsert(
        AtRiskFlag,
        ["partner_id", "month", "composite", "previous_composite", "cause", "cause_detail", "created_at"],
        rows,
        unique_fields=["partner", "month", "cause"],
        update_fields=None,
    )
    return len(rows)


def _first_of(pairs: list[tuple[str, str]]) -> str:
    """SQL: the first name of ``(name, numeric expression)`` pairs with the lowest non-null value
    (ties: the earlier pair, as Python's ``min``); null when every value is null."""
    rows = ", ".join(f"({i}, '{name}', {expr})" for i, (name, expr) in enumerate(pairs))
    return f"(SELECT d FROM (VALUES {rows}) v(o, d, x) WHERE x IS NOT NULL ORDER BY x, o LIMIT 1)"


def flag_in_sql(months: list[date], partner_ids: set[int] | None, health: HealthSettings) -> int:
    """PostgreSQL: one ``INSERT … SELECT`` finds the snapshots to flag, joins the month before and
    builds the same ``cause_detail`` as :func:`_cause_detail` — dimension scores and changes
    formatted like ``fmt_number`` (``trim_scale``), the metrics that dropped most (or the weakest)
    in the order of the snapshot's ``metrics`` keys (``jsonb_each … WITH ORDINALITY``) with float
    arithmetic as in Python — so no snapshot goes through Python."""
    dims = list(HealthDimension.values)
    dim_json = ", ".join(
        f"'{d}', jsonb_build_object('score', trim_scale(s.{d})::text, 'previous', trim_scale(b.{d})::text, "
        f"'change', trim_scale(s.{d} - b.{d})::text)"
        for d in dims
    )
    changed = _first_of([(d, f"s.{d} - b.{d}") for d in dims])
    weakest = _first_of([(d, f"s.{d}") for d in dims])
    entries = (
        "SELECT e.key, e.ord, CAST(e.value ->> 'score' AS float8) AS score, "
        "CAST(e.value ->> 'score' AS float8) - CAST(e.value ->> 'previous_score' AS float8) AS delta "
        "FROM jsonb_each(s.metrics) WITH ORDINALITY AS e(key, value, ord)"
    )
    metrics = (
        f"COALESCE((SELECT jsonb_agg(key ORDER BY delta, ord) FROM ("
        f"SELECT * FROM ({entries}) m WHERE delta < 0 ORDER BY delta, ord LIMIT 3) x), "
        f"(SELECT jsonb_agg(key ORDER BY score, ord) FROM ("
        f"SELECT * FROM ({entries}) m ORDER BY score, ord LIMIT 3) x), '[]'::jsonb)"
    )
    thresholds = _thresholds(health)
    floor, drop = health.at_risk_floor, health.at_risk_drop_points
    scope, params = "", [floor, drop, list(months)]
    if partner_ids is not None:
        scope = " AND s.partner_id = ANY(%s)"
        params.append(sorted(partner_ids))
    params += [thresholds[AtRiskFlag.Cause.FLOOR], thresholds[AtRiskFlag.Cause.DROP], timezone.now()]
    sql = f"""
WITH hit AS (
    SELECT s.*, c.cause
    FROM partners_healthsnapshot s
    CROSS JOIN LATERAL (VALUES ('floor', s.composite < %s),
                               ('drop', s.previous_composite - s.composite > %s)) c(cause, hit)
    WHERE s.month = ANY(%s) AND c.hit{scope}
      AND NOT EXISTS (SELECT 1 FROM partners_atriskflag f
                      WHERE f.partner_id = s.partner_id AND f.month = s.month AND f.cause = c.cause)
)
INSERT INTO partners_atriskflag
    (partner_id, month, composite, previous_composite, cause, cause_detail, created_at)
SELECT s.partner_id, s.month, s.composite, s.previous_composite, s.cause,
    jsonb_build_object(
        'dimensions', jsonb_build_object({dim_json}),
        'dimension', COALESCE({changed}, {weakest}),
        'weakest_dimension', {weakest},
        'metrics', {metrics},
        'threshold', CASE s.cause WHEN 'floor' THEN CAST(%s AS text) ELSE CAST(%s AS text) END
    ),
    %s
FROM hit s
LEFT JOIN partners_healthsnapshot b
    ON b.partner_id = s.partner_id AND b.month = CAST(s.month - interval '1 month' AS date)
ON CONFLICT (partner_id, month, cause) DO NOTHING
"""
    with connection.cursor() as cursor:
        # The snapshots were just rewritten: without fresh statistics the planner may take the
        # table for empty and probe it once per flagged row (minutes instead of seconds).
        cursor.execute("ANALYZE partners_healthsnapshot, partners_atriskflag")
        cursor.execute(sql, params)
        return cursor.rowcount


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

"""At-risk detection: snapshots that dropped sharply or sit below the floor get one flag per
partner, month and cause; the latest month's new flags are emailed (``health.services.emails``,
through the ``notify_at_risk`` task); staff acknowledge them (audit-logged)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date

from django.db import connection, connections, transaction
from django.db.models import (
    Case,
    DateField,
    Exists,
    F,
    Func,
    JSONField,
    OuterRef,
    Q,
    Subquery,
    TextField,
    Value,
    When,
)
from django.utils import timezone
from wagtail.log_actions import log

from core.bulk import bulk_upsert, without_jit
from core.tasks import enqueue_on_commit
from health.models import AtRiskFlag, HealthSettings, HealthSnapshot
from health.services import scoring_sql
from health.services.audit import LOG_FLAG_ACKNOWLEDGED
from health.services.definitions import DIMENSIONS, fmt_number
from partners.selectors.programme import shift_months


def _cause_detail(dims_now: tuple, dims_before: tuple | None, metrics: list[tuple]) -> dict:
    """The detail of a flag: each dimension's score, previous score and change
    (``dims_now`` / ``dims_before``: the scores in ``DIMENSIONS`` order), the dimension to look
    at, and the (at most three) metrics that dropped most — or the weakest three. ``metrics``:
    ``(slug, score, previous_score)`` in the drill-down's key order (:func:`_metric_scores`), the
    order that decides ties."""
    dims = {}
    for dim, now_score, before in zip(
        DIMENSIONS, dims_now, dims_before or (None,) * len(DIMENSIONS), strict=True
    ):
        dims[dim] = {
            "score": fmt_number(now_score),
            "previous": fmt_number(before),
            "change": (
                fmt_number(now_score - before) if now_score is not None and before is not None else None
            ),
        }
    changes = [(slug, score - previous) for slug, score, previous in metrics if previous is not None]
    dropped = [slug for slug, delta in sorted(changes, key=lambda c: c[1]) if delta < 0][:3]
    weakest = sorted(metrics, key=lambda item: item[1])[:3]
    scored = [(d, float(s)) for d, s in zip(DIMENSIONS, dims_now, strict=True) if s is not None]
    deltas = [(d, float(v["change"])) for d, v in dims.items() if v["change"] is not None]
    return {
        "dimensions": dims,
        "dimension": (min(deltas, key=lambda x: x[1])[0] if deltas else None)
        or (min(scored, key=lambda x: x[1])[0] if scored else None),
        "weakest_dimension": min(scored, key=lambda x: x[1])[0] if scored else None,
        "metrics": dropped or [slug for slug, _score, _previous in weakest],
    }


class _ScoresText(Func):
    """PostgreSQL: a drill-down's ``slug score previous_score`` triples, comma-separated, in its
    key order (``jsonb_each … WITH ORDINALITY``; an absent previous score is empty) — the three
    figures at-risk needs, about a sixth of the drill-down's text. Decoding the whole ≈ 2.5 KB
    JSON of 40,000 flagged snapshots was most of at-risk's Python time (benchmarks/README.md).
    Slugs are ``[-a-zA-Z0-9_]``: no space or comma."""

    template = (
        "(SELECT string_agg(e.key || ' ' || (e.value ->> 'score') || ' ' || "
        "COALESCE(e.value ->> 'previous_score', ''), ',' ORDER BY e.n) "
        "FROM jsonb_each(%(expressions)s) WITH ORDINALITY AS e(key, value, n))"
    )
    output_field = TextField()


def _metric_scores(metrics) -> list[tuple]:
    """``(slug, score, previous_score)`` of each drill-down entry in key order, from the drill-down
    itself (a dict) or from :class:`_ScoresText` (text; JSON numbers read as floats, as ``json``
    reads them)."""
    if not metrics:
        return []
    if isinstance(metrics, dict):
        return [(slug, m["score"], m.get("previous_score")) for slug, m in metrics.items()]
    out = []
    for item in metrics.split(","):
        slug, score, previous = item.split(" ")
        out.append((slug, float(score), float(previous) if previous else None))
    return out


def detect_at_risk(*, months: list[date], partner_ids: set[int] | None = None, notify: bool = True) -> int:
    """Flag snapshots of ``months`` that dropped more than ``at_risk_drop_points`` since the month
    before, or sit below ``at_risk_floor``. Idempotent (one flag per partner, month and cause).
    Flags of the latest month are emailed to the programme managers, once. Returns the number of
    new flags. The detail is built in Python on every database (:func:`flag_in_python`): a single
    ``INSERT … SELECT`` building it in SQL was measured 4× slower on PostgreSQL (40 s against
    9.5 s for 41,757 new flags, benchmarks/README.md "Health snapshots")."""
    if not months:
        return 0
    health = HealthSettings.load()
    written = _flag_side_by_side(months, partner_ids, health)
    if notify:
        latest = max(months)
        pending = list(
            AtRiskFlag.objects.filter(month=latest, notified_at__isnull=True).values_list("pk", flat=True)
        )
        if pending:
            enqueue_on_commit("partners.notify_at_risk", pending)
    return written


def _flag_side_by_side(months: list[date], partner_ids: set[int] | None, health: HealthSettings) -> int:
    """:func:`flag_in_python` for the two halves of ``months`` on two connections at once where
    the scoring would use two (outside a transaction: ``scoring_sql.sql_workers``): one half's
    query runs while the other's rows are weighed in Python. One connection otherwise."""
    if scoring_sql.sql_workers(months) < 2:
        return flag_in_python(months, partner_ids, health)
    half = -(-len(months) // 2)

    def flag(part: list[date]) -> int:
        try:
            return flag_in_python(part, partner_ids, health)
        finally:
            connections.close_all()  # this thread's own connection

    with ThreadPoolExecutor(max_workers=2) as pool:
        return sum(pool.map(flag, [months[:half], months[half:]]))


def _drop_condition(health: HealthSettings) -> Q:
    return Q(
        previous_composite__isnull=False,
        previous_composite__gt=F("composite") + health.at_risk_drop_points,
    )


def _flagged(months: list[date], partner_ids: set[int] | None, health: HealthSettings):
    snapshots = HealthSnapshot.objects.filter(month__in=months).filter(
        Q(composite__lt=health.at_risk_floor) | _drop_condition(health)
    )
    if partner_ids is not None:
        snapshots = snapshots.filter(partner_id__in=partner_ids)
    return snapshots


def _thresholds(health: HealthSettings) -> dict[str, str | None]:
    return {
        AtRiskFlag.Cause.FLOOR: fmt_number(health.at_risk_floor),
        AtRiskFlag.Cause.DROP: fmt_number(health.at_risk_drop_points),
    }


def _flagged_rows(months: list[date], partner_ids: set[int] | None, health: HealthSettings):
    """The flagged snapshots as tuples in one query: ``(partner_id, month, composite,
    previous_composite, *dimensions, prev_found, *previous dimensions, missing_floor,
    missing_drop, metrics)``. The month before comes from subqueries on the unique (partner,
    month) index instead of loading every snapshot of the months before; ``missing_<cause>``
    tells whether that flag is still to write; ``metrics`` is read only where one is (the
    detail needs it), so a recompute that finds every flag reads no JSON — on PostgreSQL only
    its entries' scores (:class:`_ScoresText`), elsewhere the drill-down itself."""
    previous_month = Case(
        *[When(month=m, then=Value(shift_months(m, -1))) for m in sorted(set(months))],
        output_field=DateField(),
    )
    # Without the model's ordering: by partner it would join partner and organisation to sort
    # the one row of the unique (partner, month) (three such subqueries per flagged snapshot).
    before = HealthSnapshot.objects.filter(
        partner_id=OuterRef("partner_id"), month=OuterRef("previous_month")
    ).order_by()
    columns = {"prev_found": Exists(before)}
    for dim in DIMENSIONS:
        columns[f"prev_{dim}"] = Subquery(
            before.values(dim)[:1], output_field=HealthSnapshot._meta.get_field(dim)
        )
    flags = AtRiskFlag.objects.filter(partner_id=OuterRef("partner_id"), month=OuterRef("month"))
    columns["missing_floor"] = ~Exists(flags.filter(cause=AtRiskFlag.Cause.FLOOR))
    columns["missing_drop"] = ~Exists(flags.filter(cause=AtRiskFlag.Cause.DROP))
    needed = Q(missing_floor=True, composite__lt=health.at_risk_floor) | Q(
        _drop_condition(health), missing_drop=True
    )
    if connection.vendor == "postgresql":
        detail_metrics = Case(When(needed, then=_ScoresText(F("metrics"))), default=None)
    else:
        detail_metrics = Case(When(needed, then=F("metrics")), default=None, output_field=JSONField())
    rows = (
        _flagged(months, partner_ids, health)
        .annotate(previous_month=previous_month)
        .annotate(**columns)
        .annotate(detail_metrics=detail_metrics)
    )
    return rows.values_list(
        "partner_id",
        "month",
        "composite",
        "previous_composite",
        *DIMENSIONS,
        *columns,
        "detail_metrics",
    ).order_by()


def _read_without_jit(rows) -> list:
    """The rows of ``rows`` (a queryset) without JIT on PostgreSQL: its estimated cost over
    240,000 snapshots crosses the JIT thresholds, and compiling the statement cost more than
    running it (4.4 s against 3.6 s, benchmarks/README.md)."""
    with without_jit():
        return list(rows)


def flag_in_python(months: list[date], partner_ids: set[int] | None, health: HealthSettings) -> int:
    """The portable path: the flagged snapshots, the month before and the metrics where a flag
    is missing, as tuples in one query (:func:`_flagged_rows`: 10,000 partners × 24 months flag
    ≈ 35,000 snapshots — model instances of them and of every snapshot before cost 4× more); the
    detail built in Python (:func:`_cause_detail`), the flags upserted in bulk."""
    thresholds = _thresholds(health)
    floor, drop = health.at_risk_floor, health.at_risk_drop_points
    n = len(DIMENSIONS)
    rows = []
    now = timezone.now()
    for partner_id, month, composite, previous_composite, *rest in _read_without_jit(
        _flagged_rows(months, partner_ids, health)
    ):
        dims_now, found, dims_before = tuple(rest[:n]), rest[n], tuple(rest[n + 1 : 2 * n + 1])
        missing_floor, missing_drop, metrics = rest[2 * n + 1 :]
        detail = None
        causes = []
        if composite < floor and missing_floor:
            causes.append(AtRiskFlag.Cause.FLOOR)
        if previous_composite is not None and previous_composite - composite > drop and missing_drop:
            causes.append(AtRiskFlag.Cause.DROP)
        for cause in causes:
            detail = detail or _cause_detail(
                dims_now, dims_before if found else None, _metric_scores(metrics)
            )
            cause_detail = {**detail, "threshold": thresholds[cause]}
            rows.append((partner_id, month, composite, previous_composite, cause, cause_detail, now))
    bulk_upsert(
        AtRiskFlag,
        ["partner_id", "month", "composite", "previous_composite", "cause", "cause_detail", "created_at"],
        rows,
        unique_fields=["partner", "month", "cause"],
        update_fields=None,
    )
    return len(rows)


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

"""At-risk detection: snapshots that dropped sharply or sit below the floor get one flag per
partner, month and cause; the latest month's new flags are emailed (``health.services.emails``,
through the ``notify_at_risk`` task); staff acknowledge them (audit-logged)."""

from __future__ import annotations

from datetime import date

from django.db import transaction
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
    new flags. The detail is built in Python on every database (:func:`flag_in_python`): a single
    ``INSERT … SELECT`` building it in SQL was measured 4× slower on PostgreSQL (40 s against
    9.5 s for 41,757 new flags, benchmarks/README.md "Health snapshots")."""
    if not months:
        return 0
    health = HealthSettings.load()
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

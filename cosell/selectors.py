"""Reads for the co-sell screens and facts: the pipeline, its totals, the staff queue."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q, Sum

from cosell.models import OPEN_STATUSES, DealRegistration, Stage, Status

SORTS = {
    "value": "-estimated_value",
    "expiry": "protection_until",
    "close": "expected_close",
    "new": "-created_at",
}


def pipeline(*, partner, status: str = "", sort: str = "new"):
    qs = DealRegistration.objects.filter(partner=partner).select_related("customer_region")
    if status in Status.values:
        qs = qs.filter(status=status)
    return qs.order_by(SORTS.get(sort, SORTS["new"]), "-created_at")


def pipeline_totals(*, partner) -> dict:
    """Open value per stage and currency, counts per status, win rate."""
    by_stage = defaultdict(dict)
    for row in (
        DealRegistration.objects.filter(partner=partner, status__in=OPEN_STATUSES)
        .values("stage", "currency")
        .annotate(total=Sum("estimated_value"), n=Count("pk"))
    ):
        by_stage[row["stage"]][row["currency"]] = (row["total"] or Decimal("0"), row["n"])
    counts = dict(
        DealRegistration.objects.filter(partner=partner).values_list("status").annotate(n=Count("pk"))
    )
    won, lost = counts.get(Status.WON, 0), counts.get(Status.LOST, 0)
    return {
        "stages": [(Stage(s).label, by_stage.get(s, {})) for s in Stage.values],
        "counts": [(Status(s).label, s, counts.get(s, 0)) for s in Status.values],
        "win_rate": round(100 * won / (won + lost)) if won + lost else None,
    }


def staff_queue():
    """Registrations waiting for staff: conflicts first, then the oldest; plus extension requests."""
    return (
        DealRegistration.objects.filter(
            Q(status=Status.IN_REVIEW)
            | Q(status=Status.APPROVED, extension_requested_at__isnull=False, extension_granted__isnull=True)
        )
        .select_related("partner__organisation", "partner__tier")
        .order_by("-conflict_hold", "submitted_at")
    )


def dashboard() -> dict:
    """Staff figures: open pipeline by partner kind and tier, conflict rate, review time."""
    from statistics import median

    from billing.services.facts import to_cny
    from partners.models import PartnerKind

    pipeline_rows = defaultdict(Decimal)
    for row in (
        DealRegistration.objects.filter(status__in=OPEN_STATUSES)
        .values("partner__kind", "partner__tier__name", "currency")
        .annotate(total=Sum("estimated_value"), n=Count("pk"))
    ):
        key = (PartnerKind(row["partner__kind"]).label, row["partner__tier__name"] or "—")
        pipeline_rows[key] += to_cny(row["total"] or Decimal("0"), row["currency"])
    submitted = DealRegistration.objects.filter(submitted_at__isnull=False)
    total = submitted.count()
    held = submitted.filter(conflicts__isnull=False).distinct().count()
    durations = [
        (decided - sent).total_seconds() / 3600
        for sent, decided in submitted.filter(decided_at__isnull=False)
        .exclude(transitions__code="auto")
        .values_list("submitted_at", "decided_at")[:5000]
    ]
    return {
        "pipeline": sorted(pipeline_rows.items()),
        "submitted": total,
        "conflict_rate": round(100 * held / total, 1) if total else None,
        "review_hours": round(median(durations), 1) if durations else None,
        "waiting": DealRegistration.objects.filter(status=Status.IN_REVIEW).count(),
    }


OVERLAP_STATUSES = (*OPEN_STATUSES, Status.WON)


def account_overlap(*, partner, other) -> int:
    """How many of ``partner``'s customers ``other`` has registered too (a shared credit code,
    domain or brand key) — a count only: neither side learns the other's customers' names."""
    from cosell.models import MatchKey

    theirs = MatchKey.objects.filter(
        registration__partner=other, registration__status__in=OVERLAP_STATUSES
    ).values("key")
    return (
        MatchKey.objects.filter(
            registration__partner=partner, registration__status__in=OVERLAP_STATUSES, key__in=theirs
        )
        .exclude(key__startswith="tel:")
        .values("registration_id")
        .distinct()
        .count()
    )

"""Reads of the incentives app: what a partner sees, the staff queues, the dashboard figures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Avg, Count, Q, Sum
from django.http import Http404

from incentives.models import (
    Allocation,
    FundRequest,
    IncentiveLedgerEntry,
    IncentivePool,
    LedgerKind,
    RequestState,
)
from incentives.services import ledger
from partners.models import PartnerFact

OPEN_STATES = (RequestState.SUBMITTED, RequestState.CLAIM_SUBMITTED, RequestState.CLAIM_APPROVED)


def partner_figures(totals: dict) -> dict:
    """The ledger's signed totals the partner's way, as positive amounts: ``paid`` (received),
    ``held`` (set aside for submitted and pre-approved requests), ``expired`` (unused at the end
    of the period). The ledger debits the pool for each, so its totals are negative."""
    return {
        "paid": -totals[LedgerKind.PAYMENT],
        "held": -(totals[LedgerKind.HOLD] + totals[LedgerKind.RELEASE]),
        "expired": -totals[LedgerKind.EXPIRY],
    }


def partner_pools(partner) -> list[dict]:
    """Each pool the partner has an allocation in: allocation, balance, totals by kind and the
    figures the partner reads (``partner_figures``)."""
    out = []
    for allocation in (
        Allocation.objects.filter(partner=partner, pool__status__in=["published", "expired"])
        .select_related("pool")
        .order_by("-pool__period_start")
    ):
        pool = allocation.pool
        totals = ledger.totals_by_kind(partner=partner, pool=pool)
        out.append(
            {
                "pool": pool,
                "allocation": allocation,
                "balance": ledger.balance(partner=partner, pool=pool),
                "totals": totals,
                "figures": partner_figures(totals),
                "entries": list(ledger.entries(partner=partner, pool=pool).select_related("fund_request")),
            }
        )
    return out


def open_pools_for(partner):
    return IncentivePool.objects.filter(status=IncentivePool.Status.PUBLISHED, allocations__partner=partner)


def partner_requests(partner):
    return FundRequest.objects.filter(partner=partner).select_related("pool").order_by("-created_at")


def get_request_for_partner(partner, public_id) -> FundRequest:
    """Another partner's request is a 404."""
    request = FundRequest.objects.filter(partner=partner, public_id=public_id).select_related("pool").first()
    if request is None:
        raise Http404
    return request


def queue(state: str | None):
    qs = FundRequest.objects.select_related("partner__organisation", "pool", "requested_by").annotate(
        open_flags=Count("flags", filter=Q(flags__resolved_at=None))
    )
    qs = qs.filter(state=state) if state else qs.filter(state__in=OPEN_STATES)
    return qs.order_by("submitted_at", "pk")


def with_service_target(requests, *, today=None) -> list:
    """Set ``waiting_days`` (working days since the request or its claim reached staff) and
    ``overdue`` (beyond the service target) on each request of a queue page."""
    from django.utils import timezone

    from incentives import conf
    from incentives.services.funds import working_days_between

    today = today or timezone.localdate()
    target = conf.get("REVIEW_TARGET_DAYS")
    out = []
    for request in requests:
        since = request.claim_submitted_at or request.submitted_at
        request.waiting_days = working_days_between(timezone.localdate(since), today) if since else None
        request.overdue = request.waiting_days is not None and request.waiting_days > target
        out.append(request)
    return out


def pool_utilisation(pool: IncentivePool) -> dict:
    """Allocated, held, paid and expired amounts of a pool (from the ledger) and the share used."""
    sums = dict(
        IncentiveLedgerEntry.objects.filter(pool=pool)
        .values_list("kind")
        .annotate(s=Sum("amount"))
        .order_by()
    )
    allocated = sums.get(LedgerKind.ALLOCATION) or Decimal(0)
    held = -((sums.get(LedgerKind.HOLD) or 0) + (sums.get(LedgerKind.RELEASE) or 0))
    paid = -(sums.get(LedgerKind.PAYMENT) or 0)
    expired = -(sums.get(LedgerKind.EXPIRY) or 0)
    used = held + paid
    return {
        "pool": pool,
        "allocated": allocated,
        "held": held,
        "paid": paid,
        "expired": expired,
        "remaining": allocated - used - expired,
        "percent": int(used * 100 / allocated) if allocated else 0,
    }


def requests_by_state() -> list[dict]:
    counts = dict(FundRequest.objects.values_list("state").annotate(n=Count("pk")).order_by())
    return [
        {"state": state, "label": label, "count": counts.get(state, 0)}
        for state, label in RequestState.choices
    ]


def facts_trend(*, until: date, months: int = 6) -> dict:
    """The staff dashboard's trend: per month, MDF received (sum, CNY) and mean utilisation
    (percent) from the partner facts, and the latest month's partners by stars (two queries)."""
    from incentives.services.stars import STAR_METRIC, _shift

    last = until.replace(day=1)
    month_list = [_shift(last, -n) for n in range(months - 1, -1, -1)]
    rows = (
        PartnerFact.objects.filter(
            metric__slug__in=("mdf_received", "mdf_utilisation"), month__gte=month_list[0], month__lte=last
        )
        .values("metric__slug", "month")
        .annotate(total=Sum("value"), mean=Avg("value"))
        .order_by()
    )
    received = dict.fromkeys(month_list, Decimal(0))
    utilisation: dict = dict.fromkeys(month_list)
    for row in rows:
        if row["metric__slug"] == "mdf_received":
            received[row["month"]] = row["total"]
        else:
            utilisation[row["month"]] = round(row["mean"], 1)
    stars = dict(
        PartnerFact.objects.filter(metric__slug=STAR_METRIC, month=last)
        .values_list("value")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {
        "labels": [f"{m:%Y-%m}" for m in month_list],
        "received": [received[m] for m in month_list],
        "utilisation": [utilisation[m] for m in month_list],
        "stars": [stars.get(Decimal(n), 0) for n in range(1, 6)],
    }

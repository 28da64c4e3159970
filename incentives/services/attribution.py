"""Pipeline and revenue attributed to funded activities.

The link is explicit: a deal registration (cosell) or a lead (demand) carries the reference of
one of the partner's fund requests (its public id, shown on the request). Those apps announce
the outcome through ``partners.outcome_signals.funded_outcome``; :func:`record` keeps it when
the reference names a request of the same partner that was funded (pre-approved or later).
Each outcome is stored once per (key, kind); a later announcement replaces it and an amount of 0
withdraws it. Reports sum per request and overall (in CNY for the staff dashboard).

Demand leads are tied by date, through facts: the ``leads_received`` facts demand reports for
the partner from the activity's first month to the month ``INCENTIVES_LEAD_WINDOW_DAYS`` (30)
after its end (:func:`leads_in_window`). Facts are monthly, so a month is counted for every
activity of the partner that covers it.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.db.models import Count, Sum

from incentives.models import FundedOutcome, FundRequest, RequestState

FUNDED_STATES = (
    RequestState.PRE_APPROVED,
    RequestState.CLAIM_SUBMITTED,
    RequestState.CLAIM_APPROVED,
    RequestState.CLAIM_REJECTED,
    RequestState.PAID,
    RequestState.EXPIRED,
)


def funded_request(*, partner, reference) -> FundRequest | None:
    try:
        public_id = uuid.UUID(str(reference).strip())
    except (TypeError, ValueError):
        return None
    return FundRequest.objects.filter(partner=partner, public_id=public_id, state__in=FUNDED_STATES).first()


def record(*, partner, reference, source, key, kind, amount, currency, occurred_on, label="", **_):
    """Store (or replace, or withdraw) one outcome; None when the reference matches nothing."""
    existing = FundedOutcome.objects.filter(key=key, kind=kind)
    request = funded_request(partner=partner, reference=reference) if reference else None
    if request is None or not amount:
        existing.delete()
        return None
    outcome, _ = FundedOutcome.objects.update_or_create(
        key=key,
        kind=kind,
        defaults={
            "request": request,
            "source": source,
            "amount": Decimal(amount),
            "currency": currency,
            "occurred_on": occurred_on,
            "label": label[:200],
        },
    )
    return outcome


LEADS_METRIC = "leads_received"


def _lead_months(request) -> tuple:
    from datetime import timedelta

    from incentives import conf

    last = request.end_date + timedelta(days=conf.get("LEAD_WINDOW_DAYS"))
    return request.start_date.replace(day=1), last.replace(day=1)


def leads_in_window(requests) -> dict[int, Decimal]:
    """{request id: leads received by its partner in the activity's months and the window after}
    for funded requests, from demand's monthly facts (one query)."""
    from partners.models import PartnerFact

    funded = [r for r in requests if r.state in FUNDED_STATES]
    if not funded:
        return {}
    spans = {r.pk: _lead_months(r) for r in funded}
    facts = list(
        PartnerFact.objects.filter(
            metric__slug=LEADS_METRIC,
            partner_id__in={r.partner_id for r in funded},
            month__gte=min(first for first, _ in spans.values()),
            month__lte=max(last for _, last in spans.values()),
        ).values_list("partner_id", "month", "value")
    )
    out = {}
    for r in funded:
        first, last = spans[r.pk]
        out[r.pk] = sum(
            (Decimal(v) for p, m, v in facts if p == r.partner_id and first <= m <= last), Decimal(0)
        )
    return out


def totals_by_request(requests) -> dict[int, dict]:
    """{request id: {"pipeline": Decimal, "revenue": Decimal, "count": n}}, in CNY."""
    from billing.services.facts import to_cny

    out: dict[int, dict] = {}
    rows = (
        FundedOutcome.objects.filter(request__in=requests)
        .values("request_id", "kind", "currency")
        .annotate(total=Sum("amount"), n=Count("pk"))
        .order_by()
    )
    for row in rows:
        figures = out.setdefault(
            row["request_id"], {"pipeline": Decimal(0), "revenue": Decimal(0), "count": 0}
        )
        figures[row["kind"]] += to_cny(row["total"] or Decimal(0), row["currency"])
        figures["count"] += row["n"]
    return out


def dashboard() -> dict:
    """The staff dashboard's figures: attributed pipeline and revenue (CNY), by source, and the
    activities that brought the most revenue."""
    from billing.services.facts import to_cny

    by_source: dict[str, dict] = {}
    totals = {"pipeline": Decimal(0), "revenue": Decimal(0)}
    for row in (
        FundedOutcome.objects.values("source", "kind", "currency").annotate(total=Sum("amount")).order_by()
    ):
        amount = to_cny(row["total"] or Decimal(0), row["currency"])
        by_source.setdefault(row["source"], {"pipeline": Decimal(0), "revenue": Decimal(0)})[row["kind"]] += (
            amount
        )
        totals[row["kind"]] += amount
    funded = FundRequest.objects.filter(state__in=FUNDED_STATES)
    spent = sum(
        (
            to_cny(r["claim_amount"] or Decimal(0), r["currency"])
            for r in funded.values("claim_amount", "currency")
        ),
        Decimal(0),
    )
    top_ids = (
        FundedOutcome.objects.filter(kind=FundedOutcome.Kind.REVENUE)
        .values("request_id")
        .annotate(total=Sum("amount"))
        .order_by("-total")[:5]
    )
    requests = FundRequest.objects.in_bulk([r["request_id"] for r in top_ids])
    recent = funded.order_by("-end_date")[:500]
    return {
        "totals": totals,
        "leads": sum(leads_in_window(list(recent)).values(), Decimal(0)),
        "by_source": sorted(by_source.items()),
        "activities": funded.count(),
        "with_outcomes": funded.filter(outcomes__isnull=False).distinct().count(),
        "claimed": spent,
        "return_ratio": round(totals["revenue"] / spent, 2) if spent else None,
        "top": [(requests[r["request_id"]], r["total"]) for r in top_ids if r["request_id"] in requests],
    }

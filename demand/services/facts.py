"""Demand facts about partners, reported monthly into ``partners`` (source ``demand``):

* ``leads_received`` — leads verified in the month;
* ``lead_first_response_hours`` — median hours from a lead's arrival to the partner's first
  response, over leads that arrived in the month and were answered;
* ``proposals_sent`` — proposals first submitted in the month;
* ``requirement_win_rate`` — share (%) of the partner's proposals decided in the month
  (accepted or declined) that were accepted;
* ``delivery_success_rate`` — share (%) of milestone verdicts in the month that accepted the work
  (the metric the service ladder's upper tiers require).

A handful of queries whatever the number of partners or months.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from demand.models import AcceptanceOutcome, Lead, MilestoneAcceptance, Proposal, ProposalState
from partners.services.facts import FactRow, ensure_metric, report_facts

SOURCE = "demand"
METRICS = (
    ("leads_received", "收到线索", "Leads received", "count"),
    ("lead_first_response_hours", "线索首次响应时长（小时）", "Lead first response (hours)", "count"),
    ("proposals_sent", "提交方案", "Proposals sent", "count"),
    ("requirement_win_rate", "需求中标率", "Requirement win rate", "percent"),
    ("delivery_success_rate", "交付成功率", "Delivery success rate", "percent"),
)


def ensure_metrics(**kwargs) -> None:
    for slug, name, name_en, unit in METRICS:
        ensure_metric(slug=slug, name=name, name_en=name_en, unit=unit, source=SOURCE)


def _pct(part: int, whole: int) -> Decimal:
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _bounds(first: date, last: date):
    tz = timezone.get_current_timezone()
    start = datetime.combine(first, time.min, tzinfo=tz)
    end = datetime.combine(last + relativedelta(months=1), time.min, tzinfo=tz)
    return start, end


def _month(value: datetime) -> date:
    return timezone.localtime(value).date().replace(day=1)


def demand_fact_rows(*, months: list[date]) -> list[FactRow]:
    start, end = _bounds(months[0], months[-1])
    rows: list[FactRow] = []
    received: dict[tuple, int] = defaultdict(int)
    hours: dict[tuple, list[float]] = defaultdict(list)
    for partner_id, verified, responded in Lead.objects.filter(
        verified_at__gte=start, verified_at__lt=end
    ).values_list("partner_id", "verified_at", "first_responded_at"):
        key = (partner_id, _month(verified))
        received[key] += 1
        if responded:
            hours[key].append(max((responded - verified).total_seconds(), 0) / 3600)
    for (partner_id, month), n in received.items():
        rows.append(FactRow(partner_id, "leads_received", month, n))
    for (partner_id, month), values in hours.items():
        rows.append(
            FactRow(partner_id, "lead_first_response_hours", month, Decimal(str(round(median(values), 2))))
        )

    sent: dict[tuple, int] = defaultdict(int)
    for partner_id, created in Proposal.objects.filter(created_at__gte=start, created_at__lt=end).values_list(
        "partner_id", "created_at"
    ):
        sent[(partner_id, _month(created))] += 1
    for (partner_id, month), n in sent.items():
        rows.append(FactRow(partner_id, "proposals_sent", month, n))

    decided: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for partner_id, state, updated in Proposal.objects.filter(
        state__in=(ProposalState.ACCEPTED, ProposalState.DECLINED), updated_at__gte=start, updated_at__lt=end
    ).values_list("partner_id", "state", "updated_at"):
        counts = decided[(partner_id, _month(updated))]
        counts[0] += state == ProposalState.ACCEPTED
        counts[1] += 1
    for (partner_id, month), (won, total) in decided.items():
        rows.append(FactRow(partner_id, "requirement_win_rate", month, _pct(won, total)))

    verdicts: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for partner_id, outcome, at in MilestoneAcceptance.objects.filter(at__gte=start, at__lt=end).values_list(
        "milestone__proposal__partner_id", "outcome", "at"
    ):
        counts = verdicts[(partner_id, _month(at))]
        counts[0] += outcome == AcceptanceOutcome.ACCEPTED
        counts[1] += 1
    for (partner_id, month), (ok, total) in verdicts.items():
        rows.append(FactRow(partner_id, "delivery_success_rate", month, _pct(ok, total)))
    return rows


def report_demand_facts(*, months: int = 2, last: date | None = None) -> int:
    """Report the ``months`` months ending with ``last`` (default: this month); idempotent."""
    ensure_metrics()
    last = (last or timezone.localdate()).replace(day=1)
    span = [last - relativedelta(months=months - 1 - i) for i in range(months)]
    return report_facts(source=SOURCE, rows=demand_fact_rows(months=span))

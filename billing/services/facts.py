"""Billing's monthly facts about partners, reported into ``partners`` (source ``"billing"``).

Per partner and calendar month (site time zone):

* ``revenue`` (CNY) — charges − refunds in the ledger; USD converted at ``BILLING_USD_CNY_RATE``;
* ``platform_commission`` (CNY) — net commission in the ledger, converted the same way;
* ``active_customers`` / ``active_subscriptions`` — organisations / subscriptions with a paid
  invoice whose service period overlaps the month (an annual invoice counts for 12 months);
* ``new_customers`` — organisations whose first paid invoice with the partner is in the month;
* ``churned_customers`` — active the month before, not this month;
* ``customer_retention`` (percent) — share of last month's customers still active;
* ``trials_started`` / ``trials_converted`` — trials started / converted to paid in the month;
* ``payment_failures`` — invoices of the partner whose payment failed in the month.

Computed from a handful of grouped queries over the whole range, then upserted in one
``report_facts`` call, so re-running a month replaces its values.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from billing.models import Invoice, LedgerEntry, LedgerKind, Trial
from billing.services.payouts import month_bounds, month_start, next_month
from core.money import Currency, quantize
from partners.models import Metric
from partners.services.facts import FactRow, ensure_metric, report_facts

SOURCE = "billing"

# slug → (Chinese name, English name, unit)
METRICS = {
    "revenue": ("收入", "Revenue", Metric.Unit.CNY),
    "platform_commission": ("平台佣金", "Platform commission", Metric.Unit.CNY),
    "active_customers": ("活跃客户", "Active customers", Metric.Unit.COUNT),
    "new_customers": ("新客户", "New customers", Metric.Unit.COUNT),
    "churned_customers": ("流失客户", "Churned customers", Metric.Unit.COUNT),
    "customer_retention": ("客户留存率", "Customer retention", Metric.Unit.PERCENT),
    "trials_started": ("开始试用", "Trials started", Metric.Unit.COUNT),
    "trials_converted": ("试用转化", "Trials converted", Metric.Unit.COUNT),
    "payment_failures": ("付款失败", "Payment failures", Metric.Unit.COUNT),
    "active_subscriptions": ("有效订阅", "Active subscriptions", Metric.Unit.COUNT),
}


ZERO_FILLED = tuple(slug for slug in METRICS if slug != "customer_retention")


def ensure_metrics(**kwargs) -> None:
    """post_migrate: the billing metrics exist (names staff changed are kept)."""
    for slug, (name, name_en, unit) in METRICS.items():
        ensure_metric(slug=slug, name=name, name_en=name_en, unit=unit, source=SOURCE)


def usd_cny_rate() -> Decimal:
    return Decimal(str(getattr(settings, "BILLING_USD_CNY_RATE", "7.10")))


def to_cny(amount: Decimal, currency: str) -> Decimal:
    if currency == Currency.USD:
        return quantize(amount * usd_cny_rate(), Currency.CNY)
    return quantize(amount, Currency.CNY)


def prev_month(month: date) -> date:
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def months_between(first: date, last: date) -> list[date]:
    out, month = [], month_start(first)
    while month <= month_start(last):
        out.append(month)
        month = next_month(month)
    return out


def _local_month(value: datetime) -> date:
    return timezone.localtime(value).date().replace(day=1)


def compute(first: date, last: date, *, partner_ids=None) -> list[FactRow]:
    months = months_between(first, last)
    if not months:
        return []
    start, _end = month_bounds(months[0])
    _start, end = month_bounds(months[-1])
    lookback = prev_month(months[0])  # churn and retention compare with the month before
    month_set = set(months)
    values: dict[tuple[int, str, date], Decimal] = defaultdict(Decimal)

    def scoped(qs, field="partner_id"):
        return qs.filter(**{f"{field}__in": partner_ids}) if partner_ids is not None else qs

    # Money from the ledger.
    tz = timezone.get_current_timezone()
    ledger = (
        scoped(LedgerEntry.objects.filter(occurred_at__gte=start, occurred_at__lt=end))
        .annotate(m=TruncMonth("occurred_at", tzinfo=tz))
        .values("partner_id", "currency", "kind", "m")
        .annotate(s=Sum("amount"))
    )
    for row in ledger:
        month = row["m"].date() if isinstance(row["m"], datetime) else row["m"]
        amount = to_cny(Decimal(str(row["s"] or 0)), row["currency"])
        if row["kind"] in (LedgerKind.CHARGE, LedgerKind.REFUND):
            values[(row["partner_id"], "revenue", month)] += amount
        elif row["kind"] == LedgerKind.COMMISSION:
            values[(row["partner_id"], "platform_commission", month)] += -amount

    # Customers and subscriptions from paid invoices' service periods.
    paid = scoped(
        Invoice.objects.filter(partner__isnull=False, paid_at__isnull=False, paid_at__lt=end)
    ).values_list("partner_id", "organisation_id", "subscription_id", "paid_at", "period_start", "period_end")
    active_orgs: dict[tuple[int, date], set] = defaultdict(set)
    active_subs: dict[tuple[int, date], set] = defaultdict(set)
    first_paid: dict[tuple[int, int], date] = {}
    for partner_id, org_id, sub_id, paid_at, p_start, p_end in paid.iterator():
        paid_month = _local_month(paid_at)
        key = (partner_id, org_id)
        first_paid[key] = min(first_paid.get(key, paid_month), paid_month)
        if p_start and p_end and p_end > p_start:
            covered_first = _local_month(p_start)
            # A period ending exactly at midnight on the 1st does not cover that month.
            covered_last = _local_month(p_end - timedelta(seconds=1))
        else:
            covered_first = covered_last = paid_month
        if covered_last < lookback:
            continue
        month = max(covered_first, lookback)
        while month <= covered_last and month <= months[-1]:
            active_orgs[(partner_id, month)].add(org_id)
            if sub_id:
                active_subs[(partner_id, month)].add(sub_id)
            month = next_month(month)
    partners_seen = {pid for pid, _m in active_orgs} | {pid for pid, _o in first_paid}
    for partner_id in partners_seen:
        for month in months:
            orgs = active_orgs.get((partner_id, month), set())
            before = active_orgs.get((partner_id, prev_month(month)), set())
            values[(partner_id, "active_customers", month)] = Decimal(len(orgs))
            values[(partner_id, "active_subscriptions", month)] = Decimal(
                len(active_subs.get((partner_id, month), ()))
            )
            values[(partner_id, "churned_customers", month)] = Decimal(len(before - orgs))
            if before:
                kept = Decimal(len(before & orgs)) * 100 / Decimal(len(before))
                values[(partner_id, "customer_retention", month)] = kept.quantize(Decimal("0.01"))
            values.setdefault((partner_id, "new_customers", month), Decimal(0))
    for (partner_id, _org), month in first_paid.items():
        if month in month_set:
            values[(partner_id, "new_customers", month)] += 1

    # Trials.
    trials = scoped(Trial.objects.filter(listing__partner__isnull=False), "listing__partner_id")
    for partner_id, started_at, status, ended_at in trials.values_list(
        "listing__partner_id", "started_at", "status", "ended_at"
    ).iterator():
        if start <= started_at < end:
            values[(partner_id, "trials_started", _local_month(started_at))] += 1
        if status == Trial.Status.CONVERTED and ended_at and start <= ended_at < end:
            values[(partner_id, "trials_converted", _local_month(ended_at))] += 1

    # Payment failures.
    failed = scoped(Invoice.objects.filter(partner__isnull=False, failed_at__gte=start, failed_at__lt=end))
    for partner_id, failed_at in failed.values_list("partner_id", "failed_at").iterator():
        values[(partner_id, "payment_failures", _local_month(failed_at))] += 1

    # A partner billing knows about gets a value for every month (no sale that month is a 0).
    known = {pid for pid, _metric, _month in values}
    for partner_id in known:
        for month in months:
            for metric in ZERO_FILLED:
                values.setdefault((partner_id, metric, month), Decimal(0))
    return [
        FactRow(pid, metric, month, value)
        for (pid, metric, month), value in values.items()
        if month in month_set
    ]


def report(first: date, last: date, *, partner_ids=None) -> int:
    """Compute and upsert billing facts for every month from ``first`` to ``last``."""
    ensure_metrics()
    return report_facts(source=SOURCE, rows=compute(first, last, partner_ids=partner_ids))


def report_recent(months: int = 2, today: date | None = None) -> int:
    """The beat task's call: the current month so far and the one before it."""
    today = today or timezone.localdate()
    last = month_start(today)
    first = last
    for _ in range(months - 1):
        first = prev_month(first)
    return report(first, last)

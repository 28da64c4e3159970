"""Facts the incentives app reports about partners each month (for health and tiers):
``mdf_received`` (MDF paid in the month, CNY pools) and ``mdf_utilisation`` (share of the
allocation of the pools running that month that is held or paid, in percent). Stars are
reported by ``incentives.services.stars``."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import Sum

from incentives.models import IncentiveLedgerEntry, IncentivePool, LedgerKind
from partners.models import Metric
from partners.services.facts import FactRow, ensure_metric, report_facts

SOURCE = "incentives"


def _month_end(month: date) -> date:
    following = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return following


def report_mdf_facts(*, month: date) -> int:
    month = month.replace(day=1)
    ensure_metric(
        slug="mdf_received",
        name="已获市场发展基金",
        name_en="MDF received",
        unit=Metric.Unit.CNY,
        source=SOURCE,
    )
    ensure_metric(
        slug="mdf_utilisation",
        name="市场发展基金使用率",
        name_en="MDF utilisation",
        unit=Metric.Unit.PERCENT,
        source=SOURCE,
    )
    rows = []
    paid = (
        IncentiveLedgerEntry.objects.filter(
            kind=LedgerKind.PAYMENT,
            currency="CNY",
            created_at__date__gte=month,
            created_at__date__lt=_month_end(month),
        )
        .values("partner_id")
        .annotate(s=Sum("amount"))
        .order_by()
    )
    rows += [FactRow(row["partner_id"], "mdf_received", month, -row["s"]) for row in paid]
    pools = IncentivePool.objects.exclude(status=IncentivePool.Status.DRAFT).filter(
        period_start__lt=_month_end(month), period_end__gte=month
    )
    sums: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in (
        IncentiveLedgerEntry.objects.filter(pool__in=pools)
        .values("partner_id", "kind")
        .annotate(s=Sum("amount"))
        .order_by()
    ):
        sums[row["partner_id"]][row["kind"]] += row["s"]
    for partner_id, kinds in sums.items():
        allocated = kinds[LedgerKind.ALLOCATION]
        if allocated > 0:
            used = -(kinds[LedgerKind.HOLD] + kinds[LedgerKind.RELEASE] + kinds[LedgerKind.PAYMENT])
            rows.append(
                FactRow(
                    partner_id, "mdf_utilisation", month, (used * 100 / allocated).quantize(Decimal("0.01"))
                )
            )
    return report_facts(source=SOURCE, rows=rows)

"""Co-sell's monthly facts about partners, reported into ``partners`` (source ``"cosell"``).

Per partner and calendar month:

* ``cosell_registrations`` — registrations submitted in the month;
* ``cosell_pipeline`` (CNY) — estimated value of the registrations submitted in the month
  (USD at billing's rate);
* ``cosell_won`` / ``cosell_win_rate`` (percent) — registrations won in the month, and won ÷
  (won + lost) among those closed in the month;
* ``cosell_revenue`` (CNY) — attributed invoice amounts (co-sell revenue) in the month.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

from billing.services.facts import to_cny
from cosell.models import Attribution, DealRegistration, Status, Transition
from partners.models import Metric
from partners.services.facts import FactRow, ensure_metric, report_facts

SOURCE = "cosell"
METRICS = {
    "cosell_registrations": ("报备商机", "Deal registrations", Metric.Unit.COUNT),
    "cosell_pipeline": ("报备商机金额", "Registered pipeline", Metric.Unit.CNY),
    "cosell_won": ("赢单数", "Deals won", Metric.Unit.COUNT),
    "cosell_win_rate": ("赢单率", "Win rate", Metric.Unit.PERCENT),
    "cosell_revenue": ("协同销售收入", "Co-sell revenue", Metric.Unit.CNY),
}


def ensure_metrics(**kwargs) -> None:
    for slug, (name, name_en, unit) in METRICS.items():
        ensure_metric(slug=slug, name=name, name_en=name_en, unit=unit, source=SOURCE)


def compute(*, since: date | None = None) -> dict[tuple[int, str, date], Decimal]:
    values: dict[tuple[int, str, date], Decimal] = defaultdict(Decimal)
    regs = DealRegistration.objects.filter(submitted_at__isnull=False)
    if since:
        regs = regs.filter(submitted_at__date__gte=since)
    for row in (
        regs.annotate(month=TruncMonth("submitted_at"))
        .values("partner_id", "month", "currency")
        .annotate(n=Count("pk"), total=Sum("estimated_value"))
    ):
        month = row["month"].date() if hasattr(row["month"], "date") else row["month"]
        values[(row["partner_id"], "cosell_registrations", month)] += row["n"]
        values[(row["partner_id"], "cosell_pipeline", month)] += to_cny(row["total"], row["currency"])
    closed = defaultdict(lambda: [0, 0])
    transitions = Transition.objects.filter(to_status__in=(Status.WON, Status.LOST))
    if since:
        transitions = transitions.filter(at__date__gte=since)
    for row in (
        transitions.annotate(month=TruncMonth("at"))
        .values("registration__partner_id", "month", "to_status")
        .annotate(n=Count("pk"))
    ):
        month = row["month"].date() if hasattr(row["month"], "date") else row["month"]
        key = (row["registration__partner_id"], month)
        closed[key][0 if row["to_status"] == Status.WON else 1] += row["n"]
    for (partner_id, month), (won, lost) in closed.items():
        values[(partner_id, "cosell_won", month)] = Decimal(won)
        values[(partner_id, "cosell_win_rate", month)] = Decimal(round(100 * won / (won + lost), 1))
    attributions = Attribution.objects.all()
    if since:
        attributions = attributions.filter(created_at__date__gte=since)
    for row in (
        attributions.annotate(month=TruncMonth("created_at"))
        .values("registration__partner_id", "month", "currency")
        .annotate(total=Sum("amount"))
    ):
        month = row["month"].date() if hasattr(row["month"], "date") else row["month"]
        values[(row["registration__partner_id"], "cosell_revenue", month)] += to_cny(
            row["total"], row["currency"]
        )
    return values


def report(*, since: date | None = None) -> int:
    """Compute and upsert the facts (re-running a month replaces its values)."""
    ensure_metrics()
    rows = [
        FactRow(pid, metric, month, value) for (pid, metric, month), value in compute(since=since).items()
    ]
    return report_facts(source=SOURCE, rows=rows)

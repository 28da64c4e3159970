"""Demo health model: vendor revenue, catalogue facts history, 24 months of snapshots and two
partners visibly at risk.

Runs last in ``seed_demo`` (after ``demo.marketplace``), so it scores whatever facts the other
sections reported (the programme's demo facts, billing's and the marketplace's when present).
Deterministic (dates from ``DEMO_TODAY``, choices by primary key and ``ctx.rng``) and idempotent:
vendor revenue is upserted per month, facts and snapshots are upserted, flags are unique.

* ``VendorRevenue`` — 24 months; the ecosystem multiplier (partner revenue ÷ vendor revenue)
  rises from about 1 : 2.2 two years ago to about 1 : 3 in the last month.
* Catalogue facts come first from ``demo.catalog_facts`` (partners never imports catalog).
* At risk — the two best-scoring ISV / service partners of the month before last (not the
  flagship) lose revenue, ratings, certified people and freshness in the last month, so
  their health score drops by well over 10 points: flags of cause "drop" (and "floor" when
  they fall below it). ``ctx.registry["partners.at_risk"]`` holds their ids.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum

from demo.base import DEMO_TODAY, SeedContext
from health.models import HealthSnapshot, VendorRevenue
from health.services import snapshots as health
from partners.models import PartnerFact, PartnerKind
from partners.selectors.programme import month_start, shift_months
from partners.services.facts import FactRow, report_facts

MONTHS = 24
AS_OF = month_start(DEMO_TODAY)
FIRST = shift_months(AS_OF, -(MONTHS - 1))
START_MULTIPLIER, END_MULTIPLIER = Decimal("2.2"), Decimal("3.0")
DEMO_SOURCE = "demo"
# Last-month figures of an at-risk partner, as a share of what it had (or a fixed value).
DEGRADE = {
    "revenue": Decimal("0.15"),
    "new_customers": Decimal("0"),
    "certified_people": Decimal("0.3"),
    "delivery_success_rate": Decimal("0.7"),
    "customer_retention": Decimal("0.6"),
    "fresh_listings_pct": Decimal("0"),
    "listing_releases": Decimal("0"),
}
DEGRADE_FIXED = {
    "avg_rating": Decimal("2.9"),
    "churned_customers": Decimal("12"),
    "payment_failures": Decimal("6"),
}


def seed_vendor_revenue(ctx: SeedContext) -> None:
    with ctx.section("Health: vendor revenue (ecosystem multiplier)") as counts:
        totals = dict(
            PartnerFact.objects.filter(metric__slug="revenue", month__gte=FIRST, month__lte=AS_OF)
            .values_list("month")
            .annotate(total=Sum("value"))
            .values_list("month", "total")
        )
        rng = ctx.rng("health:vendor")
        counts["months"] = 0
        for i in range(MONTHS):
            month = shift_months(FIRST, i)
            multiplier = START_MULTIPLIER + (END_MULTIPLIER - START_MULTIPLIER) * i / (MONTHS - 1)
            multiplier *= Decimal(str(round(rng.uniform(0.97, 1.03), 3)))
            partner_revenue = totals.get(month) or Decimal(1_000_000) * (1 + Decimal(i) / 20)
            amount = (partner_revenue / multiplier).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
            VendorRevenue.objects.update_or_create(
                month=month,
                defaults={"amount": amount, "note": f"Demo: 1 : {multiplier.quantize(Decimal('0.01'))}"},
            )
            counts["months"] += 1


def _pick_at_risk(ctx: SeedContext) -> list[int]:
    flagship = ctx.registry.get("partners.flagship")
    previous = shift_months(AS_OF, -1)
    picked = []
    for kind in (PartnerKind.SERVICE, PartnerKind.ISV):
        candidate = (
            HealthSnapshot.objects.filter(month=previous, kind=kind)
            .exclude(partner_id=flagship)
            .exclude(partner_id__in=picked)
            .order_by("-composite", "partner_id")
            .values_list("partner_id", flat=True)
            .first()
        )
        if candidate:
            picked.append(candidate)
    return picked


def _degrade(partner_ids: list[int]) -> int:
    rows = []
    facts = PartnerFact.objects.filter(partner_id__in=partner_ids, month=AS_OF).values_list(
        "partner_id", "metric__slug", "value"
    )
    for pid, slug, value in facts:
        if slug in DEGRADE:
            rows.append(FactRow(pid, slug, AS_OF, (value * DEGRADE[slug]).quantize(Decimal("0.01"))))
        elif slug in DEGRADE_FIXED:
            rows.append(FactRow(pid, slug, AS_OF, DEGRADE_FIXED[slug]))
    return report_facts(source=DEMO_SOURCE, rows=rows)


def seed_snapshots(ctx: SeedContext) -> None:
    # Outside a transaction: compute_snapshots scores the months on two connections side by side.
    with ctx.section("Health: 24 months of snapshots", atomic=False) as counts:
        summary = health.compute_snapshots(first=FIRST, last=AS_OF, notify=False)
        counts["snapshots"] = summary["snapshots"]
    with ctx.section("Health: partners at risk") as counts:
        at_risk = _pick_at_risk(ctx)
        counts["degraded facts"] = _degrade(at_risk)
        summary = health.compute_snapshots(first=AS_OF, last=AS_OF, notify=False)
        counts["flags"] = summary["flags"]
        ctx.registry["partners.at_risk"] = at_risk


def seed(ctx: SeedContext) -> None:
    seed_vendor_revenue(ctx)
    seed_snapshots(ctx)

"""Figures by month for the dashboard and the ecosystem report: one query each, over the
filtered partners. Reads ``HealthSnapshot``, ``PartnerFact``, ``VendorRevenue``, ``TierChange``
and ``AtRiskFlag`` only (billing and catalog figures arrive as facts)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from health.models import AtRiskFlag, HealthDimension, HealthSnapshot, VendorRevenue
from health.selectors import scores
from health.selectors.filters import DashboardFilters, partner_q
from partners.models import Partner, PartnerFact, Tier, TierChange
from partners.selectors.programme import month_start, shift_months

MULTIPLIER_GOAL = Decimal("6")
DIMENSIONS = list(HealthDimension.values)


def num(value) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)


def pct(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(str(part)) * 100 / Decimal(str(whole))).quantize(Decimal("0.1"))


def ratio(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(str(part)) / Decimal(str(whole))).quantize(Decimal("0.01"))


def fact_totals(filters: DashboardFilters, slugs: list[str]) -> dict[str, dict[date, Decimal]]:
    """``{slug: {month: sum over the filtered partners}}`` (one query)."""
    rows = (
        PartnerFact.objects.filter(
            partner_q(filters), metric__slug__in=slugs, month__gte=filters.start, month__lte=filters.end
        )
        .values_list("metric__slug", "month")
        .annotate(total=Sum("value"))
    )
    out: dict[str, dict[date, Decimal]] = {slug: {} for slug in slugs}
    for slug, month, total in rows:
        out[slug][month] = num(total)
    return out


def partners_by_kind(filters: DashboardFilters) -> dict[str, dict[date, int]]:
    rows = (
        HealthSnapshot.objects.filter(partner_q(filters), month__gte=filters.start, month__lte=filters.end)
        .values_list("kind", "month")
        .annotate(n=Count("id"))
    )
    out: dict[str, dict[date, int]] = {}
    for kind, month, n in rows:
        out.setdefault(kind, {})[month] = n
    return out


def partners_by_tier(filters: DashboardFilters) -> dict[int | None, dict[date, int]]:
    rows = (
        HealthSnapshot.objects.filter(partner_q(filters), month__gte=filters.start, month__lte=filters.end)
        .values_list("tier_id", "month")
        .annotate(n=Count("id"))
    )
    out: dict[int | None, dict[date, int]] = {}
    for tier_id, month, n in rows:
        out.setdefault(tier_id, {})[month] = n
    return out


def tier_series(filters: DashboardFilters) -> list[tuple[str, dict[date, int]]]:
    """Snapshot counts per tier and month: each tier by name when one kind is shown; across
    kinds (whose ladders differ) by level — rank 0 is level 1 — with the names in the legend."""
    by_tier = partners_by_tier(filters)
    tiers = {t.pk: t for t in Tier.objects.filter(pk__in=[t for t in by_tier if t])}
    groups: dict[tuple, dict] = {}
    for tier_id, counts in by_tier.items():
        tier = tiers.get(tier_id)
        if tier is None:
            key, name = (1, 0, ""), str(_("No tier"))
        elif filters.kind:
            key, name = (0, tier.rank, tier.slug), tier.t_name
        else:
            key, name = (0, tier.rank, ""), str(_("Level %(n)s") % {"n": tier.rank + 1})
        group = groups.setdefault(key, {"name": name, "counts": {}})
        for month, n in counts.items():
            group["counts"][month] = group["counts"].get(month, 0) + n
    return [(groups[key]["name"], groups[key]["counts"]) for key in sorted(groups)]


def new_partners(filters: DashboardFilters) -> dict[date, int]:

    qs = Partner.objects.filter(
        joined_on__gte=filters.start, joined_on__lt=shift_months(filters.end, 1)
    ).filter(partner_q(filters, prefix=""))
    rows = qs.annotate(m=TruncMonth("joined_on")).values_list("m").annotate(n=Count("id", distinct=True))
    return {month_start(m): n for m, n in rows if m}


def vendor_revenue(filters: DashboardFilters) -> dict[date, Decimal]:
    return dict(
        VendorRevenue.objects.filter(month__gte=filters.start, month__lte=filters.end).values_list(
            "month", "amount"
        )
    )


def tier_movements(filters: DashboardFilters) -> tuple[dict[date, dict[str, int]], list[TierChange]]:
    qs = (
        TierChange.objects.filter(
            partner_q(filters),
            changed_at__date__gte=filters.start,
            changed_at__date__lt=shift_months(filters.end, 1),
        )
        .select_related("partner__organisation", "from_tier", "to_tier")
        .order_by("-changed_at")
    )
    by_month: dict[date, dict[str, int]] = {}
    changes = list(qs[:500])
    for change in changes:
        month = month_start(timezone.localtime(change.changed_at).date())
        from_rank = change.from_tier.rank if change.from_tier else -1
        to_rank = change.to_tier.rank if change.to_tier else -1
        direction = "up" if to_rank > from_rank else "down" if to_rank < from_rank else "same"
        counts = by_month.setdefault(month, {"up": 0, "down": 0, "same": 0})
        counts[direction] += 1
        change.direction = direction
    return by_month, changes[:20]


def top_movers(filters: DashboardFilters, month: date, limit: int = 10) -> tuple[list, list]:
    qs = (
        HealthSnapshot.objects.filter(partner_q(filters), month=month, previous_composite__isnull=False)
        .select_related("partner__organisation", "tier")
        .order_by()
    )
    rows = scores.attach_to_snapshots(list(qs))
    risers = sorted((s for s in rows if s.delta > 0), key=lambda s: (-s.delta, s.partner_id))[:limit]
    fallers = sorted((s for s in rows if s.delta < 0), key=lambda s: (s.delta, s.partner_id))[:limit]
    return risers, fallers


def at_risk(filters: DashboardFilters, month: date | None = None, limit: int = 50) -> list[AtRiskFlag]:
    qs = AtRiskFlag.objects.filter(partner_q(filters)).select_related(
        "partner__organisation", "partner__tier"
    )
    qs = qs.filter(month=month) if month else qs.filter(month__gte=filters.start, month__lte=filters.end)
    flags = scores.attach_to_flags(list(qs.order_by("-month", "composite", "partner_id")[:limit]))
    for flag in flags:
        flag.cause_text = describe_cause(flag)
    return flags


one_decimal = scores.one_decimal


def with_cause(flag: AtRiskFlag) -> AtRiskFlag:
    scores.attach_to_flags([flag])
    flag.cause_text = describe_cause(flag)
    return flag


def with_causes(flags: list[AtRiskFlag]) -> list[AtRiskFlag]:
    """Flags with their snapshot's figures and the cause in words (one query for the figures)."""
    scores.attach_to_flags(flags)
    for flag in flags:
        flag.cause_text = describe_cause(flag)
    return flags


def trial_conversion(filters: DashboardFilters) -> dict:
    """Trials started and converted over the filtered months and the conversion rate: the one
    definition of "trial to paid" on the dashboard, its export and the ecosystem report."""
    funnel = fact_totals(filters, ["trials_started", "trials_converted"])
    started = sum(funnel["trials_started"].values(), Decimal(0))
    converted = sum(funnel["trials_converted"].values(), Decimal(0))
    return {"started": started, "converted": converted, "rate": pct(converted, started), "by_month": funnel}


def multiplier(filters: DashboardFilters) -> Decimal | None:
    """Partner revenue ÷ vendor revenue over the filtered months (the ecosystem multiplier)."""
    revenue = sum(fact_totals(filters, ["revenue"])["revenue"].values(), Decimal(0))
    vendor = sum(vendor_revenue(filters).values(), Decimal(0))
    return ratio(revenue, vendor)


def describe_cause(flag: AtRiskFlag) -> str:
    detail = flag.cause_detail or {}
    dimension = dict(HealthDimension.choices).get(detail.get("dimension"))
    if flag.cause == AtRiskFlag.Cause.DROP and flag.previous_composite is not None:
        text = _("Fell %(points)s points (from %(before)s to %(now)s)") % {
            "points": one_decimal(flag.previous_composite - flag.composite),
            "before": one_decimal(flag.previous_composite),
            "now": one_decimal(flag.composite),
        }
        if dimension:
            text += _("; most in %(dimension)s") % {"dimension": dimension}
        return text
    floor = detail.get("floor") or detail.get("threshold")
    if floor is not None:
        return _("Health score %(now)s is below the floor of %(floor)s") % {
            "now": one_decimal(flag.composite),
            "floor": floor,
        }
    return flag.get_cause_display()


def score_distribution(filters: DashboardFilters, month: date) -> list[int]:
    """Partners per composite band 0–10, 10–20 … 90–100 in ``month``."""
    bands = [0] * 10
    for composite in HealthSnapshot.objects.filter(partner_q(filters), month=month).values_list(
        "composite", flat=True
    ):
        bands[min(9, max(0, int(composite // 10)))] += 1
    return bands

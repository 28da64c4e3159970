"""Read side of ecosystem health for people: the staff dashboard, score drill-down, the
partner's own health page and the PDF reports. Reads ``HealthSnapshot``, ``PartnerFact``,
``VendorRevenue``, ``TierChange`` and ``AtRiskFlag`` only (no higher app is imported: billing
and catalog figures arrive as facts).

Access rules (permission strings, held by the staff groups of ``accounts/roles.py``):

* ``health.view_healthsnapshot`` — health screens: scores, at-risk, drill-down, every
  partner report (programme managers, ecosystem admins);
* ``health.view_vendorrevenue`` — revenue figures: GMV, platform revenue, the ecosystem
  multiplier, and the ecosystem report (also granted to Finance).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from health.models import (
    AtRiskFlag,
    GeneratedReport,
    HealthDimension,
    HealthMetric,
    HealthSnapshot,
    VendorRevenue,
)
from partners.models import Partner, PartnerFact, PartnerKind, Region, Tier, TierChange
from partners.selectors.programme import display_value, month_start, shift_months

VIEW_HEALTH = "health.view_healthsnapshot"
VIEW_REVENUE = "health.view_vendorrevenue"
MULTIPLIER_GOAL = Decimal("6")
DEFAULT_MONTHS = 12
MAX_MONTHS = 36
DIMENSIONS = list(HealthDimension.values)


# --- access --------------------------------------------------------------------------------------
def can_view_health(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(VIEW_HEALTH))


def can_view_revenue(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(VIEW_REVENUE))


def can_view_dashboard(user) -> bool:
    return can_view_health(user) or can_view_revenue(user)


def is_partner_member(user, partner_id) -> bool:
    if not (user and user.is_authenticated and partner_id):
        return False
    return Partner.objects.filter(pk=partner_id, organisation__memberships__user=user).exists()


def can_access_report(user, report: GeneratedReport) -> bool:
    """Partner reports: that partner's members and health staff. Ecosystem: health staff, finance."""
    if not (user and user.is_authenticated):
        return False
    if report.kind == GeneratedReport.Kind.ECOSYSTEM:
        return can_view_dashboard(user)
    return can_view_health(user) or is_partner_member(user, report.partner_id)


# --- months and filters ----------------------------------------------------------------------------
def months_between(start: date, end: date) -> list[date]:
    out, month = [], month_start(start)
    end = month_start(end)
    while month <= end and len(out) <= MAX_MONTHS * 4:
        out.append(month)
        month = shift_months(month, 1)
    return out


def latest_snapshot_month() -> date | None:
    return HealthSnapshot.objects.order_by("-month").values_list("month", flat=True).first()


def _parse_month(value: str | None) -> date | None:
    if not value:
        return None
    try:
        year, month = str(value)[:7].split("-")
        return date(int(year), int(month), 1)
    except (TypeError, ValueError):
        return None


@dataclass
class DashboardFilters:
    start: date
    end: date
    kind: str | None = None
    region: str | None = None  # Region.code
    errors: list[str] = field(default_factory=list)

    @property
    def months(self) -> list[date]:
        return months_between(self.start, self.end)

    def querystring(self) -> str:
        from urllib.parse import urlencode

        params = {"start": f"{self.start:%Y-%m}", "end": f"{self.end:%Y-%m}"}
        if self.kind:
            params["kind"] = self.kind
        if self.region:
            params["region"] = self.region
        return urlencode(params)


def parse_filters(params) -> DashboardFilters:
    """Filters from a query string; bad values are replaced by defaults and reported in ``errors``."""
    errors = []
    default_end = latest_snapshot_month() or shift_months(month_start(timezone.localdate()), -1)
    end = _parse_month(params.get("end"))
    if params.get("end") and end is None:
        errors.append(_("Enter months as YYYY-MM."))
    end = end or default_end
    start = _parse_month(params.get("start"))
    if params.get("start") and start is None and not errors:
        errors.append(_("Enter months as YYYY-MM."))
    start = start or shift_months(end, -(DEFAULT_MONTHS - 1))
    if start > end:
        errors.append(_("The period starts after it ends: showing the default period."))
        start = shift_months(end, -(DEFAULT_MONTHS - 1))
    if len(months_between(start, end)) > MAX_MONTHS:
        errors.append(_("At most %(n)s months can be shown at once.") % {"n": MAX_MONTHS})
        start = shift_months(end, -(MAX_MONTHS - 1))
    kind = params.get("kind") or None
    if kind and kind not in PartnerKind.values:
        errors.append(_("Unknown partner kind."))
        kind = None
    region = params.get("region") or None
    if region and not Region.objects.filter(code=region).exists():
        errors.append(_("Unknown region."))
        region = None
    return DashboardFilters(start=start, end=end, kind=kind, region=region, errors=errors)


def _partner_q(filters: DashboardFilters, prefix: str = "partner__") -> Q:
    q = Q()
    if filters.kind:
        q &= Q(**{f"{prefix}kind": filters.kind})
    if filters.region:
        q &= Q(**{f"{prefix}regions__code": filters.region})
    return q


def _num(value) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)


def _pct(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(str(part)) * 100 / Decimal(str(whole))).quantize(Decimal("0.1"))


def _ratio(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(str(part)) / Decimal(str(whole))).quantize(Decimal("0.01"))


# --- figures by month --------------------------------------------------------------------------
def fact_totals(filters: DashboardFilters, slugs: list[str]) -> dict[str, dict[date, Decimal]]:
    """``{slug: {month: sum over the filtered partners}}`` (one query)."""
    rows = (
        PartnerFact.objects.filter(
            _partner_q(filters), metric__slug__in=slugs, month__gte=filters.start, month__lte=filters.end
        )
        .values_list("metric__slug", "month")
        .annotate(total=Sum("value"))
    )
    out: dict[str, dict[date, Decimal]] = {slug: {} for slug in slugs}
    for slug, month, total in rows:
        out[slug][month] = _num(total)
    return out


def partners_by_kind(filters: DashboardFilters) -> dict[str, dict[date, int]]:
    rows = (
        HealthSnapshot.objects.filter(_partner_q(filters), month__gte=filters.start, month__lte=filters.end)
        .values_list("kind", "month")
        .annotate(n=Count("id"))
    )
    out: dict[str, dict[date, int]] = {}
    for kind, month, n in rows:
        out.setdefault(kind, {})[month] = n
    return out


def partners_by_tier(filters: DashboardFilters) -> dict[int | None, dict[date, int]]:
    rows = (
        HealthSnapshot.objects.filter(_partner_q(filters), month__gte=filters.start, month__lte=filters.end)
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
    from django.db.models.functions import TruncMonth

    qs = Partner.objects.filter(
        joined_on__gte=filters.start, joined_on__lt=shift_months(filters.end, 1)
    ).filter(_partner_q(filters, prefix=""))
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
            _partner_q(filters),
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
        HealthSnapshot.objects.filter(_partner_q(filters), month=month, previous_composite__isnull=False)
        .select_related("partner__organisation", "tier")
        .order_by()
    )
    rows = list(qs)
    for snap in rows:
        snap.delta = snap.composite - snap.previous_composite
    risers = sorted((s for s in rows if s.delta > 0), key=lambda s: (-s.delta, s.partner_id))[:limit]
    fallers = sorted((s for s in rows if s.delta < 0), key=lambda s: (s.delta, s.partner_id))[:limit]
    return risers, fallers


def at_risk(filters: DashboardFilters, month: date | None = None, limit: int = 50) -> list[AtRiskFlag]:
    qs = AtRiskFlag.objects.filter(_partner_q(filters)).select_related(
        "partner__organisation", "partner__tier"
    )
    qs = qs.filter(month=month) if month else qs.filter(month__gte=filters.start, month__lte=filters.end)
    flags = list(qs.order_by("-month", "composite", "partner_id")[:limit])
    for flag in flags:
        flag.cause_text = describe_cause(flag)
    return flags


def _one_decimal(value) -> Decimal:
    """Rounded like the ``floatformat:1`` of the templates (half up), so figures agree."""
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _with_cause(flag: AtRiskFlag) -> AtRiskFlag:
    flag.cause_text = describe_cause(flag)
    return flag


def describe_cause(flag: AtRiskFlag) -> str:
    detail = flag.cause_detail or {}
    dimension = dict(HealthDimension.choices).get(detail.get("dimension"))
    if flag.cause == AtRiskFlag.Cause.DROP and flag.previous_composite is not None:
        text = _("Fell %(points)s points (from %(before)s to %(now)s)") % {
            "points": _one_decimal(flag.previous_composite - flag.composite),
            "before": _one_decimal(flag.previous_composite),
            "now": _one_decimal(flag.composite),
        }
        if dimension:
            text += _("; most in %(dimension)s") % {"dimension": dimension}
        return text
    floor = detail.get("floor") or detail.get("threshold")
    if floor is not None:
        return _("Health score %(now)s is below the floor of %(floor)s") % {
            "now": _one_decimal(flag.composite),
            "floor": floor,
        }
    return flag.get_cause_display()


def score_distribution(filters: DashboardFilters, month: date) -> list[int]:
    """Partners per composite band 0–10, 10–20 … 90–100 in ``month``."""
    bands = [0] * 10
    for composite in HealthSnapshot.objects.filter(_partner_q(filters), month=month).values_list(
        "composite", flat=True
    ):
        bands[min(9, max(0, int(composite // 10)))] += 1
    return bands


# --- the dashboard ---------------------------------------------------------------------------------
REVENUE_SLUGS = ["revenue", "platform_commission"]
FUNNEL_SLUGS = ["trials_started", "trials_converted"]


def _month_label(month: date) -> str:
    return f"{month:%Y-%m}"


def dashboard(filters: DashboardFilters, *, show_health: bool, show_revenue: bool) -> dict:
    """Everything the dashboard shows, as plain figures (``tables``) and chart specs (``charts``).

    ``tables`` is what the CSV/XLSX export writes: a list of ``{"key", "title", "columns", "rows"}``.
    """
    months = filters.months
    labels = [_month_label(m) for m in months]
    last = months[-1]
    tables: list[dict] = []
    charts: dict[str, dict] = {}
    data: dict = {"months": months, "labels": labels, "last_month": last}

    if show_health:
        by_kind = partners_by_kind(filters)
        kinds = [k for k in PartnerKind.values if k in by_kind]
        kind_names = dict(PartnerKind.choices)
        tables.append(
            {
                "key": "partners_by_kind",
                "title": _("Partners by kind"),
                "columns": [_("Month"), *[str(kind_names[k]) for k in kinds], _("Total")],
                "rows": [
                    [lab, *[by_kind[k].get(m, 0) for k in kinds], sum(by_kind[k].get(m, 0) for k in kinds)]
                    for m, lab in zip(months, labels, strict=True)
                ],
            }
        )
        charts["partners_by_kind"] = {
            "type": "bar",
            "stacked": True,
            "title": str(_("Partners by kind")),
            "labels": labels,
            "series": [
                {"name": str(kind_names[k]), "values": [by_kind[k].get(m, 0) for m in months]} for k in kinds
            ],
        }
        by_tier = tier_series(filters)
        tables.append(
            {
                "key": "partners_by_tier",
                "title": _("Partners by tier"),
                "columns": [_("Month"), *[name for name, _counts in by_tier]],
                "rows": [
                    [lab, *[counts.get(m, 0) for _name, counts in by_tier]]
                    for m, lab in zip(months, labels, strict=True)
                ],
            }
        )
        charts["partners_by_tier"] = {
            "type": "bar",
            "stacked": True,
            "title": str(_("Partners by tier")),
            "labels": labels,
            "series": [
                {"name": name, "values": [counts.get(m, 0) for m in months]} for name, counts in by_tier
            ],
        }
        joined = new_partners(filters)
        tables.append(
            {
                "key": "new_partners",
                "title": _("New partners"),
                "columns": [_("Month"), _("New partners")],
                "rows": [[lab, joined.get(m, 0)] for m, lab in zip(months, labels, strict=True)],
            }
        )
        charts["new_partners"] = {
            "type": "bar",
            "title": str(_("New partners per month")),
            "labels": labels,
            "series": [{"name": str(_("New partners")), "values": [joined.get(m, 0) for m in months]}],
            "show_values": True,
        }

        funnel = fact_totals(filters, FUNNEL_SLUGS)
        started = sum(funnel["trials_started"].values(), Decimal(0))
        converted = sum(funnel["trials_converted"].values(), Decimal(0))
        data["funnel"] = {"started": started, "converted": converted, "rate": _pct(converted, started)}
        tables.append(
            {
                "key": "trial_funnel",
                "title": _("Trial to paid"),
                "columns": [_("Month"), _("Trials started"), _("Trials converted"), _("Conversion (%)")],
                "rows": [
                    [
                        lab,
                        funnel["trials_started"].get(m, Decimal(0)),
                        funnel["trials_converted"].get(m, Decimal(0)),
                        _pct(funnel["trials_converted"].get(m, 0), funnel["trials_started"].get(m, 0)),
                    ]
                    for m, lab in zip(months, labels, strict=True)
                ],
            }
        )
        charts["trial_funnel"] = {
            "type": "funnel",
            "title": str(_("Trial to paid")),
            "stages": [(str(_("Trials started")), started), (str(_("Converted to paid")), converted)],
        }

        moves, changes = tier_movements(filters)
        data["tier_changes"] = changes
        tables.append(
            {
                "key": "tier_movements",
                "title": _("Tier movements"),
                "columns": [_("Month"), _("Promotions"), _("Demotions")],
                "rows": [
                    [lab, moves.get(m, {}).get("up", 0), moves.get(m, {}).get("down", 0)]
                    for m, lab in zip(months, labels, strict=True)
                ],
            }
        )
        charts["tier_movements"] = {
            "type": "bar",
            "title": str(_("Tier movements")),
            "labels": labels,
            "series": [
                {
                    "name": str(_("Promotions")),
                    "values": [moves.get(m, {}).get("up", 0) for m in months],
                    "colour": "#0f9d73",
                },
                {
                    "name": str(_("Demotions")),
                    "values": [moves.get(m, {}).get("down", 0) for m in months],
                    "colour": "#dc2626",
                },
            ],
        }

        risers, fallers = top_movers(filters, last)
        data["risers"], data["fallers"] = risers, fallers
        tables.append(
            {
                "key": "top_movers",
                "title": _("Top movers"),
                "columns": [_("Partner"), _("Kind"), _("Health score"), _("Previous"), _("Change")],
                "rows": [
                    [
                        str(s.partner.organisation),
                        s.get_kind_display(),
                        s.composite,
                        s.previous_composite,
                        s.delta,
                    ]
                    for s in [*risers, *fallers]
                ],
            }
        )
        flags = at_risk(filters)
        data["at_risk"] = flags
        tables.append(
            {
                "key": "at_risk",
                "title": _("At-risk partners"),
                "columns": [_("Month"), _("Partner"), _("Health score"), _("Previous"), _("Cause")],
                "rows": [
                    [
                        _month_label(f.month),
                        str(f.partner.organisation),
                        f.composite,
                        f.previous_composite,
                        f.cause_text,
                    ]
                    for f in flags
                ],
            }
        )
        data["distribution"] = score_distribution(filters, last)
        charts["distribution"] = {
            "type": "bar",
            "title": str(_("Health score distribution")),
            "labels": [f"{i * 10}–{i * 10 + 10}" for i in range(10)],
            "series": [{"name": str(_("Partners")), "values": data["distribution"]}],
            "show_values": True,
        }
        kpi_total = sum(by_kind[k].get(last, 0) for k in kinds)
        data["kpi_partners"] = kpi_total
        avg = HealthSnapshot.objects.filter(_partner_q(filters), month=last).values_list(
            "composite", flat=True
        )
        avg = list(avg)
        data["kpi_avg_health"] = (sum(avg) / len(avg)).quantize(Decimal("0.1")) if avg else None

    if show_revenue:
        totals = fact_totals(filters, REVENUE_SLUGS)
        vendor = vendor_revenue(filters)
        gmv = [totals["revenue"].get(m) for m in months]
        commission = [totals["platform_commission"].get(m) for m in months]
        multiplier = [_ratio(totals["revenue"].get(m, 0), vendor.get(m)) for m in months]
        data["multiplier"] = multiplier
        data["multiplier_latest"] = next((x for x in reversed(multiplier) if x is not None), None)
        data["multiplier_goal"] = MULTIPLIER_GOAL
        data["gmv_total"] = sum((g or 0 for g in gmv), Decimal(0))
        data["commission_total"] = sum((c or 0 for c in commission), Decimal(0))
        data["gmv_display"] = display_value(data["gmv_total"], "CNY")
        data["commission_display"] = display_value(data["commission_total"], "CNY")
        tables.append(
            {
                "key": "revenue",
                "title": _("GMV and platform revenue (CNY)"),
                "columns": [
                    _("Month"),
                    _("Partner revenue (GMV)"),
                    _("Platform commission"),
                    _("Vendor revenue"),
                    _("Ecosystem multiplier"),
                ],
                "rows": [
                    [lab, totals["revenue"].get(m), totals["platform_commission"].get(m), vendor.get(m), x]
                    for m, lab, x in zip(months, labels, multiplier, strict=True)
                ],
            }
        )
        charts["revenue"] = {
            "type": "line",
            "title": str(_("GMV and platform revenue (CNY)")),
            "labels": labels,
            "series": [
                {"name": str(_("Partner revenue (GMV)")), "values": gmv},
                {"name": str(_("Platform commission")), "values": commission},
            ],
            "unit": "",
        }
        charts["multiplier"] = {
            "type": "line",
            "title": str(_("Ecosystem multiplier")),
            "labels": labels,
            "series": [{"name": str(_("Partner revenue ÷ vendor revenue")), "values": multiplier}],
            "goal": MULTIPLIER_GOAL,
            "goal_label": str(_("Goal 1:6")),
        }
    data["tables"] = tables
    data["charts"] = charts
    return data


# --- one partner ------------------------------------------------------------------------------
def snapshot_for(partner: Partner, month: date | None = None) -> HealthSnapshot | None:
    qs = HealthSnapshot.objects.filter(partner=partner).select_related("tier")
    if month:
        qs = qs.filter(month=month)
    return qs.order_by("-month").first()


def history(partner: Partner, *, months: int = 12, until: date | None = None) -> list[HealthSnapshot]:
    qs = HealthSnapshot.objects.filter(partner=partner)
    if until:
        qs = qs.filter(month__lte=until)
    return list(reversed(qs.order_by("-month")[:months]))


def _metric_definitions() -> dict[str, HealthMetric]:
    return {m.slug: m for m in HealthMetric.objects.select_related("metric")}


def _dec(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (ValueError, ArithmeticError):
        return None


@dataclass
class MetricLine:
    slug: str
    name: str
    dimension: str
    unit: str
    value: Decimal | None
    value_display: str
    median: Decimal | None
    median_display: str
    score: Decimal | None
    percentile: Decimal | None
    weight: Decimal | None
    previous: Decimal | None
    change: Decimal | None
    change_display: str
    score_change: Decimal | None
    formula: str
    hint: str
    direction: str


def _unit(definition: HealthMetric | None) -> str:
    """Growth and ratio metrics are percentages whatever the unit of the fact they read."""
    if definition is None:
        return ""
    if definition.aggregation == HealthMetric.Aggregation.GROWTH or definition.denominator_id:
        return "percent"
    return definition.metric.unit


def metric_lines(snapshot: HealthSnapshot, previous: HealthSnapshot | None = None) -> list[MetricLine]:
    definitions = _metric_definitions()
    previous_metrics = (previous.metrics if previous else None) or {}
    lines = []
    for slug, entry in (snapshot.metrics or {}).items():
        definition = definitions.get(slug)
        unit = _unit(definition)
        value = _dec(entry.get("value"))
        median = _dec(entry.get("median"))
        prev_value = _dec(entry.get("previous"))
        if prev_value is None and slug in previous_metrics:
            prev_value = _dec(previous_metrics[slug].get("value"))
        score = _dec(entry.get("score"))
        prev_score = _dec(entry.get("previous_score"))
        if prev_score is None and previous_metrics:
            prev_score = _dec(previous_metrics.get(slug, {}).get("score"))
        change = value - prev_value if value is not None and prev_value is not None else None
        if change is None:
            change_display = "—"
        else:
            sign = "+" if change > 0 else ""
            change_display = sign + display_value(change, unit)
            if change < 0:
                change_display = "−" + display_value(-change, unit)
        lines.append(
            MetricLine(
                slug=slug,
                name=definition.t_name if definition else slug,
                dimension=entry.get("dimension") or (definition.dimension if definition else ""),
                unit=unit,
                value=value,
                value_display=display_value(value, unit),
                median=median,
                median_display=display_value(median, unit),
                score=score,
                percentile=_dec(entry.get("percentile")),
                weight=_dec(entry.get("weight")),
                previous=prev_value,
                change=change,
                change_display=change_display,
                score_change=score - prev_score if score is not None and prev_score is not None else None,
                formula=(definition.t_formula if definition else "") or "",
                hint=(definition.t_improvement_hint if definition else "") or "",
                direction=definition.direction if definition else HealthMetric.Direction.HIGHER,
            )
        )
    order = {d: i for i, d in enumerate(DIMENSIONS)}
    sort = {slug: (d.sort_order if d else 0) for slug, d in definitions.items()}
    lines.sort(key=lambda line: (order.get(line.dimension, 9), sort.get(line.slug, 0), line.slug))
    return lines


def dimension_blocks(snapshot: HealthSnapshot, lines: list[MetricLine], previous=None) -> list[dict]:
    labels = dict(HealthDimension.choices)
    blocks = []
    for dimension in DIMENSIONS:
        score = getattr(snapshot, dimension)
        before = getattr(previous, dimension) if previous else None
        blocks.append(
            {
                "key": dimension,
                "label": labels[dimension],
                "score": score,
                "previous": before,
                "change": score - before if score is not None and before is not None else None,
                "metrics": [line for line in lines if line.dimension == dimension],
            }
        )
    return blocks


def weakest_metrics(lines: list[MetricLine], limit: int = 3) -> list[MetricLine]:
    scored = [line for line in lines if line.score is not None]
    return sorted(scored, key=lambda line: (line.score, line.slug))[:limit]


def weakest_dimension(snapshot: HealthSnapshot) -> str | None:
    scores = [(getattr(snapshot, d), d) for d in DIMENSIONS if getattr(snapshot, d) is not None]
    return min(scores)[1] if scores else None


def tier_medians(snapshot: HealthSnapshot) -> dict[str, Decimal | None]:
    """Medians of composite and dimension scores among partners of the same tier (or kind) that month."""
    qs = HealthSnapshot.objects.filter(month=snapshot.month)
    qs = qs.filter(tier_id=snapshot.tier_id) if snapshot.tier_id else qs.filter(kind=snapshot.kind)
    rows = list(qs.values_list("composite", *DIMENSIONS))
    out = {}
    for index, key in enumerate(["composite", *DIMENSIONS]):
        values = [row[index] for row in rows if row[index] is not None]
        out[key] = Decimal(str(statistics.median(values))).quantize(Decimal("0.01")) if values else None
    return out


def trend_chart(snaps: list[HealthSnapshot], *, title: str, width: int = 640, height: int = 240) -> dict:
    labels = dict(HealthDimension.choices)
    return {
        "type": "line",
        "title": title,
        "labels": [_month_label(s.month) for s in snaps],
        "series": [
            {"name": str(_("Health score")), "values": [s.composite for s in snaps], "colour": "#0f172a"},
            *[
                {"name": str(labels[d]), "values": [getattr(s, d) for s in snaps], "dashed": True}
                for d in DIMENSIONS
            ],
        ],
        "y_min": 0,
        "y_max": 100,
        "width": width,
        "height": height,
    }


def partner_health(partner: Partner, *, month: date | None = None, months: int = 12) -> dict:
    """The drill-down of one partner: composite → dimensions → metrics, trends, tier medians."""
    snapshot = snapshot_for(partner, month)
    if snapshot is None:
        return {"partner": partner, "snapshot": None}
    previous = HealthSnapshot.objects.filter(partner=partner, month=shift_months(snapshot.month, -1)).first()
    lines = metric_lines(snapshot, previous)
    snaps = history(partner, months=months, until=snapshot.month)
    medians = tier_medians(snapshot)
    weakest_dim = weakest_dimension(snapshot)
    labels = dict(HealthDimension.choices)
    comparison = {
        "type": "bar",
        "title": str(_("Compared with the median of the tier")),
        "labels": [str(_("Health score")), *[str(labels[d]) for d in DIMENSIONS]],
        "series": [
            {
                "name": str(partner.organisation),
                "values": [snapshot.composite, *[getattr(snapshot, d) for d in DIMENSIONS]],
            },
            {
                "name": str(_("Tier median")),
                "values": [medians["composite"], *[medians[d] for d in DIMENSIONS]],
                "colour": "#94a3b8",
            },
        ],
        "y_max": 100,
        "show_values": True,
    }
    return {
        "partner": partner,
        "snapshot": snapshot,
        "previous": previous,
        "lines": lines,
        "dimensions": dimension_blocks(snapshot, lines, previous),
        "history": snaps,
        "medians": medians,
        "weakest": weakest_metrics(lines),
        "weakest_dimension": weakest_dim,
        "weakest_dimension_label": labels.get(weakest_dim, ""),
        "weakest_dimension_lines": sorted(
            [line for line in lines if line.dimension == weakest_dim and line.score is not None],
            key=lambda line: line.score,
        ),
        "trend_chart": trend_chart(snaps, title=str(_("Health score over time"))),
        "comparison_chart": comparison,
        "flags": [_with_cause(flag) for flag in partner.at_risk_flags.filter(month=snapshot.month)],
    }


def partner_reports(partner: Partner, limit: int = 20):
    return GeneratedReport.objects.filter(
        kind=GeneratedReport.Kind.PARTNER_HEALTH, partner=partner, status=GeneratedReport.Status.DONE
    ).order_by("-created_at")[:limit]

"""The staff dashboard ("Ecosystem health") as a list of panels.

Each panel is a function of the period that returns its table (what the CSV/XLSX export writes:
``{"key", "title", "columns", "rows"}``), its chart specs and the figures its template block
shows; ``PANELS`` lists them in page order with the permission they need (health figures or
revenue figures, ``health.selectors.access``). :func:`dashboard` runs the panels a user may see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from health.models import HealthSnapshot
from health.selectors import figures
from health.selectors.figures import MULTIPLIER_GOAL, pct, ratio
from health.selectors.filters import DashboardFilters, month_label, parse_filters, partner_q
from partners.models import PartnerKind
from partners.selectors.programme import display_value

__all__ = ["PANELS", "DashboardFilters", "Period", "PanelResult", "dashboard", "parse_filters"]

HEALTH, REVENUE = "health", "revenue"  # what a panel needs: health figures or revenue figures
REVENUE_SLUGS = ["revenue", "platform_commission"]
FUNNEL_SLUGS = ["trials_started", "trials_converted"]


@dataclass(frozen=True)
class Period:
    filters: DashboardFilters
    months: list[date]
    labels: list[str]

    @property
    def last(self) -> date:
        return self.months[-1]

    def by_month(self):
        return zip(self.months, self.labels, strict=True)


@dataclass
class PanelResult:
    table: dict | None = None
    charts: dict[str, dict] = field(default_factory=dict)
    data: dict = field(default_factory=dict)


# --- health panels ---------------------------------------------------------------------------------
def partners_by_kind_panel(period: Period) -> PanelResult:
    by_kind = figures.partners_by_kind(period.filters)
    kinds = [k for k in PartnerKind.values if k in by_kind]
    kind_names = dict(PartnerKind.choices)
    table = {
        "key": "partners_by_kind",
        "title": _("Partners by kind"),
        "columns": [_("Month"), *[str(kind_names[k]) for k in kinds], _("Total")],
        "rows": [
            [lab, *[by_kind[k].get(m, 0) for k in kinds], sum(by_kind[k].get(m, 0) for k in kinds)]
            for m, lab in period.by_month()
        ],
    }
    chart = {
        "type": "bar",
        "stacked": True,
        "title": str(_("Partners by kind")),
        "labels": period.labels,
        "series": [
            {"name": str(kind_names[k]), "values": [by_kind[k].get(m, 0) for m in period.months]}
            for k in kinds
        ],
    }
    kpi_partners = sum(by_kind[k].get(period.last, 0) for k in kinds)
    return PanelResult(table, {"partners_by_kind": chart}, {"kpi_partners": kpi_partners})


def partners_by_tier_panel(period: Period) -> PanelResult:
    by_tier = figures.tier_series(period.filters)
    table = {
        "key": "partners_by_tier",
        "title": _("Partners by tier"),
        "columns": [_("Month"), *[name for name, _counts in by_tier]],
        "rows": [[lab, *[counts.get(m, 0) for _name, counts in by_tier]] for m, lab in period.by_month()],
    }
    chart = {
        "type": "bar",
        "stacked": True,
        "title": str(_("Partners by tier")),
        "labels": period.labels,
        "series": [
            {"name": name, "values": [counts.get(m, 0) for m in period.months]} for name, counts in by_tier
        ],
    }
    return PanelResult(table, {"partners_by_tier": chart})


def new_partners_panel(period: Period) -> PanelResult:
    joined = figures.new_partners(period.filters)
    table = {
        "key": "new_partners",
        "title": _("New partners"),
        "columns": [_("Month"), _("New partners")],
        "rows": [[lab, joined.get(m, 0)] for m, lab in period.by_month()],
    }
    chart = {
        "type": "bar",
        "title": str(_("New partners per month")),
        "labels": period.labels,
        "series": [{"name": str(_("New partners")), "values": [joined.get(m, 0) for m in period.months]}],
        "show_values": True,
    }
    return PanelResult(table, {"new_partners": chart})


def trial_funnel_panel(period: Period) -> PanelResult:
    conversion = figures.trial_conversion(period.filters)
    funnel, started, converted = conversion["by_month"], conversion["started"], conversion["converted"]
    table = {
        "key": "trial_funnel",
        "title": _("Trial to paid"),
        "columns": [_("Month"), _("Trials started"), _("Trials converted"), _("Conversion (%)")],
        "rows": [
            [
                lab,
                funnel["trials_started"].get(m, Decimal(0)),
                funnel["trials_converted"].get(m, Decimal(0)),
                pct(funnel["trials_converted"].get(m, 0), funnel["trials_started"].get(m, 0)),
            ]
            for m, lab in period.by_month()
        ],
    }
    chart = {
        "type": "funnel",
        "title": str(_("Trial to paid")),
        "stages": [(str(_("Trials started")), started), (str(_("Converted to paid")), converted)],
    }
    funnel_data = {"started": started, "converted": converted, "rate": conversion["rate"]}
    return PanelResult(table, {"trial_funnel": chart}, {"funnel": funnel_data})


def tier_movements_panel(period: Period) -> PanelResult:
    moves, changes = figures.tier_movements(period.filters)
    table = {
        "key": "tier_movements",
        "title": _("Tier movements"),
        "columns": [_("Month"), _("Promotions"), _("Demotions")],
        "rows": [
            [lab, moves.get(m, {}).get("up", 0), moves.get(m, {}).get("down", 0)]
            for m, lab in period.by_month()
        ],
    }
    chart = {
        "type": "bar",
        "title": str(_("Tier movements")),
        "labels": period.labels,
        "series": [
            {
                "name": str(_("Promotions")),
                "values": [moves.get(m, {}).get("up", 0) for m in period.months],
                "colour": "#0f9d73",
            },
            {
                "name": str(_("Demotions")),
                "values": [moves.get(m, {}).get("down", 0) for m in period.months],
                "colour": "#dc2626",
            },
        ],
    }
    return PanelResult(table, {"tier_movements": chart}, {"tier_changes": changes})


def top_movers_panel(period: Period) -> PanelResult:
    risers, fallers = figures.top_movers(period.filters, period.last)
    table = {
        "key": "top_movers",
        "title": _("Top movers"),
        "columns": [
            _("Partner"),
            _("Kind"),
            _("Health score"),
            pgettext("health score", "Previous"),
            pgettext("health score", "Change"),
        ],
        "rows": [
            [str(s.partner.organisation), s.get_kind_display(), s.score, s.previous, s.delta]
            for s in [*risers, *fallers]
        ],
    }
    return PanelResult(table, data={"risers": risers, "fallers": fallers})


def at_risk_panel(period: Period) -> PanelResult:
    flags = figures.at_risk(period.filters)
    table = {
        "key": "at_risk",
        "title": _("At-risk partners"),
        "columns": [
            _("Month"),
            _("Partner"),
            _("Health score"),
            pgettext("health score", "Previous"),
            _("Cause"),
        ],
        "rows": [
            [
                month_label(f.month),
                str(f.partner.organisation),
                f.composite,
                f.previous_composite,
                f.cause_text,
            ]
            for f in flags
        ],
    }
    return PanelResult(table, data={"at_risk": flags})


def distribution_panel(period: Period) -> PanelResult:
    distribution = figures.score_distribution(period.filters, period.last)
    chart = {
        "type": "bar",
        "title": str(_("Health score distribution")),
        "labels": [f"{i * 10}–{i * 10 + 10}" for i in range(10)],
        "series": [{"name": str(_("Partners")), "values": distribution}],
        "show_values": True,
    }
    return PanelResult(charts={"distribution": chart}, data={"distribution": distribution})


def average_health_panel(period: Period) -> PanelResult:
    scores = list(
        HealthSnapshot.objects.filter(partner_q(period.filters), month=period.last).values_list(
            "composite", flat=True
        )
    )
    average = (sum(scores) / len(scores)).quantize(Decimal("0.1")) if scores else None
    return PanelResult(data={"kpi_avg_health": average})


# --- revenue panel -----------------------------------------------------------------------------------
def revenue_panel(period: Period) -> PanelResult:
    totals = figures.fact_totals(period.filters, REVENUE_SLUGS)
    vendor = figures.vendor_revenue(period.filters)
    months = period.months
    gmv = [totals["revenue"].get(m) for m in months]
    commission = [totals["platform_commission"].get(m) for m in months]
    multiplier = [ratio(totals["revenue"].get(m, 0), vendor.get(m)) for m in months]
    gmv_total = sum((g or 0 for g in gmv), Decimal(0))
    commission_total = sum((c or 0 for c in commission), Decimal(0))
    table = {
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
            for (m, lab), x in zip(period.by_month(), multiplier, strict=True)
        ],
    }
    charts = {
        "revenue": {
            "type": "line",
            "title": str(_("GMV and platform revenue (CNY)")),
            "labels": period.labels,
            "series": [
                {"name": str(_("Partner revenue (GMV)")), "values": gmv},
                {"name": str(_("Platform commission")), "values": commission},
            ],
            "unit": "",
        },
        "multiplier": {
            "type": "line",
            "title": str(_("Ecosystem multiplier")),
            "labels": period.labels,
            "series": [{"name": str(_("Partner revenue ÷ vendor revenue")), "values": multiplier}],
            "goal": MULTIPLIER_GOAL,
            "goal_label": str(_("Goal 1:6")),
        },
    }
    data = {
        "multiplier": multiplier,
        "multiplier_latest": next((x for x in reversed(multiplier) if x is not None), None),
        "multiplier_goal": MULTIPLIER_GOAL,
        "gmv_total": gmv_total,
        "commission_total": commission_total,
        "gmv_display": display_value(gmv_total, "CNY"),
        "commission_display": display_value(commission_total, "CNY"),
    }
    return PanelResult(table, charts, data)


PANELS: list[tuple[str, Callable[[Period], PanelResult]]] = [
    (HEALTH, partners_by_kind_panel),
    (HEALTH, partners_by_tier_panel),
    (HEALTH, new_partners_panel),
    (HEALTH, trial_funnel_panel),
    (HEALTH, tier_movements_panel),
    (HEALTH, top_movers_panel),
    (HEALTH, at_risk_panel),
    (HEALTH, distribution_panel),
    (HEALTH, average_health_panel),
    (REVENUE, revenue_panel),
]


def dashboard(filters: DashboardFilters, *, show_health: bool, show_revenue: bool) -> dict:
    """Everything the dashboard shows: the panels' figures, ``tables`` (what the CSV/XLSX export
    writes, in page order) and ``charts`` (chart specs by key)."""
    months = filters.months
    period = Period(filters=filters, months=months, labels=[month_label(m) for m in months])
    shown = {HEALTH: show_health, REVENUE: show_revenue}
    data: dict = {"months": months, "labels": period.labels, "last_month": period.last}
    tables: list[dict] = []
    charts: dict[str, dict] = {}
    for audience, panel in PANELS:
        if not shown[audience]:
            continue
        result = panel(period)
        if result.table is not None:
            tables.append(result.table)
        charts.update(result.charts)
        data.update(result.data)
    data["tables"] = tables
    data["charts"] = charts
    return data

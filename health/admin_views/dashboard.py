"""Wagtail admin: the "Ecosystem health" dashboard, score drill-down, PDF reports and export.

``/admin/ecosystem_health/`` — partners by kind and tier over time, new partners, GMV and
platform revenue, the ecosystem multiplier with its 1:6 goal, trial→paid funnel, tier
movements, top movers and at-risk partners; filters by period, kind and region; CSV / XLSX
export of exactly the tables shown.

Who sees what (``health.selectors.access``): ``health.view_healthsnapshot``
(programme managers, admins) sees everything; ``health.view_vendorrevenue`` alone (Finance)
sees the revenue section and the ecosystem report; others (reviewers) get no menu item and a
permission error. Drill-down and partner PDFs need ``health.view_healthsnapshot``.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet

from core.exports import export_response, xlsx_response, xlsx_workbook_bytes
from health.models import GeneratedReport
from health.selectors import access
from health.selectors import dashboard as panels
from health.selectors.filters import parse_filters, parse_month
from health.selectors.partner import partner_health
from health.services import reports as services
from partners.models import Partner, PartnerKind, Region
from partners.selectors.programme import month_start

TEMPLATES = "health/admin/dashboard"


def _require(check):
    def decorator(view):
        def wrapped(request, *args, **kwargs):
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return wrapped

    return decorator


def format_cell(value) -> str:
    """How a figure appears on the page and in the CSV (the XLSX keeps numbers as numbers)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        if value == value.to_integral():
            return str(value.quantize(Decimal(1)))
        return f"{value.quantize(Decimal('0.01'))}"
    return str(value)


def _tables(data) -> list[dict]:
    return [
        {
            **table,
            "title": str(table["title"]),
            "columns": [str(c) for c in table["columns"]],
            "display_rows": [[format_cell(c) for c in row] for row in table["rows"]],
        }
        for table in data["tables"]
    ]


def _dashboard_data(request):
    filters = parse_filters(request.GET)
    show_health = access.can_view_health(request.user)
    show_revenue = access.can_view_revenue(request.user)
    data = panels.dashboard(filters, show_health=show_health, show_revenue=show_revenue)
    return filters, data, show_health, show_revenue


@_require(access.can_view_dashboard)
def dashboard(request):
    filters, data, show_health, show_revenue = _dashboard_data(request)
    query = (request.GET.get("q") or "").strip()[:100]
    return render(
        request,
        f"{TEMPLATES}/dashboard.html",
        {
            "filters": filters,
            "data": data,
            "charts": data["charts"],
            "tables": _tables(data),
            "show_health": show_health,
            "show_revenue": show_revenue,
            "kinds": PartnerKind.choices,
            "regions": Region.objects.all(),
            "querystring": filters.querystring(),
            "reports": GeneratedReport.objects.select_related("partner__organisation")
            .filter(status=GeneratedReport.Status.DONE)
            .filter(**({} if show_health else {"kind": GeneratedReport.Kind.ECOSYSTEM}))[:10],
            "languages": _languages(),
            "query": query,
            "matches": _find_partners(query) if show_health else [],
        },
    )


def _find_partners(query: str) -> list[Partner]:
    if not query:
        return []
    from django.db.models import Q

    return list(
        Partner.objects.select_related("organisation", "tier")
        .filter(
            Q(organisation__name__icontains=query)
            | Q(organisation__name_en__icontains=query)
            | Q(organisation__slug__icontains=query)
        )
        .order_by("organisation__name")[:20]
    )


def _languages():
    from django.conf import settings

    return [(code, translation.get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES]


@_require(access.can_view_dashboard)
def export(request, fmt):
    """The tables of the page, one after the other (CSV) or one sheet each (XLSX); every cell goes
    through ``core.exports.safe_cell``, so a partner named ``=HYPERLINK(…)`` stays text."""
    filters, data, _h, _r = _dashboard_data(request)
    tables = _tables(data)
    filename = f"ecosystem-health-{filters.start:%Y%m}-{filters.end:%Y%m}"
    if fmt == "csv":
        rows = []
        for index, table in enumerate(tables):
            if index:
                rows.append([])
                rows.append([table["title"]])
            rows.append(table["columns"])
            rows.extend([export_number(c) for c in row] for row in table["rows"])
        header = [tables[0]["title"]] if tables else []
        return export_response(header, rows, filename=filename, fmt="csv")
    if fmt == "xlsx":
        sheets = [
            (
                table["title"] or table["key"],
                table["columns"],
                [[_xlsx_cell(c) for c in row] for row in table["rows"]],
            )
            for table in tables
        ]
        return xlsx_response(xlsx_workbook_bytes(sheets), filename=filename)
    raise Http404


def export_number(value):
    """A figure as the CSV writes it: numbers rounded like :func:`format_cell` (and kept numbers,
    so a negative change is not mistaken for a formula), text as it is."""
    if isinstance(value, Decimal):
        return value.quantize(Decimal(1) if value == value.to_integral() else Decimal("0.01"))
    return value


def _xlsx_cell(value):
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, int | float):
        return value
    return str(value)


@_require(access.can_view_health)
def partner_detail(request, partner_id):
    partner = get_object_or_404(Partner.objects.select_related("organisation", "tier"), pk=partner_id)
    month = parse_month(request.GET.get("month"))
    context = partner_health(partner, month=month, months=12)
    if month and context.get("snapshot") is None:
        raise Http404
    context.update(
        {
            "gauges": services.gauges(context.get("snapshot"), size=110),
            "months": list(partner.health_snapshots.order_by("-month").values_list("month", flat=True)[:24]),
            "reports": list(GeneratedReport.objects.filter(partner=partner).order_by("-created_at")[:10]),
            "languages": _languages(),
        }
    )
    return render(request, f"{TEMPLATES}/partner.html", context)


@require_POST
@_require(access.can_view_dashboard)
def generate(request):
    """Start a PDF: a partner report (``partner`` in POST; health staff) or the ecosystem report."""
    language = request.POST.get("language") or translation.get_language()
    partner_id = request.POST.get("partner")
    period = None
    if request.POST.get("quarter"):
        try:
            period = services.parse_quarter(request.POST["quarter"])
        except ValueError:
            period = None
    if partner_id:
        if not access.can_view_health(request.user):
            raise PermissionDenied
        partner = get_object_or_404(Partner, pk=partner_id)
        report = services.request_report(
            kind=GeneratedReport.Kind.PARTNER_HEALTH,
            partner=partner,
            user=request.user,
            language=language,
            period_start=period[0] if period else None,
            period_end=period[1] if period else None,
        )
    else:
        report = services.request_report(
            kind=GeneratedReport.Kind.ECOSYSTEM,
            user=request.user,
            language=language,
            period_start=period[0] if period else None,
            period_end=period[1] if period else None,
        )
    return redirect("ecosystem_health:report", pk=report.pk)


@_require(access.can_view_dashboard)
def report_status(request, pk):
    report = get_object_or_404(GeneratedReport.objects.select_related("partner__organisation"), pk=pk)
    if not access.can_access_report(request.user, report):
        raise Http404
    template = "_report_progress.html" if request.headers.get("HX-Request") else "report.html"
    return render(request, f"{TEMPLATES}/{template}", {"report": report})


@_require(access.can_view_dashboard)
def report_archive(request):
    qs = GeneratedReport.objects.select_related("partner__organisation", "requested_by")
    if not access.can_view_health(request.user):
        qs = qs.filter(kind=GeneratedReport.Kind.ECOSYSTEM)
    return render(
        request,
        f"{TEMPLATES}/reports.html",
        {"reports": qs.order_by("-created_at")[:100], "now": timezone.now(), "month_start": month_start},
    )


class _DashboardMenuItem(MenuItem):
    def is_shown(self, request):
        return access.can_view_dashboard(request.user)


class EcosystemHealthViewSet(ViewSet):
    name = "ecosystem_health"
    icon = "pick"
    menu_label = gettext_lazy("Ecosystem health")
    menu_order = 205
    add_to_admin_menu = True
    menu_item_class = _DashboardMenuItem

    def get_urlpatterns(self):
        return [
            path("", dashboard, name="index"),
            path("export.<str:fmt>", export, name="export"),
            path("partners/<int:partner_id>/", partner_detail, name="partner"),
            path("reports/", report_archive, name="reports"),
            path("reports/new/", generate, name="generate"),
            path("reports/<uuid:pk>/", report_status, name="report"),
        ]


@hooks.register("register_admin_viewset")
def register_ecosystem_health():
    return EcosystemHealthViewSet()

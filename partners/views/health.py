"""The partner's own health page and the report archive downloads.

* ``/partners/console/health/`` — the active organisation's partner: scores, trends, tier
  median, weakest metrics with hints, its report archive and "generate PDF" (404 for users
  whose active organisation is not a partner).
* ``/partners/console/health/reports/<uuid>/`` (+ ``progress/``, ``download/``) — one
  ``GeneratedReport``: its members and health staff for a partner report, health staff and
  finance for an ecosystem report; anyone else gets 404 (the UUID is not guessable either).
"""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import translation
from django.views.decorators.http import require_GET, require_POST

from partners.models import GeneratedReport
from partners.selectors import health_reports as selectors
from partners.services import health_reports as services
from partners.views.console import _console_partner


@login_required
@require_GET
def health_page(request):
    _membership, partner = _console_partner(request)
    context = selectors.partner_health(partner, months=12)
    context.update(
        {
            "reports": list(selectors.partner_reports(partner)),
            "gauges": services._gauges(context.get("snapshot"), size=120),
        }
    )
    return render(request, "partners/console/health.html", context)


@login_required
@require_POST
def request_partner_report(request):
    _membership, partner = _console_partner(request)
    report = services.request_report(
        kind=GeneratedReport.Kind.PARTNER_HEALTH,
        partner=partner,
        user=request.user,
        language=request.POST.get("language") or translation.get_language(),
    )
    return redirect("partners:health-report", pk=report.pk)


def _report_for(request, pk) -> GeneratedReport:
    report = get_object_or_404(GeneratedReport.objects.select_related("partner__organisation"), pk=pk)
    if not selectors.can_access_report(request.user, report):
        raise Http404
    return report


@login_required
@require_GET
def report_status(request, pk):
    report = _report_for(request, pk)
    template = "_health_report_progress.html" if request.headers.get("HX-Request") else "health_report.html"
    return render(request, f"partners/console/{template}", {"report": report})


@login_required
@require_GET
def report_download(request, pk):
    report = _report_for(request, pk)
    if report.status != GeneratedReport.Status.DONE or not report.file:
        raise Http404
    response = FileResponse(
        report.file.open("rb"),
        as_attachment=True,
        filename=services.filename_for(report),
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("console/health/", health_page, name="console-health"),
    path("console/health/reports/", request_partner_report, name="console-health-report"),
    path("console/health/reports/<uuid:pk>/", report_status, name="health-report"),
    path("console/health/reports/<uuid:pk>/download/", report_download, name="health-report-download"),
]

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
from django.utils import translation
from django.views.decorators.http import require_GET, require_POST

from health.models import GeneratedReport
from health.selectors import access
from health.selectors.partner import partner_health, partner_reports
from health.services import reports as services
from partners.selectors.access import get_partner_for_request_or_404


@login_required
@require_GET
def health_page(request):
    partner = get_partner_for_request_or_404(request)
    context = partner_health(partner, months=12)
    context.update(
        {
            "reports": list(partner_reports(partner)),
            "gauges": services.gauges(context.get("snapshot"), size=120),
        }
    )
    return render(request, "health/console/health.html", context)


@login_required
@require_POST
def request_partner_report(request):
    partner = get_partner_for_request_or_404(request)
    report = services.request_report(
        kind=GeneratedReport.Kind.PARTNER_HEALTH,
        partner=partner,
        user=request.user,
        language=request.POST.get("language") or translation.get_language(),
    )
    return redirect("health:health-report", pk=report.pk)


def _report_for(request, pk) -> GeneratedReport:
    report = get_object_or_404(GeneratedReport.objects.select_related("partner__organisation"), pk=pk)
    if not access.can_access_report(request.user, report):
        raise Http404
    return report


@login_required
@require_GET
def report_status(request, pk):
    report = _report_for(request, pk)
    template = "_report_progress.html" if request.headers.get("HX-Request") else "report.html"
    return render(request, f"health/console/{template}", {"report": report})


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

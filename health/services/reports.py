"""Health PDF reports: the quarterly partner health report and the ecosystem report.

``render_partner_report`` / ``render_ecosystem_report`` build the context (figures from
``health.selectors``, charts as inline SVG from ``themes.charts``) and render
it with ``themes.pdf.render_pdf`` in the requested language. ``request_report`` records a
``GeneratedReport`` and enqueues ``partners.generate_health_report`` on commit;
``generate_report`` (run by that task) renders, stores the file on the private storage and
reports its progress (0–100) on the row, which the progress bars poll.
``send_quarterly_reports`` (beat, quarterly) emails the ecosystem report of the last complete
quarter to ``HealthSettings.report_recipients`` with the PDF attached and a download link.
"""

from __future__ import annotations

import logging
import re
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.emails import absolute_url, brand_name, render_templated, subject_prefix
from core.tasks import enqueue_on_commit
from health.models import GeneratedReport, HealthDimension, HealthSettings, HealthSnapshot
from health.selectors import figures
from health.selectors.dashboard import dashboard
from health.selectors.filters import DashboardFilters
from health.selectors.partner import partner_health, snapshot_for
from partners.models import Partner
from partners.selectors.programme import month_end, month_start, shift_months
from partners.services.programme import console_url, owner_emails
from themes import charts
from themes.pdf import render_pdf

logger = logging.getLogger(__name__)

QUARTER_RE = re.compile(r"^(\d{4})\s*-?\s*Q([1-4])$", re.IGNORECASE)
PARTNER_TEMPLATE = "health/pdf/partner_health.html"
ECOSYSTEM_TEMPLATE = "health/pdf/ecosystem.html"


# --- periods ---------------------------------------------------------------------------------
def parse_quarter(label: str) -> tuple[date, date]:
    """``"2026Q3"`` → (2026-07-01, 2026-09-30). Raises ``ValueError`` for anything else."""
    match = QUARTER_RE.match((label or "").strip())
    if not match:
        raise ValueError(_("Give a quarter as YYYYQn, for example 2026Q3."))
    year, quarter = int(match.group(1)), int(match.group(2))
    start = date(year, 3 * (quarter - 1) + 1, 1)
    return start, month_end(shift_months(start, 2))


def quarter_of(day: date) -> tuple[date, date]:
    start = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return start, month_end(shift_months(start, 2))


def quarter_label(start: date) -> str:
    return f"{start.year}Q{(start.month - 1) // 3 + 1}"


def default_period(partner: Partner | None = None) -> tuple[date, date]:
    """The quarter holding the latest snapshot (of the partner, or of anyone)."""
    qs = HealthSnapshot.objects.all()
    if partner is not None:
        qs = qs.filter(partner=partner)
    latest = qs.order_by("-month").values_list("month", flat=True).first()
    return quarter_of(latest or timezone.localdate())


def last_complete_quarter(today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localdate()
    start, _end = quarter_of(today)
    return quarter_of(shift_months(start, -1))


# --- contexts ----------------------------------------------------------------------------------
def gauges(snapshot: HealthSnapshot | None, size: int = 110) -> list:
    labels = dict(HealthDimension.choices)
    if snapshot is None:
        return []
    out = [
        {
            "label": _("Health score"),
            "value": snapshot.composite,
            "svg": charts.gauge_chart(snapshot.composite, title=str(_("Health score")), size=size),
        }
    ]
    for dimension in figures.DIMENSIONS:
        value = getattr(snapshot, dimension)
        out.append(
            {
                "label": labels[dimension],
                "value": value,
                "svg": charts.gauge_chart(value, title=str(labels[dimension]), size=size),
            }
        )
    return out


def _period_label(start: date, end: date) -> str:
    if start == quarter_of(start)[0] and month_start(end) == shift_months(start, 2):
        return quarter_label(start)
    return f"{start:%Y-%m} – {end:%Y-%m}"


def _base_context(title: str, period_start: date, period_end: date) -> dict:
    return {
        "title": title,
        "period_start": period_start,
        "period_end": period_end,
        "period_label": _period_label(period_start, period_end),
        "generated_at": timezone.localtime(),
        "pdf_brand_name": brand_name(),
    }


def partner_report_context(partner: Partner, *, period_start: date, period_end: date) -> dict:
    """Context of the partner health report (build it with the report's language active)."""
    last_month = month_start(period_end)
    snapshot = (
        HealthSnapshot.objects.filter(
            partner=partner, month__lte=last_month, month__gte=month_start(period_start)
        )
        .select_related("tier")
        .order_by("-month")
        .first()
    ) or snapshot_for(partner, None)
    context = _base_context(_("Partner health report"), period_start, period_end)
    context["partner"] = partner
    if snapshot is None:
        context.update({"snapshot": None})
        return context
    health = partner_health(partner, month=snapshot.month, months=12)
    start_snapshot = HealthSnapshot.objects.filter(partner=partner, month=month_start(period_start)).first()
    trend = health["trend_chart"]
    trend.update({"width": 680, "height": 230})
    comparison = health["comparison_chart"]
    comparison.update({"width": 680, "height": 220})
    quarter_change = (
        snapshot.composite - start_snapshot.composite
        if start_snapshot and start_snapshot.pk != snapshot.pk
        else snapshot.change
    )
    flags = list(
        partner.at_risk_flags.filter(month__gte=month_start(period_start), month__lte=last_month).order_by(
            "month"
        )
    )
    figures.with_causes(flags)
    context.update(
        {
            **health,
            "snapshot": snapshot,
            "gauges": gauges(snapshot),
            "trend_svg": charts.render_chart(trend),
            "comparison_svg": charts.render_chart(comparison),
            "quarter_change": quarter_change,
            "period_flags": flags,
            "healthy_threshold": HealthSettings.load().healthy_threshold,
        }
    )
    return context


def data_month(period_start: date, period_end: date) -> date:
    """The last month of the period with snapshots (a period still running ends before its end)."""
    latest = (
        HealthSnapshot.objects.filter(
            month__gte=month_start(period_start), month__lte=month_start(period_end)
        )
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )
    return latest or month_start(period_end)


def ecosystem_report_context(*, period_start: date, period_end: date, progress=None) -> dict:
    """Context of the ecosystem report for management (language active)."""
    end = data_month(period_start, period_end)
    trend_filters = DashboardFilters(start=shift_months(end, -11), end=end)
    quarter_filters = DashboardFilters(start=month_start(period_start), end=end)
    data = dashboard(trend_filters, show_health=True, show_revenue=True)
    if progress:
        progress(40)
    quarter = figures.fact_totals(quarter_filters, ["revenue", "platform_commission"])
    totals = {slug: sum(values.values(), Decimal(0)) for slug, values in quarter.items()}
    # The report is about the quarter: its funnel page shows the quarter's funnel, from the one
    # selector the KPI uses, so the two pages give the same conversion rate.
    conversion = figures.trial_conversion(quarter_filters)
    quarter_multiplier = figures.multiplier(quarter_filters)
    data["funnel"] = {key: conversion[key] for key in ("started", "converted", "rate")}
    data["charts"]["trial_funnel"] = {
        "type": "funnel",
        "title": str(_("Trial to paid")),
        "stages": [
            (str(_("Trials started")), conversion["started"]),
            (str(_("Converted to paid")), conversion["converted"]),
        ],
    }
    snaps = HealthSnapshot.objects.filter(month=end).select_related("partner__organisation", "tier")
    top = list(snaps.order_by("-composite", "partner_id")[:10])
    bottom = list(snaps.order_by("composite", "partner_id")[:10])
    by_kind_rows = _kind_summary(end)
    if progress:
        progress(60)
    charts_ = {}
    for key, spec in data["charts"].items():
        spec = dict(spec)
        spec.setdefault("width", 680)
        spec.setdefault("height", 220)
        charts_[key] = charts.render_chart(spec)
    context = _base_context(_("Ecosystem health report"), period_start, period_end)
    context.update(
        {
            "data": data,
            "charts": charts_,
            "kpis": [
                {"label": _("Partners with a health score"), "value": data.get("kpi_partners", 0)},
                {"label": _("Average health score"), "value": data.get("kpi_avg_health") or "—"},
                {
                    "label": _("Partner revenue (GMV) this period"),
                    "value": f"¥{totals['revenue'].quantize(Decimal(1)):,}",
                },
                {
                    "label": _("Platform commission this period"),
                    "value": f"¥{totals['platform_commission'].quantize(Decimal(1)):,}",
                },
                {
                    "label": _("Ecosystem multiplier"),
                    "value": f"1:{quarter_multiplier}" if quarter_multiplier is not None else "—",
                },
                {
                    "label": _("Trial to paid conversion"),
                    "value": f"{conversion['rate']}%" if conversion["rate"] is not None else "—",
                },
            ],
            "top": top,
            "bottom": bottom,
            "kind_rows": by_kind_rows,
            "at_risk": [f for f in data.get("at_risk", []) if f.month >= month_start(period_start)][:25],
            "multiplier_goal": figures.MULTIPLIER_GOAL,
            "data_month": end,
        }
    )
    return context


def _kind_summary(month: date) -> list[dict]:
    from django.db.models import Avg, Count

    from partners.models import PartnerKind

    names = dict(PartnerKind.choices)
    rows = (
        HealthSnapshot.objects.filter(month=month)
        .values("kind")
        .annotate(n=Count("id"), avg=Avg("composite"))
        .order_by("kind")
    )
    threshold = HealthSettings.load().healthy_threshold
    healthy = dict(
        HealthSnapshot.objects.filter(month=month, composite__gte=threshold)
        .values_list("kind")
        .annotate(n=Count("id"))
    )
    return [
        {
            "kind": names.get(row["kind"], row["kind"]),
            "count": row["n"],
            "average": Decimal(str(row["avg"])).quantize(Decimal("0.1")) if row["avg"] is not None else None,
            "healthy": healthy.get(row["kind"], 0),
        }
        for row in rows
    ]


# --- rendering ---------------------------------------------------------------------------------
def render_partner_report(
    partner: Partner, *, period_start: date, period_end: date, language: str | None = None
) -> bytes:
    language = language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = partner_report_context(partner, period_start=period_start, period_end=period_end)
    return render_pdf(PARTNER_TEMPLATE, context, language=language)


def render_ecosystem_report(
    *, period_start: date, period_end: date, language: str | None = None, progress=None
) -> bytes:
    language = language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = ecosystem_report_context(
            period_start=period_start, period_end=period_end, progress=progress
        )
    if progress:
        progress(70)
    return render_pdf(ECOSYSTEM_TEMPLATE, context, language=language)


# --- the archive -------------------------------------------------------------------------------
def request_report(
    *,
    kind: str,
    user=None,
    partner: Partner | None = None,
    language: str | None = None,
    period_start: date | None = None,
    period_end: date | None = None,
) -> GeneratedReport:
    """Record a report to generate and enqueue its task once the transaction commits."""
    if kind == GeneratedReport.Kind.PARTNER_HEALTH and partner is None:
        raise ValueError("A partner health report needs a partner.")
    if period_start is None or period_end is None:
        period_start, period_end = default_period(partner)
    languages = dict(settings.LANGUAGES)
    language = language if language in languages else (translation.get_language() or settings.LANGUAGE_CODE)
    if language not in languages:
        language = settings.LANGUAGE_CODE
    fields = {
        "kind": kind,
        "partner": partner if kind == GeneratedReport.Kind.PARTNER_HEALTH else None,
        "period_start": period_start,
        "period_end": period_end,
        "language": language,
        "requested_by": user if user is not None and user.is_authenticated else None,
    }
    # Asking again while the same report is still being made follows that one (no duplicates).
    waiting = (
        GeneratedReport.objects.filter(
            **fields, status__in=[GeneratedReport.Status.PENDING, GeneratedReport.Status.RUNNING]
        )
        .filter(created_at__gte=timezone.now() - timedelta(minutes=10))
        .first()
    )
    if waiting is not None:
        return waiting
    report = GeneratedReport.objects.create(**fields)
    enqueue_on_commit("partners.generate_health_report", str(report.pk))
    return report


def _set_progress(report_id, value: int) -> None:
    GeneratedReport.objects.filter(pk=report_id).update(progress=max(0, min(100, int(value))))


def filename_for(report: GeneratedReport) -> str:
    if report.kind == GeneratedReport.Kind.ECOSYSTEM:
        stem = "ecosystem-health"
    else:
        stem = f"health-{report.partner.slug if report.partner_id else 'partner'}"
    return f"{stem}-{_period_label(report.period_start, report.period_end).replace(' ', '')}.pdf"


def generate_report(report_id) -> GeneratedReport:
    """Render a recorded report into its file, with progress; failures are recorded, not raised."""
    report = GeneratedReport.objects.select_related("partner__organisation").get(pk=report_id)
    if report.status == GeneratedReport.Status.DONE and report.file:
        return report
    GeneratedReport.objects.filter(pk=report.pk).update(
        status=GeneratedReport.Status.RUNNING, progress=5, error=""
    )

    def progress(value):
        _set_progress(report.pk, value)

    try:
        if report.kind == GeneratedReport.Kind.ECOSYSTEM:
            pdf = render_ecosystem_report(
                period_start=report.period_start,
                period_end=report.period_end,
                language=report.language,
                progress=progress,
            )
        else:
            progress(30)
            pdf = render_partner_report(
                report.partner,
                period_start=report.period_start,
                period_end=report.period_end,
                language=report.language,
            )
        progress(90)
        report.file.save(filename_for(report), ContentFile(pdf), save=False)
        report.status = GeneratedReport.Status.DONE
        report.progress = 100
        report.finished_at = timezone.now()
        report.save(update_fields=["file", "status", "progress", "finished_at"])
    except Exception as exc:  # recorded for the person waiting on the progress bar
        logger.exception("Health report %s failed", report.pk)
        report.status = GeneratedReport.Status.FAILED
        report.error = str(exc)[:2000] or exc.__class__.__name__
        report.finished_at = timezone.now()
        report.save(update_fields=["status", "error", "finished_at"])
    return report


def download_path(report: GeneratedReport) -> str:
    return reverse("health:health-report-download", kwargs={"pk": report.pk})


def send_quarterly_reports(today: date | None = None) -> GeneratedReport | None:
    """Generate the ecosystem report of the last complete quarter and email it to the recipients."""
    recipients = HealthSettings.load().recipient_list
    if not recipients:
        return None
    start, end = last_complete_quarter(today)
    report = GeneratedReport.objects.create(
        kind=GeneratedReport.Kind.ECOSYSTEM,
        period_start=start,
        period_end=end,
        language=settings.LANGUAGE_CODE,
    )
    report = generate_report(report.pk)
    if report.status != GeneratedReport.Status.DONE:
        return report
    link = absolute_url(download_path(report))
    label = quarter_label(start)
    subjects, bodies = [], []
    for language in (settings.LANGUAGE_CODE, "en"):
        with translation.override(language):
            subjects.append(_("Ecosystem health report %(quarter)s") % {"quarter": label})
            bodies.append(
                _(
                    "The ecosystem health report for %(quarter)s is attached. It stays in the report "
                    "archive, for authorised staff, at %(link)s"
                )
                % {"quarter": label, "link": link}
            )
    message = EmailMessage(" / ".join(dict.fromkeys(subjects)), "\n\n".join(bodies), None, recipients)
    with report.file.open("rb") as handle:
        message.attach(filename_for(report), handle.read(), "application/pdf")
    message.send()
    report.emailed_to = "\n".join(recipients)
    report.save(update_fields=["emailed_to"])
    return report


PARTNER_REPORT_MAIL = "health/emails/partner_report"  # _subject.txt, _message.txt


def send_partner_quarterly_reports(today: date | None = None) -> int:
    """E-mail each partner's owners its health report of the last complete quarter (PDF in the
    site's default language, attached); partners without a snapshot in the quarter get none.
    Returns the number of e-mails sent."""
    start, end = last_complete_quarter(today)
    partner_ids = list(
        HealthSnapshot.objects.filter(month__gte=month_start(start), month__lte=month_start(end))
        .values_list("partner_id", flat=True)
        .distinct()
    )
    owners = owner_emails(partner_ids)
    label = quarter_label(start)
    language = settings.LANGUAGE_CODE
    sent = 0
    for partner in Partner.objects.filter(pk__in=owners).select_related("organisation", "tier"):
        pdf = render_partner_report(partner, period_start=start, period_end=end, language=language)
        subject, text, _html = render_templated(
            PARTNER_REPORT_MAIL,
            {"partner": partner, "quarter": label, "console_url": console_url()},
            language,
        )
        with translation.override(language):
            prefix = subject_prefix()
        message = EmailMessage(prefix + subject, text, None, owners[partner.pk])
        message.attach(f"health-{partner.organisation.slug}-{label}.pdf", pdf, "application/pdf")
        sent += message.send()
    return sent

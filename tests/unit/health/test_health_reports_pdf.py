"""Partner health and ecosystem PDFs: content (pdftotext), rendering to PNG (pdftoppm), archive."""

import subprocess
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from health.models import GeneratedReport
from health.services import reports as health_reports
from tests.unit.health.dashboard_fixtures import *  # noqa: F403

pytestmark = pytest.mark.skipif(
    subprocess.run(["which", "pdftoppm"], capture_output=True).returncode != 0,
    reason="poppler-utils (pdftoppm/pdftotext) is missing: `make test` installs it",
)
Q3 = (date(2026, 7, 1), date(2026, 9, 30))


def pdf_text(pdf: bytes, tmp_path, name="report.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return out.stdout


def test_partner_pdf_renders_to_png_and_has_name_and_scores(health_world, tmp_path):
    pdf = health_reports.render_partner_report(
        health_world.a, period_start=Q3[0], period_end=Q3[1], language="zh-hans"
    )
    path = tmp_path / "partner.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(path), str(tmp_path / "page")], check=True)
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) >= 3  # cover, summary + charts, metric table
    assert all(p.read_bytes().startswith(b"\x89PNG") and p.stat().st_size > 1000 for p in pngs)
    text = pdf_text(pdf, tmp_path)
    assert "华信科技" in text
    assert "55.3" in text  # composite 55.25
    assert "60.5" in text and "38.3" in text and "66.0" in text  # dimensions
    assert "健康" in text  # Chinese interface strings
    # metric table: value, kind median, change since last month
    assert "¥90,000" in text and "¥100,000" in text and "−¥50,000" in text
    # recommendation from the weakest dimension (robustness → churned customers' hint)
    assert "跟进续费提醒。" in text


def test_partner_pdf_in_english(health_world, tmp_path):
    pdf = health_reports.render_partner_report(
        health_world.a, period_start=Q3[0], period_end=Q3[1], language="en"
    )
    text = pdf_text(pdf, tmp_path)
    assert "Huaxin Tech" in text
    assert "Partner health report" in text
    assert "2026Q3" in text
    assert "Follow up renewals before they lapse." in text
    assert "Churned customers" in text


def test_ecosystem_pdf_has_kpis_multiplier_and_partners(health_world, tmp_path):
    pdf = health_reports.render_ecosystem_report(period_start=Q3[0], period_end=Q3[1], language="en")
    text = pdf_text(pdf, tmp_path)
    assert "Ecosystem health report" in text
    # Q3 revenue 150k+140k+90k+80k+85k = 545k; vendor 180k → 1:3.03
    assert "¥545,000" in text
    assert "1:3.03" in text
    assert "Huaxin Tech" in text and "Yunfan Services" in text
    assert "Goal 1:6" in text
    assert "Fell 14.7 points" in text  # the at-risk cause: 70.0 − 55.3, the figures shown


def test_request_report_generates_with_progress_into_the_archive(
    health_world, pm, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = health_reports.request_report(
            kind=GeneratedReport.Kind.PARTNER_HEALTH, partner=health_world.a, user=pm, language="en"
        )
    report.refresh_from_db()
    assert report.status == GeneratedReport.Status.DONE, report.error
    assert report.progress == 100
    assert (report.period_start, report.period_end) == Q3  # the quarter of the latest snapshot
    assert report.file.name.startswith("reports/partner_health/")
    with report.file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    assert report.requested_by == pm


def test_failed_generation_is_recorded(health_world, monkeypatch):
    report = GeneratedReport.objects.create(
        kind=GeneratedReport.Kind.ECOSYSTEM, period_start=Q3[0], period_end=Q3[1], language="en"
    )

    def boom(**kwargs):
        raise RuntimeError("renderer exploded")

    monkeypatch.setattr(health_reports, "render_ecosystem_report", boom)
    report = health_reports.generate_report(report.pk)
    assert report.status == GeneratedReport.Status.FAILED
    assert "renderer exploded" in report.error
    assert not report.file


def test_health_report_command(health_world, tmp_path):
    out = tmp_path / "a.pdf"
    call_command(
        "health_report",
        "huaxin",
        "--output",
        str(out),
        "--language",
        "en",
        "--quarter",
        "2026Q3",
        stdout=StringIO(),
    )
    text = pdf_text(out.read_bytes(), tmp_path, "cmd.pdf")
    assert "Huaxin Tech" in text and "55.3" in text
    with pytest.raises(CommandError):
        call_command("health_report", "no-such-partner", "--output", str(out), stdout=StringIO())
    with pytest.raises(CommandError):
        call_command(
            "health_report", "huaxin", "--output", str(out), "--quarter", "2026Q5", stdout=StringIO()
        )


def test_ecosystem_report_command(health_world, tmp_path):
    out = tmp_path / "eco.pdf"
    call_command("ecosystem_report", "--output", str(out), stdout=StringIO())
    text = pdf_text(out.read_bytes(), tmp_path, "eco2.pdf")
    assert "华信科技" in text and "云帆服务" in text  # partner names in the default language
    assert "1:3.03" in text


def test_quarterly_reports_email_recipients_once_configured(health_world, mailoutbox, settings):
    from health.models import HealthSettings

    assert health_reports.send_quarterly_reports(today=date(2026, 10, 5)) is None  # nobody to send to
    hs = HealthSettings.load()
    hs.report_recipients = "ceo@symbio.example.cn\n\nboard@symbio.example.cn\n"
    hs.save()
    report = health_reports.send_quarterly_reports(today=date(2026, 10, 5))
    assert report.status == GeneratedReport.Status.DONE
    assert (report.period_start, report.period_end) == Q3
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["ceo@symbio.example.cn", "board@symbio.example.cn"]
    assert "2026Q3" in mail.subject
    assert str(report.pk) in mail.body  # the archive link
    ((name, content, mimetype),) = mail.attachments
    assert mimetype == "application/pdf" and content.startswith(b"%PDF")
    assert report.emailed_to.splitlines() == mail.to


def test_parse_quarter():
    assert health_reports.parse_quarter("2026Q3") == Q3
    assert health_reports.parse_quarter("2025q1") == (date(2025, 1, 1), date(2025, 3, 31))
    assert health_reports.parse_quarter("2024Q4") == (date(2024, 10, 1), date(2024, 12, 31))
    for bad in ("2026Q0", "2026", "Q3", ""):
        with pytest.raises(ValueError):
            health_reports.parse_quarter(bad)


def test_quarterly_beat_entry_runs_the_registered_task(settings):
    from config.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["partners-quarterly-health-reports"]
    assert entry["task"] == "partners.send_quarterly_health_reports"
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks and "partners.generate_health_report" in app.tasks
    assert entry["schedule"].month_of_year == {1, 4, 7, 10}
    assert entry["schedule"].day_of_month == {5}

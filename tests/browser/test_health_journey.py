"""Ecosystem health end to end in a real browser (issue 7, "Done when"):

a programme manager opens the "Ecosystem health" dashboard, sees the charts and the ecosystem
multiplier, drills into the at-risk partner's score, generates its PDF and watches the
progress bar until the download link appears, and downloads it (the PDF's text holds the
partner's name and scores); the partner sees its own health page and gets 404 for another
partner's report.

The report task is held back while the bar is first shown (its ``delay`` is replaced), then run
in the test thread, so the page's htmx polling is what brings the download link. Screenshots of
every open page go to ``test-artifacts/`` when the test fails.
"""

import subprocess

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from health.models import GeneratedReport
from health.services import reports as health_reports
from tests.browser.journey import screenshots_on_failure, sign_in
from tests.factories.health import MONTHS
from tests.unit.accounts.helpers import english
from tests.unit.health.dashboard_fixtures import *  # noqa: F403

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def open_page(browser):
    pages = []

    def factory():
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="en-GB", accept_downloads=True
        )
        page = context.new_page()
        page.set_default_timeout(15000)
        pages.append(page)
        return page

    yield factory
    for page in pages:
        page.context.close()


def test_manager_drills_into_at_risk_partner_and_downloads_its_pdf(
    live_server, open_page, health_world, pm, monkeypatch, tmp_path
):
    from health.tasks import reports as report_tasks

    english(pm)
    queued = []
    monkeypatch.setattr(  # core.tasks.enqueue sends with apply_async
        report_tasks.generate_health_report, "apply_async", lambda args, kwargs: queued.append(args[0])
    )

    base = live_server.url
    manager, partner_page = open_page(), open_page()
    with screenshots_on_failure([manager, partner_page], "health-journey"):
        sign_in(manager, base, pm.email)
        manager.goto(f"{base}/admin/")
        manager.get_by_role("link", name="Ecosystem health").first.click()
        expect(manager.get_by_role("heading", name="Ecosystem health").first).to_be_visible()
        # charts (accessible SVG) and the multiplier with its goal
        expect(manager.locator("#kpi-multiplier")).to_contain_text("1:3.5")
        expect(manager.locator("#chart-multiplier svg[role=img]")).to_be_visible()
        expect(manager.locator("#chart-multiplier")).to_contain_text("Goal 1:6")
        assert manager.locator("svg.chart[role=img]").count() >= 7

        # drill into the at-risk partner
        at_risk = manager.locator("#at-risk-list")
        expect(at_risk).to_contain_text("Fell 14.7 points (from 70.0 to 55.3)")  # one rounding: 70.0 − 55.3
        with manager.expect_navigation():
            at_risk.get_by_role("link", name="Huaxin Tech").click()
        expect(manager.locator("#dimension-scores")).to_contain_text("55.3")
        expect(manager.locator('tr[data-metric="churned_customers"]')).to_contain_text("Customers lost")

        # generate its PDF: the bar shows and polls while the task is queued
        manager.locator("#pdf-language").select_option("en")
        with manager.expect_navigation():
            manager.locator("#generate-pdf").click()
        bar = manager.locator("progress#report-bar")
        expect(bar).to_be_visible()
        assert bar.get_attribute("value") == "0"
        assert len(queued) == 1
        health_reports.generate_report(queued[0])  # the worker's job
        download_link = manager.locator("#report-download")
        expect(download_link).to_be_visible(timeout=10000)  # brought by the htmx poll
        assert manager.locator("progress#report-bar").get_attribute("value") == "100"
        with manager.expect_download() as info:
            download_link.click()
        pdf = tmp_path / "report.pdf"
        info.value.save_as(pdf)
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "Huaxin Tech" in text and "55.3" in text and "38.3" in text

        # the partner: its own page, and 404 for another partner's report
        other = GeneratedReport.objects.create(
            kind=GeneratedReport.Kind.PARTNER_HEALTH,
            partner=health_world.b,
            period_start=MONTHS[0],
            period_end=MONTHS[2],
            status=GeneratedReport.Status.DONE,
            progress=100,
        )
        other.file.save("b.pdf", ContentFile(b"%PDF-1.7 b"))
        sign_in(partner_page, base, health_world.a_owner.email)
        partner_page.goto(f"{base}/en/partners/console/")
        with partner_page.expect_navigation():
            partner_page.locator("#console-health-link").click()
        expect(partner_page.get_by_role("heading", name="Health of Huaxin Tech")).to_be_visible()
        expect(partner_page.locator("#health-scores")).to_contain_text("55.3")
        expect(partner_page.locator("#weakest-metrics")).to_contain_text(
            "Follow up renewals before they lapse."
        )
        assert partner_page.locator("svg.chart[role=img]").count() >= 4  # gauges, trend, comparison
        expect(partner_page.locator("body")).not_to_contain_text("Yunfan")
        response = partner_page.goto(f"{base}/en/partners/console/health/reports/{other.pk}/download/")
        assert response.status == 404
        response = partner_page.goto(f"{base}/en/partners/console/health/reports/{other.pk}/")
        assert response.status == 404

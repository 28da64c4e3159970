"""One number, one definition (issue #18, point 2): the same partner and month give the same
score, previous score, change, conversion rate and multiplier on the dashboard, its export, the
drill-down, the partner's own page and both PDFs."""

import subprocess
from datetime import date
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.utils import translation

from health.models import AtRiskFlag
from health.selectors import scores
from health.services import reports as health_reports
from tests.factories.health import MONTHS
from tests.unit.accounts.helpers import english
from tests.unit.health.dashboard_fixtures import *  # noqa: F403
from tests.unit.health.test_health_dashboard_export import Q, csv_sections

Q3 = (date(2026, 7, 1), date(2026, 9, 30))
# Partner A in 2026-09: composite 55.25 (shown 55.3), previous 70.00 → change −14.7 (70.0 − 55.3).
SCORE, PREVIOUS, CHANGE = "55.3", "70.0", "14.7"


@pytest.fixture
def stale_flag(health_world):
    """The flag was raised with figures of an earlier computation; the snapshot is what counts."""
    AtRiskFlag.objects.filter(partner=health_world.a, month=MONTHS[2]).update(
        composite=Decimal("42.40"), previous_composite=Decimal("53.30")
    )
    return health_world


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_the_selector_rounds_before_it_subtracts(stale_flag):
    figures = scores.figures_for(stale_flag.a.pk, MONTHS[2])
    assert (figures.score, figures.previous, figures.change) == (
        Decimal(SCORE),
        Decimal(PREVIOUS),
        Decimal("-14.7"),
    )


def test_every_screen_and_document_shows_the_same_figures(client, stale_flag, pm, tmp_path):
    a = stale_flag.a
    client.force_login(english(pm))

    # Dashboard: the at-risk list and the movers.
    soup = BeautifulSoup(client.get("/admin/ecosystem_health/" + Q).content.decode(), "html.parser")
    text = soup.get_text(" ", strip=True)
    assert f"Fell {CHANGE} points (from {PREVIOUS} to {SCORE})" in text
    assert f"-{CHANGE}" in text and "42.4" not in text and "53.3" not in text

    # Export: the same rows.
    sections = csv_sections(client.get("/admin/ecosystem_health/export.csv" + Q).content.decode("utf-8-sig"))
    at_risk = sections["At-risk partners"][1]
    as_numbers = [Decimal(SCORE), Decimal(PREVIOUS)]
    assert at_risk[1] == "Huaxin Tech" and [Decimal(x) for x in at_risk[2:4]] == as_numbers
    movers = {row[0]: row for row in sections["Top movers"][1:]}
    assert [Decimal(x) for x in movers["Huaxin Tech"][2:]] == [*as_numbers, -Decimal(CHANGE)]

    # Drill-down.
    html = client.get(f"/admin/ecosystem_health/partners/{a.pk}/").content.decode()
    dims = BeautifulSoup(html, "html.parser").select("#dimension-scores tbody tr")[0]
    assert [c.get_text(strip=True) for c in dims.find_all(["th", "td"])][1:4] == [
        SCORE,
        PREVIOUS,
        f"-{CHANGE}",
    ]

    # The partner's own page.
    client.force_login(stale_flag.a_member)
    html = client.get("/en/partners/console/health/").content.decode()
    assert SCORE in html and f"-{CHANGE}" in html and "-14.8" not in html

    # The partner PDF and the ecosystem PDF.
    text = pdf_text(
        health_reports.render_partner_report(a, period_start=Q3[0], period_end=Q3[1], language="en"), tmp_path
    )
    assert SCORE in text and f"{CHANGE}" in text and "42.4" not in text and "14.8" not in text
    text = pdf_text(
        health_reports.render_ecosystem_report(period_start=Q3[0], period_end=Q3[1], language="en"), tmp_path
    )
    assert f"Fell {CHANGE} points (from {PREVIOUS} to {SCORE})" in text and "42.4" not in text


def test_the_ecosystem_report_gives_one_conversion_rate_and_multiplier(stale_flag):
    """Q3: trials 44 started, 13 converted → 29.5 %; revenue 545,000 ÷ vendor 180,000 → 1:3.03."""
    with translation.override("en"):
        context = health_reports.ecosystem_report_context(period_start=Q3[0], period_end=Q3[1])
        kpis = {str(k["label"]): k["value"] for k in context["kpis"]}

    assert kpis["Trial to paid conversion"] == "29.5%" == f"{context['data']['funnel']['rate']}%"
    stages = dict(context["data"]["charts"]["trial_funnel"]["stages"])
    assert list(stages.values()) == [Decimal(44), Decimal(13)]
    assert kpis["Ecosystem multiplier"] == "1:3.03"


def test_each_partner_gets_its_quarterly_report_by_e_mail(stale_flag, settings, mailoutbox):
    """Q3 2026 reports go out on 5 October to each partner's owners, PDF attached, link home."""
    settings.SITE_URL = "https://market.example.cn"

    sent = health_reports.send_partner_quarterly_reports(today=date(2026, 10, 5))

    assert sent == 2
    by_owner = {m.to[0]: m for m in mailoutbox}
    assert set(by_owner) == {"owner@huaxin.example.cn", "owner@yunfan.example.cn"}
    message = by_owner["owner@huaxin.example.cn"]
    assert "2026Q3" in message.subject and "华信科技" in message.subject
    assert "https://market.example.cn/partners/console/" in message.body
    (name, content, mimetype) = message.attachments[0]
    assert mimetype == "application/pdf" and content.startswith(b"%PDF") and "huaxin" in name

"""The dashboard's figures, filters, and CSV / XLSX export equal to what the page shows."""

import csv
import io
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook

from health.selectors import dashboard as selectors
from tests.factories.health import MONTHS
from tests.unit.accounts import helpers as accounts
from tests.unit.health.dashboard_fixtures import *  # noqa: F403

URL = "/admin/ecosystem_health/"


Q = "?start=2026-07&end=2026-09"


def page_tables(html: str) -> dict[str, list[list[str]]]:
    soup = BeautifulSoup(html, "html.parser")
    out = {}
    for table in soup.select("table[data-export-table]"):
        rows = [[th.get_text(strip=True) for th in table.select("thead th")]]
        for tr in table.select("tbody tr"):
            cells = [td.get_text(strip=True) for td in tr.find_all("td")]
            if len(cells) == len(rows[0]):
                rows.append(cells)
        out[table["data-export-table"]] = rows
    return out


def csv_sections(body: str) -> dict[str, list[list[str]]]:
    sections, current = {}, None
    for row in csv.reader(io.StringIO(body)):
        if not row:
            current = None
            continue
        if current is None:
            current = sections.setdefault(row[0], [])
            continue
        current.append(row)
    return sections


def test_figures(health_world, english):
    filters = selectors.DashboardFilters(start=MONTHS[0], end=MONTHS[2])
    data = selectors.dashboard(filters, show_health=True, show_revenue=True)
    tables = {t["key"]: t for t in data["tables"]}
    assert tables["partners_by_kind"]["rows"] == [
        ["2026-07", 1, 0, 1],
        ["2026-08", 1, 1, 2],
        ["2026-09", 1, 1, 2],
    ]
    assert tables["new_partners"]["rows"] == [["2026-07", 1], ["2026-08", 1], ["2026-09", 0]]
    # multiplier = partner revenue / vendor revenue: 150k/60k, 220k/70k, 175k/50k
    assert data["multiplier"] == [Decimal("2.50"), Decimal("3.14"), Decimal("3.50")]
    assert data["multiplier_latest"] == Decimal("3.50")
    assert data["funnel"] == {"started": Decimal(44), "converted": Decimal(13), "rate": Decimal("29.5")}
    assert tables["tier_movements"]["rows"][1] == ["2026-08", 1, 0]
    assert [s.partner_id for s in data["fallers"]] == [health_world.a.pk]
    assert [s.partner_id for s in data["risers"]] == [health_world.b.pk]
    assert [f.partner_id for f in data["at_risk"]] == [health_world.a.pk]
    assert data["distribution"][5] == 1 and data["distribution"][6] == 1  # 55.25 and 64.00
    # tiers across kinds by level; one kind's tiers by name
    assert tables["partners_by_tier"]["columns"] == ["Month", "Level 1"]
    assert [row[1] for row in tables["partners_by_tier"]["rows"]] == [1, 2, 2]
    isv = selectors.dashboard(
        selectors.DashboardFilters(start=MONTHS[0], end=MONTHS[2], kind="isv"),
        show_health=True,
        show_revenue=False,
    )
    isv_tables = {t["key"]: t for t in isv["tables"]}
    assert isv_tables["partners_by_tier"]["columns"] == ["Month", "Registered"]  # programme defaults


def test_filters_by_kind_and_region(health_world):
    only_service = selectors.parse_filters({"start": "2026-07", "end": "2026-09", "kind": "service"})
    data = selectors.dashboard(only_service, show_health=True, show_revenue=True)
    assert data["at_risk"] == []
    assert data["multiplier"] == [Decimal("0.00"), Decimal("1.14"), Decimal("1.70")]
    east = selectors.parse_filters({"start": "2026-07", "end": "2026-09", "region": "east"})
    data = selectors.dashboard(east, show_health=True, show_revenue=False)
    assert [f.partner_id for f in data["at_risk"]] == [health_world.a.pk]
    assert "multiplier" not in data


def test_bad_filters_fall_back_with_a_message(health_world):
    filters = selectors.parse_filters(
        {"start": "2026-13", "end": "2026-09", "kind": "wizard", "region": "mars"}
    )
    assert filters.kind is None and filters.region is None
    assert (filters.start, filters.end) == (MONTHS[2].replace(year=2025, month=10), MONTHS[2])
    assert len(filters.errors) == 3
    reversed_ = selectors.parse_filters({"start": "2026-09", "end": "2026-07"})
    assert reversed_.errors and reversed_.start < reversed_.end


@pytest.mark.parametrize("user_fixture", ["pm", "finance"])
def test_csv_equals_the_tables_on_the_page(client, health_world, request, user_fixture):
    client.force_login(accounts.english(request.getfixturevalue(user_fixture)))
    shown = page_tables(client.get(URL + Q).content.decode())
    exported = client.get("/admin/ecosystem_health/export.csv" + Q)
    assert exported["Content-Type"].startswith("text/csv")
    sections = csv_sections(exported.content.decode("utf-8-sig"))
    assert shown, "the page shows its figures as tables"
    titles = {
        "partners_by_kind": "Partners by kind",
        "partners_by_tier": "Partners by tier",
        "new_partners": "New partners",
        "trial_funnel": "Trial to paid",
        "tier_movements": "Tier movements",
        "revenue": "GMV and platform revenue (CNY)",
    }
    for key, rows in shown.items():
        assert sections[titles[key]] == rows, key
    if user_fixture == "finance":
        assert set(shown) == {"revenue"}
        assert set(sections) == {"GMV and platform revenue (CNY)"}
    else:
        assert set(shown) == set(titles)
        # and the lists shown as such: at-risk and top movers
        assert sections["At-risk partners"][1][1] == "Huaxin Tech"
        assert (
            sections["At-risk partners"][1][4] == "Fell 14.7 points (from 70.0 to 55.3); most in Robustness"
        )


def test_xlsx_has_the_same_figures(client, health_world, pm):
    client.force_login(accounts.english(pm))
    response = client.get("/admin/ecosystem_health/export.xlsx" + Q)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    revenue = [list(row) for row in workbook["GMV and platform revenue (CNY)"].iter_rows(values_only=True)]
    assert revenue[0] == [
        "Month",
        "Partner revenue (GMV)",
        "Platform commission",
        "Vendor revenue",
        "Ecosystem multiplier",
    ]
    assert revenue[1:] == [
        ["2026-07", 150000, 15000, 60000, 2.5],
        ["2026-08", 220000, 22000, 70000, 3.14],
        ["2026-09", 175000, 17500, 50000, 3.5],
    ]
    shown = page_tables(client.get(URL + Q).content.decode())
    kinds = [list(row) for row in workbook["Partners by kind"].iter_rows(values_only=True)]
    assert [[str(c) for c in row] for row in kinds] == shown["partners_by_kind"]


def test_dashboard_page_shows_charts_and_multiplier(client, health_world, pm):
    client.force_login(accounts.english(pm))
    html = client.get(URL + Q).content.decode()
    assert "1:3.50" in html  # latest multiplier
    assert "Goal 1:6" in html  # goal line label in the chart
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart') >= 7
    assert f"/admin/ecosystem_health/partners/{health_world.a.pk}/?month=2026-09" in html


def test_drill_down_shows_metrics_median_change_and_formula(client, health_world, pm):
    client.force_login(accounts.english(pm))
    html = client.get(f"/admin/ecosystem_health/partners/{health_world.a.pk}/").content.decode()
    soup = BeautifulSoup(html, "html.parser")
    revenue = [td.get_text(strip=True) for td in soup.select('tr[data-metric="revenue"] td')]
    assert revenue == [
        "Revenue",
        "¥90,000",
        "¥100,000",
        "30",
        "2",
        "−¥50,000",
        "Sum of revenue over the window",
    ]
    churn = [td.get_text(strip=True) for td in soup.select('tr[data-metric="churned_customers"] td')]
    assert churn[1:4] == ["6", "2", "20"] and churn[5] == "+4"
    dims = [
        [c.get_text(strip=True) for c in tr.find_all(["th", "td"])]
        for tr in soup.select("#dimension-scores tbody tr")
    ]
    assert dims[0] == ["Health score", "55.3", "70.0", "-14.7", "55.3"]  # only partner of its tier
    assert dims[2][:2] == ["Robustness", "38.3"]
    # an earlier month through ?month=
    july = client.get(f"/admin/ecosystem_health/partners/{health_world.a.pk}/?month=2026-07")
    assert "72.5" in july.content.decode()
    assert (
        client.get(f"/admin/ecosystem_health/partners/{health_world.a.pk}/?month=2025-01").status_code == 404
    )


def test_admin_generates_a_partner_pdf_with_progress(
    client, health_world, pm, django_capture_on_commit_callbacks
):
    from health.models import GeneratedReport

    client.force_login(accounts.english(pm))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            "/admin/ecosystem_health/reports/new/", {"partner": health_world.a.pk, "language": "en"}
        )
    report = GeneratedReport.objects.get()
    assert response["Location"].endswith(f"/admin/ecosystem_health/reports/{report.pk}/")
    pending = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in pending and 'value="0"' in pending  # the bar, polling
    for callback in callbacks:
        callback()
    done = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert 'value="100"' in done and "hx-trigger" not in done and "Download the PDF" in done


def test_finance_can_generate_the_ecosystem_report_but_not_a_partner_one(client, health_world, finance):
    client.force_login(accounts.english(finance))
    response = client.post("/admin/ecosystem_health/reports/new/", {"partner": health_world.a.pk})
    assert response.status_code == 302 and "/reports/" not in response["Location"]  # denied
    response = client.post("/admin/ecosystem_health/reports/new/", {"language": "en"})
    assert "/admin/ecosystem_health/reports/" in response["Location"]


def test_find_a_partner_for_its_drill_down(client, health_world, pm, finance):
    client.force_login(accounts.english(pm))
    html = client.get(URL + "?q=yunfan").content.decode()
    soup = BeautifulSoup(html, "html.parser")
    links = [a["href"] for a in soup.select("#partner-matches a")]
    assert links == [f"/admin/ecosystem_health/partners/{health_world.b.pk}/"]
    client.force_login(finance)
    assert 'id="partner-matches"' not in client.get(URL + "?q=yunfan").content.decode()


def test_asking_again_follows_the_report_being_made(health_world, pm):
    from health.models import GeneratedReport
    from health.services import reports as health_reports

    first = health_reports.request_report(kind=GeneratedReport.Kind.ECOSYSTEM, user=pm, language="en")
    again = health_reports.request_report(kind=GeneratedReport.Kind.ECOSYSTEM, user=pm, language="en")
    assert again.pk == first.pk
    other_language = health_reports.request_report(
        kind=GeneratedReport.Kind.ECOSYSTEM, user=pm, language="zh-hans"
    )
    assert other_language.pk != first.pk


def test_exports_neutralise_a_partner_name_that_is_a_formula(client, health_world, pm):
    """A partner named like a spreadsheet formula is exported as text (core.exports.safe_cell)."""
    formula = '=HYPERLINK("https://evil.example","Huaxin Tech")'
    organisation = health_world.a.organisation
    organisation.name_en = formula
    organisation.save()
    client.force_login(accounts.english(pm))

    exported = client.get("/admin/ecosystem_health/export.csv" + Q)
    sections = csv_sections(exported.content.decode("utf-8-sig"))
    assert sections["At-risk partners"][1][1] == "'" + formula

    workbook = load_workbook(io.BytesIO(client.get("/admin/ecosystem_health/export.xlsx" + Q).content))
    at_risk = [list(row) for row in workbook["At-risk partners"].iter_rows(values_only=True)]
    assert at_risk[1][1] == "'" + formula
    # negative figures stay numbers, not text
    movers = [list(row) for row in workbook["Top movers"].iter_rows(values_only=True)]
    assert any(isinstance(row[4], float) and row[4] < 0 for row in movers[1:])

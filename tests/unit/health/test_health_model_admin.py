"""Admin screens of the health model: "Recompute now" runs a HealthRun with its progress page,
snippets and settings render for staff, and the dashboard shows the at-risk panel."""

import pytest

from health.models import HealthRun, HealthSnapshot
from tests.factories.health import fact, month, only_metrics, pm_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(pm_user("en", is_superuser=True, is_staff=True))
    return client


def test_recompute_now_runs_the_range_and_shows_progress(
    admin_client, isvs, django_capture_on_commit_callbacks
):
    only_metrics({"slug": "rev", "metric": "revenue", "dimension": "productivity", "window_months": 1})
    for partner, value in zip(isvs, (100, 200, 300), strict=True):
        fact(partner, "revenue", "2026-05", value)
        fact(partner, "revenue", "2026-06", value)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post("/admin/health_runs/", {"first": "2026-05", "last": "2026-06"})
    run = HealthRun.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/admin/health_runs/{run.pk}/")
    assert (run.status, run.total, run.processed) == ("done", 2, 2)
    assert run.summary["snapshots"] == 6
    assert HealthSnapshot.objects.filter(month=month("2026-06")).count() == 3
    page = admin_client.get(f"/admin/health_runs/{run.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert 'value="100"' in page and "6 snapshots written" in page and "hx-get" not in page


def test_bad_month_is_refused_and_nothing_runs(admin_client):
    response = admin_client.post("/admin/health_runs/", {"first": "2026-13"}, follow=True)
    assert "Give months as YYYY-MM." in response.content.decode()
    assert not HealthRun.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/snippets/partners/healthmetric/",
        "/admin/snippets/partners/vendorrevenue/",
        "/admin/settings/partners/healthsettings/",
        "/admin/health_model/",
        "/admin/health_runs/",
        "/admin/programme_decisions/",
    ],
)
def test_staff_screens_render(admin_client, url):
    response = admin_client.get(url, follow=True)
    assert response.status_code == 200


def test_dashboard_panel_counts_open_flags(admin_client, isvs):
    from health.services import snapshots as health

    only_metrics({"slug": "rev", "metric": "revenue", "dimension": "productivity", "window_months": 1})
    for partner, value in zip(isvs, (100, 200, 300), strict=True):
        fact(partner, "revenue", "2026-06", value)
    health.compute_snapshots(first=month("2026-06"), notify=False)  # the lowest ISV is below 40
    html = admin_client.get("/admin/").content.decode()
    assert "Partners at risk" in html
    assert "1 partner flagged at risk for 2026-06 is not acknowledged yet." in html

"""The staff dashboard charts MDF received, utilisation and stars from the monthly facts."""

import pytest
from django.utils import timezone

from incentives.services.stars import _shift
from partners.services.facts import ensure_metric, report_facts
from tests.factories.incentives import member_partner
from tests.unit.incentives.test_outcomes_import import login_in_english

pytestmark = pytest.mark.django_db


def test_dashboard_charts_the_last_months_facts(client, programme_manager, django_assert_max_num_queries):
    last = _shift(timezone.localdate().replace(day=1), -1)
    earlier = _shift(last, -1)
    a, b, c = (member_partner() for _ in range(3))
    for slug in ("mdf_received", "mdf_utilisation", "delivery_stars"):
        ensure_metric(slug=slug, name=slug)
    report_facts(
        source="test",
        rows=[
            (a.pk, "mdf_received", last, 3000),
            (b.pk, "mdf_received", last, 1500),
            (a.pk, "mdf_received", earlier, 700),
            (a.pk, "mdf_utilisation", last, 80),
            (b.pk, "mdf_utilisation", last, 40),
            (a.pk, "delivery_stars", last, 4),
            (b.pk, "delivery_stars", last, 4),
            (c.pk, "delivery_stars", last, 2),
            (c.pk, "delivery_stars", earlier, 5),  # an earlier month is not counted
        ],
    )
    login_in_english(client, programme_manager)
    client.get("/admin/incentives/")
    with django_assert_max_num_queries(30):
        html = client.get("/admin/incentives/").content.decode()
    assert html.count("<svg") >= 3
    assert f"{earlier:%Y-%m}: 700, {last:%Y-%m}: 4500" in html  # received, summed per month
    assert f"{last:%Y-%m}: 60%" in html  # mean utilisation
    assert "1★: 0, 2★: 1, 3★: 0, 4★: 2, 5★: 0" in html
    assert f"Partners by delivery stars, {last:%Y-%m}" in html


def test_dashboard_charts_without_facts(client, programme_manager):
    login_in_english(client, programme_manager)
    response = client.get("/admin/incentives/")
    assert response.status_code == 200
    assert "1★: 0, 2★: 0, 3★: 0, 4★: 0, 5★: 0" in response.content.decode()

"""Staff import delivery outcomes from a CSV in the Wagtail admin: all rows or none."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from incentives.models import DeliveryOutcome
from incentives.services.stars import report_delivery_outcomes
from partners.models import PartnerFact
from tests.factories.incentives import member_partner
from tests.unit.accounts.helpers import english

pytestmark = pytest.mark.django_db

URL = "/admin/incentives/outcomes/import/"


def login_in_english(client, user):
    client.force_login(english(user))


def csv_file(text, name="outcomes.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


@pytest.fixture
def partners(db):
    return (
        member_partner(organisation__slug="deliver-a"),
        member_partner(organisation__slug="deliver-b"),
    )


def test_a_good_file_writes_the_outcomes_and_feeds_the_success_rate(client, programme_manager, partners):
    a, b = partners
    login_in_english(client, programme_manager)
    body = "partner,month,successful,failed\ndeliver-a,2026-02,9,1\ndeliver-b,2026-02,3,0\n"
    response = client.post(URL, {"file": csv_file(body)})
    assert response.status_code == 302
    assert DeliveryOutcome.objects.filter(partner=a).count() == 10
    assert DeliveryOutcome.objects.filter(partner=a, successful=False).count() == 1
    assert DeliveryOutcome.objects.filter(partner=b, successful=True).count() == 3
    report_delivery_outcomes(month=date(2026, 2, 1))
    rate = PartnerFact.objects.get(partner=a, metric__slug="delivery_success_rate", month=date(2026, 2, 1))
    assert rate.value == 90
    # Re-importing a corrected row replaces the earlier import of that partner and month.
    client.post(URL, {"file": csv_file("partner,month,successful,failed\ndeliver-a,2026-02,4,0\n")})
    assert DeliveryOutcome.objects.filter(partner=a).count() == 4
    assert DeliveryOutcome.objects.filter(partner=b).count() == 3


@pytest.mark.parametrize(
    "bad_row, message",
    [
        ("nobody,2026-02,1,0", "No partner has the slug"),
        ("deliver-b,2026-13,1,0", "is not a month"),
        ("deliver-b,2026-02,-1,0", "must be a whole number"),
        ("deliver-a,2026-02,2,2", "appear twice"),
    ],
)
def test_a_bad_row_writes_nothing_and_names_its_line(client, programme_manager, partners, bad_row, message):
    login_in_english(client, programme_manager)
    body = f"partner,month,successful,failed\ndeliver-a,2026-02,9,1\n{bad_row}\n"
    response = client.post(URL, {"file": csv_file(body)})
    assert response.status_code == 400
    assert DeliveryOutcome.objects.count() == 0
    html = response.content.decode()
    assert message in html and "<td>3</td>" in html


def test_wrong_file_type_and_too_many_rows_are_refused(client, programme_manager, partners):
    login_in_english(client, programme_manager)
    response = client.post(URL, {"file": csv_file("partner,month,successful,failed\n", name="x.xlsx")})
    assert response.status_code == 400
    assert "Upload a .csv file." in response.content.decode()
    rows = "".join(f"deliver-a,{2000 + n // 12}-{n % 12 + 1:02d},1,0\n" for n in range(1001))
    response = client.post(URL, {"file": csv_file("partner,month,successful,failed\n" + rows)})
    assert response.status_code == 400
    assert "more than 1000 rows" in response.content.decode()
    assert DeliveryOutcome.objects.count() == 0


def test_only_staff_who_may_add_outcomes_can_import(client, finance, partners):
    client.force_login(finance)
    refused = client.get(URL)  # Wagtail turns PermissionDenied into a redirect to the dashboard
    assert (refused.status_code, refused.url) == (302, "/admin/")
    client.post(URL, {"file": csv_file("partner,month,successful,failed\ndeliver-a,2026-02,1,0\n")})
    assert DeliveryOutcome.objects.count() == 0

"""The partner console: a draft request can be changed (and only a draft, only by its partner);
the figures read the partner's way (paid and held as positive amounts, not ledger debits)."""

from datetime import date
from decimal import Decimal

import pytest

from core.exceptions import NotAllowed
from incentives.models import RequestState
from incentives.services import funds
from tests.unit.incentives.test_funds import approved, claim, draft, submitted

pytestmark = pytest.mark.django_db

CONSOLE = "/en/incentives/console/"


def form_data(pool, **changes):
    data = {
        "pool": pool.pk,
        "activity_type": "training",
        "title": "华东伙伴培训日",
        "plan": "Train 40 consultants in Hangzhou.",
        "expected_results": "40 certified people.",
        "start_date": "2026-05-06",
        "end_date": "2026-05-07",
        "budget": "25000",
    }
    data.update(changes)
    return data


def test_partner_edits_its_draft_and_the_change_is_logged(client, pool, partner_a):
    from wagtail.models import ModelLogEntry

    request = draft(partner_a, pool)
    client.force_login(partner_a.owner)
    detail = client.get(f"{CONSOLE}requests/{request.public_id}/").content.decode()
    assert f"/requests/{request.public_id}/edit/" in detail
    page = client.get(f"{CONSOLE}requests/{request.public_id}/edit/")
    assert page.status_code == 200 and 'value="华东用户大会"' in page.content.decode()

    response = client.post(f"{CONSOLE}requests/{request.public_id}/edit/", form_data(pool))
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == RequestState.DRAFT
    assert (request.title, request.activity_type, request.budget) == (
        "华东伙伴培训日",
        "training",
        Decimal("25000"),
    )
    assert (request.start_date, request.end_date) == (date(2026, 5, 6), date(2026, 5, 7))
    entry = ModelLogEntry.objects.filter(action=funds.LOG_EDITED).get()
    assert {"title", "budget", "start_date"} <= set(entry.data["fields"])


def test_an_edit_is_checked_like_a_new_request(client, pool, partner_a):
    request = draft(partner_a, pool)
    client.force_login(partner_a.owner)
    response = client.post(
        f"{CONSOLE}requests/{request.public_id}/edit/",
        form_data(pool, start_date="2027-02-01", end_date="2027-02-02"),  # outside the pool's year
    )
    assert response.status_code == 400
    assert "within the pool" in response.context["form"].errors["start_date"][0]
    request.refresh_from_db()
    assert request.title == "华东用户大会" and request.start_date == date(2026, 4, 1)


def test_only_a_draft_can_be_changed(client, pool, partner_a):
    request = submitted(partner_a, pool)
    with pytest.raises(NotAllowed):
        funds.update_request(
            request=request,
            user=partner_a.owner,
            **{name: getattr(request, name) for name in funds.EDITABLE_FIELDS}
            | {"title": "Changed after submission"},
        )
    client.force_login(partner_a.owner)
    response = client.post(f"{CONSOLE}requests/{request.public_id}/edit/", form_data(pool))
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.title == "华东用户大会" and request.budget == Decimal("20000")


def test_another_partners_draft_is_404(client, pool, partner_a, partner_b):
    request = draft(partner_a, pool)
    client.force_login(partner_b.owner)
    assert client.get(f"{CONSOLE}requests/{request.public_id}/edit/").status_code == 404
    assert client.post(f"{CONSOLE}requests/{request.public_id}/edit/", form_data(pool)).status_code == 404
    request.refresh_from_db()
    assert request.title == "华东用户大会"


def test_console_shows_paid_and_held_the_partners_way(client, pool, partner_a, programme_manager, finance):
    paid = approved(partner_a, pool, programme_manager)  # 20,000 approved
    funds.approve_claim(request=claim(paid, amount="15000"), user=programme_manager)
    funds.pay_claim(request=paid, user=finance)
    submitted(partner_a, pool, budget="8000", start=date(2026, 6, 1), end=date(2026, 6, 1))  # held
    client.force_login(partner_a.owner)
    body = client.get(CONSOLE).content.decode()
    assert 'data-testid="paid">¥15,000.00<' in body
    assert 'data-testid="held">¥8,000.00<' in body
    assert 'data-testid="expired">¥0.00<' in body
    assert "-¥15,000.00</strong>" not in body and "-¥8,000.00</strong>" not in body
    assert 'data-testid="balance">¥37,000.00<' in body  # 60,000 − 15,000 paid − 8,000 held

"""Money actions (#18 point 8): invoice lines whose quantity × unit agrees with the amount
(proration lines), and the seats × price total on checkout."""

import uuid
from decimal import Decimal

import pytest
from django.utils import timezone

from billing.services.invoices import consistent_line
from tests.unit.billing.test_billing_core_views import en, owner_client  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("quantity", "unit", "amount", "expected"),
    [
        (3, "149.00", "447.00", (3, "149.00")),  # an ordinary line stays as Stripe sent it
        (1, "149.00", "-447.00", (1, "-447.00")),  # "Unused time 1 × ¥149.00 = −¥447.00"
        (3, "149.00", "-447.00", (3, "-149.00")),
        (3, "149.00", "-100.00", (1, "-100.00")),  # does not divide to the cent: one unit of the whole
        (2, "149.00", "-99.34", (2, "-49.67")),
    ],
)
def test_a_line_quantity_times_unit_is_its_amount(quantity, unit, amount, expected):
    q, u = consistent_line(quantity, Decimal(unit), Decimal(amount), "CNY")
    assert (q, u) == (expected[0], Decimal(expected[1]))
    assert q * u == Decimal(amount)


def test_checkout_shows_seats_times_price(stripe, owner_client, store):  # noqa: F811
    url = en("purchase:checkout", plan_id=store.seats.pk)
    html = owner_client.get(url).content.decode()
    total = html.split('data-testid="checkout-total"')[1].split("</p>")[0]
    assert "¥30.00 × <span data-seats>1</span> = <strong data-total>¥30.00</strong>" in total
    # Posted with 4 seats but no card: the page comes back with the total for 4.
    response = owner_client.post(url, {"currency": "CNY", "quantity": "4", "token": uuid.uuid4().hex})
    total = response.content.decode().split('data-testid="checkout-total"')[1].split("</p>")[0]
    assert "<strong data-total>¥120.00</strong>" in total
    monthly = owner_client.get(en("purchase:checkout", plan_id=store.monthly.pk)).content.decode()
    assert 'data-testid="checkout-total"' not in monthly  # not per seat: no seats to multiply


# --- confirmation with a price preview before seat changes and cancelling -------------------------
def test_change_preview_prorates_the_rest_of_the_period(stripe, store, customer):
    from datetime import timedelta

    from django.utils import timezone

    from billing.services import previews
    from tests.factories.billing import purchase_plan

    user, org = customer
    sub = purchase_plan(store.seats, org, user, quantity=1)
    now = timezone.now()
    sub.current_period_start, sub.current_period_end = now - timedelta(days=15), now + timedelta(days=15)
    preview = previews.change_preview(sub, price=sub.price, quantity=3, now=now)
    assert preview.remaining == Decimal("0.5")
    assert (preview.credit.amount, preview.charge.amount, preview.due_now.amount) == (
        Decimal("-15.00"),
        Decimal("45.00"),
        Decimal("30.00"),
    )
    assert preview.new_per_period.amount == Decimal("90.00")
    sub.current_period_end = now - timedelta(days=1)  # period over: nothing left to prorate
    assert previews.change_preview(sub, price=sub.price, quantity=3, now=now).due_now.amount == 0


def test_seat_change_asks_for_confirmation_with_the_preview(stripe, owner_client, store, customer):  # noqa: F811
    from tests.factories.billing import purchase_plan

    user, org = customer
    sub = purchase_plan(store.seats, org, user, quantity=1)
    url = en("purchase:change", public_id=sub.public_id)
    data = {"plan": store.seats.pk, "quantity": 3, "token": uuid.uuid4().hex}
    page = owner_client.post(url, data)
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="change-preview"' in html
    assert "¥30.00" in html and "¥90.00" in html  # per period now and after
    assert 'name="confirmed" value="1"' in html and f'name="token" value="{data["token"]}"' in html
    sub.refresh_from_db()
    assert sub.quantity == 1  # nothing changed before the confirmation
    assert owner_client.post(url, {**data, "confirmed": "1"}).status_code == 302
    sub.refresh_from_db()
    assert sub.quantity == 3


def test_cancel_asks_for_confirmation_first(stripe, owner_client, store, customer):  # noqa: F811
    from tests.factories.billing import purchase_plan

    user, org = customer
    sub = purchase_plan(store.monthly, org, user)
    url = en("purchase:cancel", public_id=sub.public_id)
    html = owner_client.post(url).content.decode()
    preview = html.split('data-testid="cancel-preview"')[1].split("</ul>")[0]
    # The page shows the date in the site's time zone (Asia/Shanghai): between 16:00 and 24:00
    # UTC that is the next day, so the expected date is read in the same zone.
    shown = timezone.localtime(sub.current_period_end)
    assert f"{shown:%Y-%m-%d}" in preview and str(sub.amount) in preview
    sub.refresh_from_db()
    assert not sub.cancel_at_period_end
    assert owner_client.post(url, {"confirmed": "1"}).status_code == 302
    sub.refresh_from_db()
    assert sub.cancel_at_period_end


def test_seat_change_invoice_lines_add_up(stripe, store, customer):
    """Through localstripe: every stored line reads quantity × unit = amount, proration included."""
    from billing.models import InvoiceLine
    from billing.services import subscriptions
    from tests.factories.billing import purchase_plan

    user, org = customer
    sub = purchase_plan(store.seats, org, user, quantity=3)
    subscriptions.change(sub, quantity=4, token=uuid.uuid4().hex)
    lines = list(InvoiceLine.objects.filter(invoice__subscription=sub))
    assert any(line.amount < 0 for line in lines)  # the "Unused time" credit is there
    for line in lines:
        assert line.quantity * line.unit_amount == line.amount, (
            line.description,
            line.quantity,
            line.unit_amount,
        )

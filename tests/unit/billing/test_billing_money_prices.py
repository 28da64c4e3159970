"""Money actions (#18 point 8): invoice lines whose quantity × unit agrees with the amount
(proration lines), and the seats × price total on checkout."""

import uuid
from decimal import Decimal

import pytest

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

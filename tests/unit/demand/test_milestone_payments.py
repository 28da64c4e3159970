"""Approved milestone payments are charged through billing: a PaymentIntent on the customer's
card (localstripe), then the charge and the platform commission on the partner's ledger. Approving
twice charges once; with Stripe down nothing is half-written and the request stays approved and
unpaid with the reason."""

from decimal import Decimal

import pytest

from billing import gateway
from billing.models import LedgerEntry
from billing.models.ledger import LedgerKind
from billing.services import commission, customers
from core.exceptions import ApplicationError
from demand.models import PaymentRequestState
from demand.services import delivery as services


@pytest.fixture
def card_on_file(stripe, customer_org):
    customer = customers.ensure_customer(customer_org, email="buyer@customer.example.cn")
    pm = gateway.create_card_payment_method("4242424242424242", 12, 2034, "123")
    return customers.save_card(customer, pm["id"])


@pytest.mark.django_db
def test_approval_charges_once_and_posts_charge_and_commission(card_on_file, payment, customer, partner_a):
    paid = services.decide_payment(payment_request=payment, by=customer, approve=True)
    assert paid.state == PaymentRequestState.APPROVED and paid.paid_at is not None
    assert paid.stripe_payment_intent_id.startswith("pi_")
    again = services.decide_payment(payment_request=payment, by=customer, approve=True)
    assert again.stripe_payment_intent_id == paid.stripe_payment_intent_id
    entries = LedgerEntry.objects.filter(partner=partner_a).order_by("kind")
    assert [(e.kind, e.amount, e.stripe_object_id) for e in entries] == [
        (LedgerKind.CHARGE, Decimal("10000.00"), paid.stripe_payment_intent_id),
        (
            LedgerKind.COMMISSION,
            -commission.commission_on(Decimal("10000"), commission.rate_for(partner_a), "CNY"),
            paid.stripe_payment_intent_id,
        ),
    ]
    assert entries[1].amount < 0


@pytest.mark.django_db
@pytest.mark.usefixtures("english")
def test_stripe_down_leaves_it_approved_unpaid_with_the_reason_and_a_retry_pays(
    card_on_file, payment, customer, partner_a, settings, stripe
):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # discard port: connection refused
    with pytest.raises(ApplicationError) as exc:
        services.decide_payment(payment_request=payment, by=customer, approve=True)
    assert "try again" in exc.value.message
    payment.refresh_from_db()
    assert payment.state == PaymentRequestState.APPROVED and payment.decided_by == customer
    assert payment.paid_at is None and payment.stripe_payment_intent_id == ""
    assert "try again" in payment.charge_error
    assert not LedgerEntry.objects.exists()
    settings.STRIPE_API_BASE = stripe
    paid = services.decide_payment(payment_request=payment, by=customer, approve=True)
    assert paid.paid_at is not None and paid.charge_error == ""
    assert LedgerEntry.objects.filter(partner=partner_a).count() == 2


@pytest.mark.django_db
@pytest.mark.usefixtures("english")
def test_without_a_card_nothing_is_charged(stripe, payment, customer):
    with pytest.raises(ApplicationError) as exc:
        services.decide_payment(payment_request=payment, by=customer, approve=True)
    assert "no card" in exc.value.message
    payment.refresh_from_db()
    assert payment.state == PaymentRequestState.APPROVED and payment.paid_at is None
    assert not LedgerEntry.objects.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("english")
def test_customer_approves_on_the_screen_and_sees_it_paid(
    client,
    card_on_file,
    payment,
    awarded,  # noqa: F811
    customer,
    customer_org,
):
    from django.urls import reverse

    from tests.unit.accounts.helpers import signed_in

    signed_in(client, customer, customer_org)
    url = reverse("demand:customer-delivery", kwargs={"public_id": awarded.public_id})
    response = client.post(url, {"action": "approve", "payment": payment.public_id}, follow=True)
    html = response.content.decode()
    assert "approved and charged to your card" in html and 'data-testid="payment-paid"' in html
    assert LedgerEntry.objects.filter(kind=LedgerKind.CHARGE).count() == 1

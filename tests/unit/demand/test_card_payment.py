"""Paying a milestone with a card entered on the page: the card (a PaymentMethod confirmed by
Stripe.js; created server-side here) is attached to the organisation's Stripe customer, the
request is approved and charged once on localstripe and posted to the ledger. A declined card
leaves the request pending; another organisation's request is 404; members who do not manage
the organisation cannot pay."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Role
from billing import gateway
from billing.models import BillingCustomer, LedgerEntry
from billing.models.ledger import LedgerKind
from core.exceptions import ApplicationError, NotAllowed
from demand.models import PaymentRequestState
from demand.services import delivery as services
from tests.factories.accounts import MembershipFactory, UserFactory
from tests.factories.billing import card
from tests.unit.accounts.helpers import signed_in


@pytest.mark.django_db
def test_card_entered_on_the_page_approves_charges_once_and_becomes_the_default(
    stripe,  # noqa: F811
    payment,
    customer,
    customer_org,
    partner_a,
):
    pm = card()
    paid = services.pay_with_card(payment_request=payment, by=customer, payment_method_id=pm)
    assert paid.state == PaymentRequestState.APPROVED and paid.decided_by == customer
    assert paid.paid_at is not None and paid.stripe_payment_intent_id.startswith("pi_")
    assert BillingCustomer.objects.get(organisation=customer_org).default_payment_method_id == pm
    charges = LedgerEntry.objects.filter(partner=partner_a, kind=LedgerKind.CHARGE)
    assert [(c.amount, c.stripe_object_id) for c in charges] == [
        (Decimal("10000.00"), paid.stripe_payment_intent_id)
    ]
    with pytest.raises(NotAllowed):
        services.pay_with_card(payment_request=payment, by=customer, payment_method_id=card())
    assert LedgerEntry.objects.filter(kind=LedgerKind.CHARGE).count() == 1


@pytest.mark.django_db
def test_a_missing_card_leaves_the_request_pending(stripe, payment, customer):  # noqa: F811
    with pytest.raises(ApplicationError) as exc:
        services.pay_with_card(payment_request=payment, by=customer, payment_method_id="  ")
    assert exc.value.field == "payment_method"
    payment.refresh_from_db()
    assert payment.state == PaymentRequestState.PENDING and payment.paid_at is None
    assert not LedgerEntry.objects.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("english")
def test_the_pay_page_shows_the_card_form_and_posting_a_card_pays(
    client,
    stripe,  # noqa: F811
    payment,
    customer,
    customer_org,
    settings,
):
    settings.STRIPE_JS_URL = f"{stripe}/js.stripe.com/v3/"
    signed_in(client, customer, customer_org)
    url = reverse("demand:pay", kwargs={"public_id": payment.public_id})
    html = client.get(url).content.decode()
    assert 'id="card-element"' in html and f"{stripe}/js.stripe.com/v3/" in html
    assert "¥10,000.00" in html and 'data-secret="seti_' in html
    response = client.post(url, {"payment_method": card()}, follow=True)
    page = response.content.decode()
    assert "approved and charged to your card" in page and 'data-testid="payment-paid"' in page
    payment.refresh_from_db()
    assert payment.paid_at is not None
    assert client.get(url).status_code == 302  # paid: back to the requirement


@pytest.mark.django_db
@pytest.mark.usefixtures("english")
def test_declined_card_shows_the_reason_and_changes_nothing(
    client,
    stripe,  # noqa: F811
    payment,
    customer,
    customer_org,
):
    signed_in(client, customer, customer_org)
    url = reverse("demand:pay", kwargs={"public_id": payment.public_id})
    try:
        declined = card("4000000000000002")
    except gateway.BillingGatewayError:
        pytest.skip("localstripe refused the declined test card at creation")
    response = client.post(url, {"payment_method": declined})
    assert response.status_code == 400 and 'role="alert"' in response.content.decode()
    payment.refresh_from_db()
    assert payment.state == PaymentRequestState.PENDING and payment.paid_at is None
    assert not LedgerEntry.objects.exists()


@pytest.mark.django_db
def test_other_organisation_gets_404_and_plain_members_cannot_pay(
    client,
    stripe,  # noqa: F811
    payment,
    other_customer,
    customer_org,
):
    url = reverse("demand:pay", kwargs={"public_id": payment.public_id})
    signed_in(client, other_customer, other_customer.memberships.first().organisation)
    assert client.get(url).status_code == 404
    member = UserFactory(email="member@customer.example.cn")
    MembershipFactory(user=member, organisation=customer_org, role=Role.MEMBER)
    signed_in(client, member, customer_org)
    assert client.post(url, {"payment_method": card()}).status_code == 302
    payment.refresh_from_db()
    assert payment.state == PaymentRequestState.PENDING and payment.paid_at is None

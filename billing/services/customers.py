"""Customer organisations in Stripe, their cards and billing contacts."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from billing import gateway
from billing.models import BillingContact, BillingCustomer


def ensure_customer(organisation, *, email: str = "") -> BillingCustomer:
    """The organisation's Stripe customer, created on first use (own transaction: a purchase that
    fails afterwards must not lose the link to a customer Stripe already holds)."""
    existing = BillingCustomer.objects.filter(organisation=organisation).first()
    if existing:
        return existing
    contact = BillingContact.objects.filter(organisation=organisation, is_primary=True).first()
    data = gateway.create_customer(
        name=organisation.name_en or organisation.name,
        email=(contact.email if contact else email) or "",
        metadata={"symbio_organisation": str(organisation.pk), "slug": organisation.slug},
        idempotency_key=f"symbio-customer-{organisation.pk}",
    )
    try:
        with transaction.atomic():
            return BillingCustomer.objects.create(organisation=organisation, stripe_customer_id=data["id"])
    except IntegrityError:  # a concurrent request created it first
        return BillingCustomer.objects.get(organisation=organisation)


def save_card(customer: BillingCustomer, payment_method_id: str) -> BillingCustomer:
    """Attach the card to the customer (declined cards fail here) and make it the default."""
    if payment_method_id and payment_method_id == customer.default_payment_method_id:
        return customer
    pm = gateway.attach_payment_method(customer.stripe_customer_id, payment_method_id)
    card = pm.get("card") or {}
    customer.default_payment_method_id = payment_method_id
    customer.card_brand = (card.get("brand") or "")[:20]
    customer.card_last4 = (card.get("last4") or "")[:4]
    customer.save(update_fields=["default_payment_method_id", "card_brand", "card_last4", "updated_at"])
    return customer


@transaction.atomic
def save_contact(contact: BillingContact) -> BillingContact:
    """Save a billing contact; a new primary contact demotes the previous one."""
    if contact.is_primary:
        BillingContact.objects.filter(organisation_id=contact.organisation_id, is_primary=True).exclude(
            pk=contact.pk
        ).update(is_primary=False)
    elif (
        not BillingContact.objects.filter(organisation_id=contact.organisation_id, is_primary=True)
        .exclude(pk=contact.pk)
        .exists()
    ):
        contact.is_primary = True
    contact.save()
    return contact

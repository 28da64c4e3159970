"""Billing's events for partners' webhooks (``partners.services.events.emit``): every entitlement
change of a partner's listing as ``entitlement.<event>`` (the fulfilment notifications), and for subscriptions
``subscription.created`` / ``subscription.cancelled``. Connected in ``billing.receivers``."""

import logging

from billing.models import Entitlement, Subscription
from partners.services.events import emit

logger = logging.getLogger(__name__)


def _customer(organisation) -> dict:
    return {"name": organisation.name, "slug": organisation.slug}


def _moment(value):
    return value.isoformat() if value else None


def entitlement_payload(entitlement: Entitlement) -> dict:
    """What a fulfilment receiver needs to provision: the entitlement, its customer and listing."""
    listing = entitlement.listing
    return {
        "id": str(entitlement.public_id),
        "listing": str(listing.translation_key),
        "listing_slug": listing.slug,
        "listing_title": listing.title,
        "customer": {**_customer(entitlement.organisation), "name_en": entitlement.organisation.name_en},
        "source": entitlement.source,
        "status": entitlement.status,
        "seats": entitlement.seats,
        "starts_at": _moment(entitlement.starts_at),
        "ends_at": _moment(entitlement.ends_at),
        "subscription": str(entitlement.subscription.public_id) if entitlement.subscription_id else None,
    }


def subscription_payload(subscription: Subscription) -> dict:
    return {
        "id": str(subscription.public_id),
        "listing": str(subscription.listing.translation_key),
        "customer": _customer(subscription.organisation),
        "plan_name": subscription.plan_name,
        "plan_name_en": subscription.plan_name_en,
        "status": subscription.status,
        "quantity": subscription.quantity,
        "unit_price": {"amount": f"{subscription.unit_amount:.2f}", "currency": subscription.currency},
    }


def entitlement_changed(entitlement: Entitlement, event: str) -> None:
    listing = entitlement.listing
    if listing.partner_id is None:
        return
    emit(listing.partner, f"entitlement.{event}", entitlement_payload(entitlement))
    subscription = entitlement.subscription
    if subscription is None:
        return
    if event == "created":
        emit(listing.partner, "subscription.created", subscription_payload(subscription))
    elif event == "ended" and subscription.status == Subscription.Status.CANCELED:
        emit(listing.partner, "subscription.cancelled", subscription_payload(subscription))

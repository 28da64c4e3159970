"""Stripe webhooks: recorded by event id (a replay has no second effect), processed in a task.

Events may arrive in any order. Subscription snapshots older than the last one applied are
ignored; invoice state only moves forward; an event about something we have not written yet
(the purchase transaction has not committed) raises ``NotReady`` and the task retries later.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from billing import gateway
from billing.models import Invoice, Subscription, WebhookEvent
from billing.services import invoices, subscriptions
from core.exceptions import ApplicationError

logger = logging.getLogger(__name__)


class NotReady(ApplicationError):
    """The event refers to one of our objects that is not committed yet: retry later."""

    code = "not_ready"
    status = 409

    def __init__(self, message="", **kwargs):
        super().__init__(message, **kwargs)


def record(event: dict) -> tuple[WebhookEvent, bool]:
    """Store a verified event once; returns (event, created)."""
    try:
        with transaction.atomic():
            return (
                WebhookEvent.objects.create(
                    stripe_event_id=event["id"], type=str(event.get("type", ""))[:80], payload=event
                ),
                True,
            )
    except IntegrityError:
        return WebhookEvent.objects.get(stripe_event_id=event["id"]), False


def _find_subscription(stripe_id: str, metadata: dict | None = None) -> Subscription | None:
    if not stripe_id:
        return None
    sub = Subscription.objects.filter(stripe_subscription_id=stripe_id).first()
    if sub is not None:
        return sub
    if metadata is None:  # an invoice event: ask Stripe whose subscription it is
        metadata = gateway.retrieve_subscription(stripe_id).get("metadata") or {}
    public_id = metadata.get("symbio_subscription")
    if not public_id:
        return None  # not one of ours
    sub = Subscription.objects.filter(public_id=public_id).first()
    if sub is None:
        raise NotReady(f"subscription {public_id} not written yet")
    Subscription.objects.filter(pk=sub.pk, stripe_subscription_id__isnull=True).update(
        stripe_subscription_id=stripe_id
    )
    sub.refresh_from_db()
    return sub


def _event_time(event: dict) -> datetime:
    created = event.get("created")
    return datetime.fromtimestamp(int(created), tz=UTC) if created else timezone.now()


def on_subscription(obj: dict, event: dict) -> str:
    sub = _find_subscription(obj.get("id", ""), obj.get("metadata") or {})
    if sub is None:
        return WebhookEvent.Status.IGNORED
    subscriptions.apply_stripe_subscription(sub, obj, as_of=_event_time(event))
    return WebhookEvent.Status.PROCESSED


def on_invoice(obj: dict, event: dict) -> str:
    sub = _find_subscription(invoices.subscription_id_of(obj))
    if sub is None:
        return WebhookEvent.Status.IGNORED
    failed = event.get("type") == "invoice.payment_failed"
    if event.get("type") in ("invoice.paid", "invoice.payment_succeeded") and obj.get("status") != "paid":
        obj = {**obj, "status": "paid"}
    subscriptions.apply_invoice(sub, obj, failed=failed)
    return WebhookEvent.Status.PROCESSED


def on_payment_intent(obj: dict, event: dict) -> str:
    public_id = (obj.get("metadata") or {}).get("symbio_subscription")
    if not public_id:
        return WebhookEvent.Status.IGNORED  # e.g. paying a subscription invoice: handled by invoice events
    sub = Subscription.objects.filter(public_id=public_id).first()
    if sub is None or sub.stripe_payment_intent_id != obj.get("id"):
        raise NotReady(f"purchase {public_id} not written yet")
    invoice = Invoice.objects.filter(stripe_payment_intent_id=obj["id"]).first()
    if invoice is None:
        raise NotReady(f"invoice for {obj['id']} not written yet")
    if event.get("type") == "payment_intent.succeeded":
        invoices.mark_paid(invoice)
    return WebhookEvent.Status.PROCESSED


def on_charge_refunded(obj: dict, event: dict) -> str:
    charge_id, pi = obj.get("id", ""), invoices._id(obj.get("payment_intent"))
    invoice = Invoice.objects.filter(stripe_charge_id=charge_id).first() if charge_id else None
    if invoice is None and pi:
        invoice = Invoice.objects.filter(stripe_payment_intent_id=pi).first()
    if invoice is None:
        return WebhookEvent.Status.IGNORED
    refunds = (obj.get("refunds") or {}).get("data") or []
    refund_id = refunds[0].get("id", "") if refunds else ""
    total = gateway.minor_to_money(obj.get("amount_refunded") or 0, invoice.currency)
    invoices.record_refund(invoice, amount_refunded_total=total, stripe_refund_id=refund_id)
    return WebhookEvent.Status.PROCESSED


HANDLERS = {
    "customer.subscription.created": on_subscription,
    "customer.subscription.updated": on_subscription,
    "customer.subscription.deleted": on_subscription,
    "invoice.created": on_invoice,
    "invoice.finalized": on_invoice,
    "invoice.paid": on_invoice,
    "invoice.payment_succeeded": on_invoice,
    "invoice.payment_failed": on_invoice,
    "invoice.voided": on_invoice,
    "invoice.marked_uncollectible": on_invoice,
    "payment_intent.succeeded": on_payment_intent,
    "charge.refunded": on_charge_refunded,
}


def process(event_pk: int) -> str:
    """Apply one recorded event, once. Raises ``NotReady`` (retry) or the handler's error."""
    with transaction.atomic():
        event = WebhookEvent.objects.select_for_update().get(pk=event_pk)
        if event.status in (WebhookEvent.Status.PROCESSED, WebhookEvent.Status.IGNORED):
            return event.status
        handler = HANDLERS.get(event.type)
        obj = ((event.payload or {}).get("data") or {}).get("object") or {}
        status = handler(obj, event.payload) if handler else WebhookEvent.Status.IGNORED
        event.status = status
        event.attempts += 1
        event.error = ""
        event.processed_at = timezone.now()
        event.save(update_fields=["status", "attempts", "error", "processed_at"])
        return status


def note_failure(event_pk: int, error: str) -> None:
    WebhookEvent.objects.filter(pk=event_pk).exclude(status=WebhookEvent.Status.PROCESSED).update(
        status=WebhookEvent.Status.FAILED, error=error[:2000]
    )
    event = WebhookEvent.objects.filter(pk=event_pk).first()
    if event is not None:
        WebhookEvent.objects.filter(pk=event_pk).update(attempts=event.attempts + 1)

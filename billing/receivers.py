"""Billing money's receivers of billing's own signals (connected once from ``BillingConfig.ready``).

* ``invoice_paid`` / ``invoice_refunded`` post to the ledger inside the sender's transaction
  (idempotent per Stripe object, so a replayed webhook posts nothing more);
* ``entitlement_changed`` (sent after commit) logs a fulfilment notification and sends it from
  a task; it never raises into the customer's request.
"""

import logging

from django.db.models.signals import post_migrate
from django.dispatch import receiver

from billing import (
    signals,
    tasks_money,  # noqa: F401 - registers the money tasks with Celery
)
from billing.services import fulfilment, ledger

logger = logging.getLogger(__name__)


@receiver(signals.invoice_paid, dispatch_uid="billing.money.invoice_paid")
def post_paid_invoice(sender, invoice, **kwargs):
    ledger.post_invoice_paid(invoice)


@receiver(signals.invoice_refunded, dispatch_uid="billing.money.invoice_refunded")
def post_refund(sender, invoice, amount, currency, stripe_refund_id="", **kwargs):
    ledger.post_refund(invoice, amount=amount, currency=currency, stripe_refund_id=stripe_refund_id)


@receiver(signals.entitlement_changed, dispatch_uid="billing.money.entitlement_changed")
def notify_partner(sender, entitlement, event, **kwargs):
    try:
        fulfilment.notify_entitlement(entitlement, event)
    except Exception:  # noqa: BLE001 - the customer's action has committed; log, never fail it
        logger.exception("Could not log the fulfilment notification for entitlement %s", entitlement.pk)


@receiver(signals.entitlement_changed, dispatch_uid="billing.partner_events")
def emit_partner_events(sender, entitlement, event, **kwargs):
    from billing import events

    try:
        events.entitlement_changed(entitlement, event)
    except Exception:  # noqa: BLE001 - the customer's action has committed; log, never fail it
        logger.exception("Could not emit partner events for entitlement %s", entitlement.pk)


@receiver(post_migrate, dispatch_uid="billing.money.ensure_metrics")
def ensure_billing_metrics(sender, **kwargs):
    if getattr(sender, "label", None) == "billing":
        from billing.services.facts import ensure_metrics

        ensure_metrics()

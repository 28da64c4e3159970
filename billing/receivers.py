"""Billing's receivers (imported once from ``BillingConfig.ready``, which also calls ``connect``).

* ``invoice_paid`` / ``invoice_refunded`` post to the ledger inside the sender's transaction
  (idempotent per Stripe object, so a replayed webhook posts nothing more);
* ``entitlement_changed`` (sent after commit) emits the ``entitlement.*`` (and subscription)
  events — the fulfilment notifications, delivered by the webhook machinery; it never raises into
  the customer's request;
* a published listing gets its plans synced to Stripe (after commit), only with a real worker
  (``BILLING_SYNC_PLANS_ON_PUBLISH``, default: tasks not eager): inline, it would make every publish
  (tests, the demo seed) wait on Stripe. Checkout syncs a plan lazily anyway.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_migrate
from django.dispatch import receiver

from billing import signals
from billing.services import ledger
from core.tasks import enqueue

logger = logging.getLogger(__name__)


@receiver(signals.invoice_paid, dispatch_uid="billing.money.invoice_paid")
def post_paid_invoice(sender, invoice, **kwargs):
    ledger.post_invoice_paid(invoice)


@receiver(signals.invoice_refunded, dispatch_uid="billing.money.invoice_refunded")
def post_refund(sender, invoice, amount, currency, stripe_refund_id="", **kwargs):
    ledger.post_refund(invoice, amount=amount, currency=currency, stripe_refund_id=stripe_refund_id)


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


def sync_on_publish() -> bool:
    value = getattr(settings, "BILLING_SYNC_PLANS_ON_PUBLISH", None)
    return (not settings.CELERY_TASK_ALWAYS_EAGER) if value is None else bool(value)


def on_page_published(sender, instance, **kwargs):
    from catalog.models import ListingPage

    if not sync_on_publish():
        return
    if not isinstance(instance, ListingPage) and getattr(instance, "specific_class", None) is not ListingPage:
        return
    pk = instance.pk

    def send():
        try:
            enqueue("billing.sync_listing_plans", pk)  # broker down: kept in the outbox
        except Exception:  # Stripe down in eager mode: the next publish or the checkout syncs it
            import logging

            logging.getLogger(__name__).warning("Plan sync for listing %s failed", pk, exc_info=True)

    transaction.on_commit(send)


def connect():
    from wagtail.signals import page_published

    from catalog.models import ListingPage

    page_published.connect(
        on_page_published, sender=ListingPage, dispatch_uid="billing.sync_plans_on_publish"
    )

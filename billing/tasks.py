"""Billing core's Celery tasks: thin wrappers that take ids and call the services."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import transaction

logger = logging.getLogger(__name__)

WEBHOOK_MAX_RETRIES = 8


@shared_task(bind=True, name="billing.process_webhook_event", max_retries=WEBHOOK_MAX_RETRIES)
def process_webhook_event(self, event_pk: int) -> str:
    from billing import gateway
    from billing.services import webhooks

    try:
        return webhooks.process(event_pk)
    except (webhooks.NotReady, gateway.PaymentUnavailable) as exc:
        webhooks.note_failure(event_pk, repr(exc))
        raise self.retry(exc=exc, countdown=min(2 ** (self.request.retries + 1), 600)) from exc
    except Exception as exc:
        logger.exception("Webhook event %s failed", event_pk)
        webhooks.note_failure(event_pk, repr(exc))
        raise self.retry(exc=exc, countdown=min(2 ** (self.request.retries + 1), 600)) from exc


def enqueue_webhook_event(event_pk: int) -> None:
    """Process after the recording transaction commits; a failure in eager mode is logged on the event."""

    def run():
        try:
            process_webhook_event.delay(event_pk)
        except Exception:  # eager mode propagates; the event keeps its error and can be re-run
            logger.warning("Webhook event %s not processed yet", event_pk, exc_info=True)

    transaction.on_commit(run)


@shared_task(
    name="billing.sync_listing_plans", autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5
)
def sync_listing_plans(listing_id: int) -> int:
    from billing import gateway
    from billing.services import plans

    try:
        return plans.sync_listing(listing_id)
    except gateway.PaymentUnavailable as exc:
        raise ConnectionError(str(exc)) from exc


@shared_task(name="billing.expire_trials")
def expire_trials() -> int:
    from billing.services import trials

    return trials.expire_due()


@shared_task(name="billing.remind_trials")
def remind_trials() -> int:
    from billing.services import trials

    return trials.remind_due()


@shared_task(name="billing.suspend_overdue_subscriptions")
def suspend_overdue_subscriptions() -> int:
    from billing.services import subscriptions

    return subscriptions.suspend_overdue()


@shared_task(
    name="billing.send_payment_failed_email",
    autoretry_for=(OSError,),  # SMTP errors (smtplib.SMTPException) and refused connections
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def send_payment_failed_email(invoice_pk: int) -> int:
    from billing.services import notifications

    return notifications.payment_failed(invoice_pk)

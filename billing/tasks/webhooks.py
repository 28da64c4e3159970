"""Stripe webhook events: processed by a task after the recording transaction commits."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import transaction

from billing import gateway
from billing.services import webhooks
from core.tasks import enqueue

logger = logging.getLogger(__name__)

WEBHOOK_MAX_RETRIES = 8


@shared_task(bind=True, name="billing.process_webhook_event", max_retries=WEBHOOK_MAX_RETRIES)
def process_webhook_event(self, event_pk: int) -> str:
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
            enqueue(process_webhook_event, event_pk)  # broker down: kept in the outbox
        except Exception:  # eager mode propagates; the event keeps its error and can be re-run
            logger.warning("Webhook event %s not processed yet", event_pk, exc_info=True)

    transaction.on_commit(run)

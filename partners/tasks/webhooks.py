"""Outbound webhooks (thin tasks around ``partners.services.webhooks``).

* ``partners.deliver_webhook`` — one attempt at one delivery (queued when an event commits);
* ``partners.send_due_webhooks`` — every 5 s (beat): the retries that are due;
* ``partners.purge_events`` — daily: events older than 90 days, with their delivery log.
"""

from celery import shared_task

from partners.services import webhooks

__all__ = ["deliver_webhook", "purge_events", "send_due_webhooks"]


@shared_task(name="partners.deliver_webhook", ignore_result=True)
def deliver_webhook(delivery_id: int) -> None:
    webhooks.deliver(delivery_id)


@shared_task(name="partners.send_due_webhooks", ignore_result=True)
def send_due_webhooks() -> int:
    due = list(webhooks.due_deliveries()[:500])
    for delivery_id in due:
        deliver_webhook.delay(delivery_id)
    return len(due)


@shared_task(name="partners.purge_events", ignore_result=True)
def purge_events() -> int:
    return webhooks.purge_events()

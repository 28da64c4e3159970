"""Fulfilment deliveries to partners (retried every minute by beat while their backoff has passed)."""

from celery import shared_task

from billing.services import fulfilment as fulfilment_service


@shared_task(name="billing.deliver_fulfilment", ignore_result=True)
def deliver_fulfilment(delivery_id: int) -> None:
    fulfilment_service.attempt(delivery_id)


@shared_task(name="billing.retry_fulfilment_deliveries", ignore_result=True)
def retry_fulfilment_deliveries() -> int:
    due = fulfilment_service.due_retries()
    for delivery_id in due:
        deliver_fulfilment.delay(delivery_id)
    return len(due)

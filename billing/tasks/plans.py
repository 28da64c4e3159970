"""Listing plans synced to Stripe (enqueued when a listing is published)."""

from celery import shared_task

from billing import gateway
from billing.services import plans


@shared_task(
    name="billing.sync_listing_plans", autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5
)
def sync_listing_plans(listing_id: int) -> int:
    try:
        return plans.sync_listing(listing_id)
    except gateway.PaymentUnavailable as exc:
        raise ConnectionError(str(exc)) from exc

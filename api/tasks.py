"""The partner API's housekeeping (beat): stored idempotent responses older than 24 hours."""

from celery import shared_task
from django.utils import timezone

from api.models import IdempotentResponse
from api.wrappers import IDEMPOTENCY_WINDOW


@shared_task(name="api.purge_idempotent_responses", ignore_result=True)
def purge_idempotent_responses() -> int:
    deleted, _rows = IdempotentResponse.objects.filter(
        created_at__lt=timezone.now() - IDEMPOTENCY_WINDOW
    ).delete()
    return deleted

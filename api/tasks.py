"""The partner API's tasks: change sets (``api.changesets``) and housekeeping (beat: stored
idempotent responses older than 24 hours)."""

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


@shared_task(name="api.apply_change_set", ignore_result=True)
def apply_change_set(change_set_id: int) -> None:
    from api import changesets

    changesets.apply(change_set_id)

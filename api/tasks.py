"""The partner API's tasks: change sets (``api.changesets``) and housekeeping (beat: stored
idempotent responses older than 24 hours)."""

from celery import shared_task
from django.utils import timezone

from api.models import IdempotentResponse
from api.wrappers import IDEMPOTENCY_WINDOW


@shared_task(name="api.purge_idempotent_responses", ignore_result=True)
def purge_idempotent_responses() -> int:
    from api import exports

    deleted, _rows = IdempotentResponse.objects.filter(
        created_at__lt=timezone.now() - IDEMPOTENCY_WINDOW
    ).delete()
    return deleted + exports.purge()  # and exports expired a day ago


@shared_task(name="api.apply_change_set", ignore_result=True)
def apply_change_set(change_set_id: int) -> None:
    from api import changesets

    changesets.apply(change_set_id)


@shared_task(name="api.build_export", ignore_result=True)
def build_export(export_id: int) -> None:
    from api import exports

    exports.build(export_id)

"""Health model tasks: thin wrappers that take ids and call ``health.services.snapshots``.

``partners.compute_health`` runs monthly (``CELERY_BEAT_SCHEDULE`` in ``config/settings/base.py``,
day 3 at 04:00, after the facts of the month are in); the admin's "Recompute now" button
enqueues ``partners.run_health_computation`` for a ``HealthRun`` and shows its progress.
"""

from smtplib import SMTPException

from celery import shared_task

from health.models import HealthRun
from health.services import snapshots as health_services
from partners.selectors.programme import default_as_of

__all__ = ["compute_health", "notify_at_risk", "run_health_computation"]

RETRY = {"autoretry_for": (ConnectionError,), "retry_backoff": True, "max_retries": 5}


@shared_task(name="partners.compute_health", **RETRY)
def compute_health() -> dict:
    """Scheduled: the last complete month, recorded as a run like the admin button does."""
    month = default_as_of()
    run = HealthRun.objects.create(first_month=month, last_month=month, total=1)
    return health_services.execute_run(run_id=run.pk).summary


@shared_task(name="partners.run_health_computation", **RETRY)
def run_health_computation(run_id: int) -> dict:
    return health_services.execute_run(run_id=run_id).summary


@shared_task(
    name="partners.notify_at_risk",
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=6,
)
def notify_at_risk(flag_ids: list[int]) -> int:
    return health_services.send_at_risk_email(flag_ids=flag_ids)

"""Health computation tasks: thin wrappers that take ids and call ``health.services.runs``.

``partners.compute_health`` runs monthly (``CELERY_BEAT_SCHEDULE`` in ``config/settings/base.py``,
day 3 at 04:00, after the facts of the month are in); the admin's "Recompute now" button
enqueues ``partners.run_health_computation`` for a ``HealthRun`` and shows its progress. The task
names keep their ``partners.`` prefix: schedules stored in the database refer to them.
"""

from celery import shared_task

from health.models import HealthRun
from health.services import runs
from partners.selectors.programme import default_as_of

__all__ = ["compute_health", "run_health_computation"]

RETRY = {"autoretry_for": (ConnectionError,), "retry_backoff": True, "max_retries": 5}


@shared_task(name="partners.compute_health", **RETRY)
def compute_health() -> dict:
    """Scheduled: the last complete month, recorded as a run like the admin button does."""
    month = default_as_of()
    run = HealthRun.objects.create(first_month=month, last_month=month, total=1)
    return runs.execute_run(run_id=run.pk).summary


@shared_task(name="partners.run_health_computation", **RETRY)
def run_health_computation(run_id: int) -> dict:
    return runs.execute_run(run_id=run_id).summary

"""Recomputation runs: the scheduled monthly computation and the admin's "Recompute now", each
recorded as a ``HealthRun`` whose progress the admin polls."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from core.tasks import enqueue_on_commit
from health.models import HealthRun
from health.services.definitions import months_between
from health.services.snapshots import compute_snapshots
from partners.selectors.programme import default_as_of, month_start


def start_run(*, user=None, first: date | None = None, last: date | None = None) -> HealthRun:
    """Create a run and enqueue it after commit; the admin shows its progress."""
    last = month_start(last or default_as_of())
    first = month_start(first or last)
    run = HealthRun.objects.create(
        started_by=user, first_month=first, last_month=last, total=len(months_between(first, last))
    )
    enqueue_on_commit("partners.run_health_computation", run.pk)
    return run


def execute_run(*, run_id: int) -> HealthRun:
    run = HealthRun.objects.get(pk=run_id)
    if run.is_finished:
        return run
    HealthRun.objects.filter(pk=run.pk).update(status=HealthRun.Status.RUNNING)

    def progress(done: int, total: int) -> None:
        HealthRun.objects.filter(pk=run.pk).update(processed=done, total=total)

    try:
        summary = compute_snapshots(first=run.first_month, last=run.last_month, progress=progress)
    except Exception as exc:
        HealthRun.objects.filter(pk=run.pk).update(
            status=HealthRun.Status.FAILED, finished_at=timezone.now(), message=str(exc)[:255]
        )
        raise
    HealthRun.objects.filter(pk=run.pk).update(
        status=HealthRun.Status.DONE, finished_at=timezone.now(), summary=summary, processed=run.total
    )
    run.refresh_from_db()
    return run

"""Celery tasks of the tier programme: thin wrappers that take ids and call services.

Schedules (django-celery-beat ``PeriodicTask`` rows created by migration
``partners.0003_programme_defaults``; staff edit them under Settings → Periodic tasks):

* ``partners.evaluate_tiers`` — monthly, day 2 at 03:00: evaluate every partner;
* ``partners.apply_due_demotions`` — daily at 04:00;
* ``partners.report_certified_people`` — daily at 01:00: certified-people facts;
* ``partners.send_certification_reminders`` — daily at 08:00.
"""

from celery import shared_task

from partners.models import EvaluationRun
from partners.services import certifications as certification_services
from partners.services import programme as programme_services

__all__ = [
    "apply_due_demotions",
    "evaluate_tiers",
    "import_certified_people",
    "report_certified_people",
    "run_tier_evaluation",
    "send_certification_reminders",
    "send_demotion_warning",
    "send_tier_change_email",
]

RETRY = {"autoretry_for": (ConnectionError,), "retry_backoff": True, "max_retries": 5}


@shared_task(name="partners.evaluate_tiers", **RETRY)
def evaluate_tiers() -> dict:
    """Scheduled run: records an ``EvaluationRun`` like the admin button does."""
    run = EvaluationRun.objects.create()
    return programme_services.run_evaluation(run_id=run.pk).summary


@shared_task(name="partners.run_tier_evaluation", **RETRY)
def run_tier_evaluation(run_id: int) -> dict:
    return programme_services.run_evaluation(run_id=run_id).summary


@shared_task(name="partners.apply_due_demotions", **RETRY)
def apply_due_demotions() -> int:
    return programme_services.apply_due_demotions()


@shared_task(name="partners.send_demotion_warning", **RETRY)
def send_demotion_warning(recommendation_id: int) -> int:
    return programme_services.send_demotion_warning_email(recommendation_id=recommendation_id)


@shared_task(name="partners.report_certified_people", **RETRY)
def report_certified_people() -> int:
    return certification_services.report_certified_people_recent()


@shared_task(name="partners.send_certification_reminders", **RETRY)
def send_certification_reminders() -> int:
    return certification_services.send_certification_reminders()


@shared_task(name="partners.import_certified_people", **RETRY)
def import_certified_people(job_id: int) -> dict:
    job = certification_services.run_import_job(job_id=job_id)
    return {"status": job.status, "imported": job.imported_count, "errors": len(job.errors)}


@shared_task(name="partners.send_tier_change_email", **RETRY)
def send_tier_change_email(change_id: int) -> int:
    return programme_services.send_tier_change_email(change_id=change_id)

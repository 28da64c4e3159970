"""Co-sell's scheduled work: expiry of protection, reminders before it, monthly facts."""

from celery import shared_task

from cosell.services import facts, registrations


@shared_task(name="cosell.expire_protection")
def expire_protection() -> int:
    return registrations.expire_due()


@shared_task(name="cosell.report_facts")
def report_cosell_facts() -> int:
    return facts.report()


@shared_task(name="cosell.remind_expiring")
def remind_expiring() -> int:
    from cosell.services.reminders import remind_expiring as remind

    return remind()


@shared_task(name="cosell.escalate_reviews")
def escalate_reviews() -> int:
    from cosell.services.escalation import escalate

    return escalate()


@shared_task(name="cosell.import_registrations")
def import_registrations(job_id: int) -> int:
    """A partner's CSV of deal registrations: all rows or none (``imports.run_import``)."""
    from cosell.services.imports import run_import

    return run_import(job_id=job_id).created_count

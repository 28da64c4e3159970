"""Trials: expiry and reminders (beat schedule in ``config/settings/base.py``)."""

from celery import shared_task

from billing.services import trials


@shared_task(name="billing.expire_trials")
def expire_trials() -> int:
    return trials.expire_due()


@shared_task(name="billing.remind_trials")
def remind_trials() -> int:
    return trials.remind_due()

"""Jobs of the incentives app, scheduled in ``CELERY_BEAT_SCHEDULE`` (config/settings/base.py):
stars and MDF facts for the month just ended (on the 2nd), expiry daily."""

from celery import shared_task
from django.utils import timezone


@shared_task(name="incentives.compute_star_ratings")
def compute_star_ratings_task():
    from incentives.services.facts import report_mdf_facts
    from incentives.services.stars import _shift, compute_star_ratings, report_delivery_outcomes

    month = _shift(timezone.localdate().replace(day=1), -1)  # the month just ended
    report_delivery_outcomes(month=month)
    return {"stars": compute_star_ratings(month=month), "mdf_facts": report_mdf_facts(month=month)}


@shared_task(name="incentives.expire")
def expire_incentives_task():
    """Expire unclaimed requests past their deadline and pools past their period."""
    from incentives.services import funds, ledger

    return {"requests": funds.expire_overdue(), "pools": ledger.expire_ended_pools()}

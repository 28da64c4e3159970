"""Monthly jobs of the incentives app (schedule them in django-celery-beat)."""

from celery import shared_task
from django.utils import timezone


@shared_task(name="incentives.compute_star_ratings")
def compute_star_ratings_task():
    from incentives.services.facts import report_mdf_facts
    from incentives.services.stars import compute_star_ratings, report_delivery_outcomes

    today = timezone.localdate()
    report_delivery_outcomes(month=today)
    return {"stars": compute_star_ratings(month=today), "mdf_facts": report_mdf_facts(month=today)}


@shared_task(name="incentives.expire")
def expire_incentives_task():
    """Expire unclaimed requests past their deadline and pools past their period."""
    from incentives.services import funds, ledger

    return {"requests": funds.expire_overdue(), "pools": ledger.expire_ended_pools()}

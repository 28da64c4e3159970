"""Monthly jobs of the incentives app (schedule them in django-celery-beat)."""

from celery import shared_task
from django.utils import timezone


@shared_task(name="incentives.compute_star_ratings")
def compute_star_ratings_task():
    from incentives.services.stars import compute_star_ratings

    return compute_star_ratings(month=timezone.localdate())


@shared_task(name="incentives.expire")
def expire_incentives_task():
    """Expire unclaimed requests past their deadline and pools past their period."""
    from incentives.services import funds, ledger

    return {"requests": funds.expire_overdue(), "pools": ledger.expire_ended_pools()}

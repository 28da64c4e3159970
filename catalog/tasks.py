"""Celery tasks of the catalogue: thin wrappers that take ids and call services.

``catalog.flag_stale_listings`` runs daily at 05:00 (django-celery-beat ``PeriodicTask`` created
by migration ``catalog.0003_listing_review``; staff edit it under Settings → Periodic tasks).
"""

from celery import shared_task

from catalog.services import facts as catalog_facts
from catalog.services import freshness

# OSError: refused connections and SMTP errors (smtplib.SMTPException) alike
RETRY = {"autoretry_for": (OSError,), "retry_backoff": True, "retry_backoff_max": 600, "max_retries": 5}


@shared_task(name="catalog.flag_stale_listings", **RETRY)
def flag_stale_listings() -> int:
    return freshness.flag_stale_listings()


@shared_task(name="catalog.send_stale_warning", **RETRY)
def send_stale_warning(partner_id: int, listing_ids: list[int]) -> int:
    return freshness.send_stale_warning_email(partner_id=partner_id, listing_ids=listing_ids)


@shared_task(name="catalog.send_delisted_email", **RETRY)
def send_delisted_email(delisting_id: int) -> int:
    return freshness.send_delisted_email_to_owners(delisting_id=delisting_id)


@shared_task(name="catalog.report_catalog_facts", **RETRY)
def report_catalog_facts() -> int:
    """Monthly (``CELERY_BEAT_SCHEDULE``): last month's and this month's catalogue facts."""
    return catalog_facts.report_catalog_facts(months=2)


@shared_task(name="catalog.flush_search_log")
def flush_search_log() -> int:
    """Every 10 seconds (``CELERY_BEAT_SCHEDULE``): the searches queued in Redis
    by pages served whole (``catalog.search.analytics``) written in bulk."""
    from catalog.search.analytics import flush_search_log as flush

    return flush()

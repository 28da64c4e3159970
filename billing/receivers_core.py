"""Billing core's receivers: a published listing gets its plans synced to Stripe (after commit).

Only with a real worker (``BILLING_SYNC_PLANS_ON_PUBLISH``, default: tasks not eager): inline, it
would make every publish (tests, the demo seed) wait on Stripe. Checkout syncs a plan lazily anyway.
"""

from django.conf import settings
from django.db import transaction


def sync_on_publish() -> bool:
    value = getattr(settings, "BILLING_SYNC_PLANS_ON_PUBLISH", None)
    return (not settings.CELERY_TASK_ALWAYS_EAGER) if value is None else bool(value)


def on_page_published(sender, instance, **kwargs):
    from catalog.models import ListingPage

    if not sync_on_publish():
        return
    if not isinstance(instance, ListingPage) and getattr(instance, "specific_class", None) is not ListingPage:
        return
    from billing.tasks import sync_listing_plans

    pk = instance.pk

    def enqueue():
        try:
            sync_listing_plans.delay(pk)
        except Exception:  # Stripe down in eager mode: the next publish or the checkout syncs it
            import logging

            logging.getLogger(__name__).warning("Plan sync for listing %s failed", pk, exc_info=True)

    transaction.on_commit(enqueue)


def connect():
    from wagtail.signals import page_published

    from catalog.models import ListingPage

    page_published.connect(
        on_page_published, sender=ListingPage, dispatch_uid="billing.sync_plans_on_publish"
    )

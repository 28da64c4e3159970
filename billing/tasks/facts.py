"""Billing facts reported to partners' monthly metrics (daily by beat)."""

from celery import shared_task

from billing.services import facts as facts_service


@shared_task(name="billing.report_billing_facts")
def report_billing_facts() -> int:
    return facts_service.report_recent()

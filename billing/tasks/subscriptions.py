"""Subscriptions: overdue suspension and the payment-failed e-mail (retried while SMTP is down)."""

from celery import shared_task

from billing.services import notifications, subscriptions
from core.tasks import EMAIL_RETRY


@shared_task(name="billing.suspend_overdue_subscriptions")
def suspend_overdue_subscriptions() -> int:
    return subscriptions.suspend_overdue()


@shared_task(name="billing.send_payment_failed_email", **EMAIL_RETRY)
def send_payment_failed_email(invoice_pk: int) -> int:
    return notifications.payment_failed(invoice_pk)

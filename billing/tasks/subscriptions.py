"""Subscriptions: overdue suspension and the payment-failed e-mail (retried while SMTP is down)."""

from celery import shared_task


@shared_task(name="billing.suspend_overdue_subscriptions")
def suspend_overdue_subscriptions() -> int:
    from billing.services import subscriptions

    return subscriptions.suspend_overdue()


@shared_task(
    name="billing.send_payment_failed_email",
    autoretry_for=(OSError,),  # SMTP errors (smtplib.SMTPException) and refused connections
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def send_payment_failed_email(invoice_pk: int) -> int:
    from billing.services import notifications

    return notifications.payment_failed(invoice_pk)

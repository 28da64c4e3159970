"""The at-risk email task: a thin wrapper over ``health.services.emails``, retried when the mail
server does not answer (flags stay un-notified until a send succeeds)."""

from smtplib import SMTPException

from celery import shared_task

from health.services import emails

__all__ = ["notify_at_risk"]


@shared_task(
    name="partners.notify_at_risk",
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=6,
)
def notify_at_risk(flag_ids: list[int]) -> int:
    return emails.send_at_risk_email(flag_ids=flag_ids)

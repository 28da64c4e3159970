"""Onboarding tasks: thin wrappers that take ids and call ``partners.services.onboarding``."""

from smtplib import SMTPException

from celery import shared_task

from partners.services import onboarding

__all__ = ["send_application_decision_email"]


@shared_task(
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=6,
)
def send_application_decision_email(decision_id: int) -> bool:
    """Email a reviewer's decision to the applicant, in the applicant's language (once)."""
    return onboarding.send_decision_email(decision_id=decision_id)

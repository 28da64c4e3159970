"""Celery tasks: thin, take ids, retry with backoff."""

from celery import shared_task

from accounts import emails
from accounts.models import Invitation
from core.tasks import EMAIL_RETRY


@shared_task(**EMAIL_RETRY)
def send_invitation_email(invitation_id: int) -> bool:
    """Mail the invitation if it can still be accepted. Returns whether a mail was sent."""
    invitation = (
        Invitation.objects.select_related("organisation", "invited_by").filter(pk=invitation_id).first()
    )
    if invitation is None or not invitation.is_usable:
        return False
    emails.send_invitation(invitation)
    return True

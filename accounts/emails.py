"""Invitation email: subject, plain text and HTML, written in the invitation's language."""

from urllib.parse import urljoin

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.models import Invitation
from core.emails import brand_name, subject_prefix

TEMPLATE_PREFIX = "accounts/email/invitation"


def site_url() -> str:
    """The public base URL (``SITE_URL``); emails are rendered outside any request."""
    from core.emails import site_url as _site_url

    return _site_url()


def accept_url(invitation: Invitation) -> str:
    """Absolute accept link, in the invitation's language (English under ``/en/``)."""
    with translation.override(invitation.language):
        path = reverse("accounts:accept_invitation", kwargs={"token": invitation.token})
    return urljoin(site_url(), path)


def build_invitation_email(invitation: Invitation) -> EmailMultiAlternatives:
    with translation.override(invitation.language):
        context = {
            "invitation": invitation,
            "organisation": invitation.organisation,
            "inviter": invitation.invited_by,
            "role": invitation.get_role_display(),
            "accept_url": accept_url(invitation),
            "site_url": site_url(),
            "brand": brand_name(),
        }
        subject = " ".join(render_to_string(f"{TEMPLATE_PREFIX}_subject.txt", context).split())
        text = render_to_string(f"{TEMPLATE_PREFIX}_message.txt", context).strip()
        html = render_to_string(f"{TEMPLATE_PREFIX}_message.html", context).strip()
        prefix = subject_prefix()
    message = EmailMultiAlternatives(
        subject=prefix + subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[invitation.email]
    )
    message.attach_alternative(html, "text/html")
    return message


def send_invitation(invitation: Invitation) -> None:
    build_invitation_email(invitation).send()

"""The one e-mail helper: a template triple rendered in the recipient's language, absolute links.

``send_templated("demand/email/lead_received", to=[...], context={...}, language="zh-hans")``
renders ``<prefix>_subject.txt``, ``<prefix>_message.txt`` and (if present) ``<prefix>_message.html``
with ``site_url`` in the context, and sends one message. Links in e-mails come from
:func:`absolute_url`, built on the one configured site address (``SITE_URL``).
"""

from urllib.parse import urljoin

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation


def site_url() -> str:
    """The public base URL of the site (``SITE_URL`` in the environment)."""
    return getattr(settings, "SITE_URL", "") or settings.WAGTAILADMIN_BASE_URL


def absolute_url(path: str) -> str:
    return urljoin(site_url(), path)


def render_templated(template_prefix: str, context: dict, language: str | None = None):
    """(subject, text, html or None) in ``language`` (the active language when None)."""
    with translation.override(language or translation.get_language()):
        context = {"site_url": site_url(), **context}
        subject = " ".join(render_to_string(f"{template_prefix}_subject.txt", context).split())
        text = render_to_string(f"{template_prefix}_message.txt", context).strip()
        try:
            html = render_to_string(f"{template_prefix}_message.html", context).strip()
        except TemplateDoesNotExist:
            html = None
    return subject, text, html


def send_templated(template_prefix: str, *, to, context: dict, language: str | None = None) -> int:
    """Render and send one message to ``to`` (a list of addresses); returns the number sent."""
    recipients = [address for address in to if address]
    if not recipients:
        return 0
    subject, text, html = render_templated(template_prefix, context, language)
    prefix = getattr(settings, "ACCOUNT_EMAIL_SUBJECT_PREFIX", "") or ""
    message = EmailMultiAlternatives(
        subject=prefix + subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=recipients
    )
    if html:
        message.attach_alternative(html, "text/html")
    return message.send()

"""The one e-mail helper: a template triple rendered in the recipient's language, absolute links.

``send_templated("demand/email/lead_received", to=[...], context={...}, language="zh-hans")``
renders ``<prefix>_subject.txt``, ``<prefix>_message.txt`` and (if present) ``<prefix>_message.html``
with ``site_url`` and ``brand`` (the site's brand name, :func:`brand_name`) in the context, and
sends one message (``queue=True``: through the ``core.tasks.send_email`` task, retried while SMTP
is down — for e-mails sent from a request). Links in e-mails come from :func:`absolute_url`,
built on the one configured site address (``SITE_URL``).
"""

from collections.abc import Callable
from urllib.parse import urljoin, urlsplit, urlunsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation

from core.tasks import enqueue

_brand_provider: Callable[[], str] | None = None
DEFAULT_BRAND = "Symbio"


def set_brand_provider(provider: Callable[[], str]) -> None:
    """``themes`` (per-site branding, a layer above core) registers how to read the brand name."""
    global _brand_provider
    _brand_provider = provider


def brand_name() -> str:
    """The site's brand name in the active language (the branding settings' site name)."""
    if _brand_provider is not None:
        try:
            name = _brand_provider()
        except Exception:  # no database yet (migrations), no site: fall back
            name = ""
        if name:
            return str(name)
    return DEFAULT_BRAND


def subject_prefix() -> str:
    return f"[{brand_name()}] "


def rebase_url(url: str) -> str:
    """``url`` on the configured site address: a relative path is joined to it, and an absolute
    URL built from a request's host (``localhost``, an internal name) keeps its path but takes
    the site's scheme and host."""
    if not url:
        return url
    parts = urlsplit(url)
    if not parts.netloc:
        return absolute_url(url)
    site = urlsplit(site_url())
    return urlunsplit((site.scheme, site.netloc, parts.path, parts.query, parts.fragment))


def site_url() -> str:
    """The public base URL of the site (``SITE_URL`` in the environment)."""
    return getattr(settings, "SITE_URL", "") or settings.WAGTAILADMIN_BASE_URL


def absolute_url(path: str) -> str:
    return urljoin(site_url(), path)


def render_templated(template_prefix: str, context: dict, language: str | None = None):
    """(subject, text, html or None) in ``language`` (the active language when None)."""
    with translation.override(language or translation.get_language()):
        context = {"site_url": site_url(), "brand": brand_name(), **context}
        subject = " ".join(render_to_string(f"{template_prefix}_subject.txt", context).split())
        text = render_to_string(f"{template_prefix}_message.txt", context).strip()
        try:
            html = render_to_string(f"{template_prefix}_message.html", context).strip()
        except TemplateDoesNotExist:
            html = None
    return subject, text, html


def send_templated(
    template_prefix: str, *, to, context: dict, language: str | None = None, queue: bool = False
) -> int:
    """Render and send one message to ``to`` (a list of addresses); returns the number sent
    (with ``queue``, handed to the retried e-mail task; see :func:`queue_message`)."""
    recipients = [address for address in to if address]
    if not recipients:
        return 0
    subject, text, html = render_templated(template_prefix, context, language)
    with translation.override(language or translation.get_language()):
        prefix = subject_prefix()
    message = EmailMultiAlternatives(
        subject=prefix + subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=recipients
    )
    if html:
        message.attach_alternative(html, "text/html")
    return queue_message(message) if queue else message.send()


def message_payload(message) -> dict:
    """A message as JSON for ``core.tasks.send_email`` (attachments are not carried)."""
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": {str(k): str(v) for k, v in (message.extra_headers or {}).items()},
        "content_subtype": message.content_subtype,
        "alternatives": [
            [str(content), mimetype] for content, mimetype in getattr(message, "alternatives", [])
        ],
    }


def queue_message(message) -> int:
    """Send ``message`` (already rendered, in its recipient's language) from the e-mail task:
    retried with backoff while SMTP is down, kept in the outbox while the broker is down, never an
    error in the request that wrote it. A message with attachments is sent at once."""
    if message.attachments:
        return message.send()
    if not message.recipients():
        return 0
    enqueue("core.tasks.send_email", message_payload(message))
    return 1


def queue_mail(subject: str, body: str, to, from_email: str | None = None) -> int:
    """``django.core.mail.send_mail`` through :func:`queue_message`."""
    return queue_message(
        EmailMultiAlternatives(subject=subject, body=body, from_email=from_email, to=list(to))
    )

"""Customer emails about billing: a trial ending soon, a failed payment.

Sent to the organisation's owners and admins plus billing contacts who receive invoices, in the
site's default language with the English text below (we do not know each reader's language).
"""

from __future__ import annotations

from urllib.parse import urljoin

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from accounts.models import MANAGER_ROLES
from billing.models import BillingContact, BillingSettings, Invoice, Trial


def site_url() -> str:
    return getattr(settings, "SITE_URL", "") or settings.WAGTAILADMIN_BASE_URL


def recipients(organisation) -> list[str]:
    emails = list(
        organisation.memberships.filter(role__in=MANAGER_ROLES).values_list("user__email", flat=True)
    ) + list(
        BillingContact.objects.filter(organisation=organisation, receives_invoices=True).values_list(
            "email", flat=True
        )
    )
    seen: dict[str, None] = {}
    for email in emails:
        if email:
            seen.setdefault(email.lower(), None)
    return list(seen)


def _url(name: str, **kwargs) -> str:
    try:
        return urljoin(site_url(), reverse(name, kwargs=kwargs or None))
    except NoReverseMatch:
        return site_url()


def _send(template: str, context: dict, to: list[str]) -> int:
    if not to:
        return 0
    parts = []
    subject = ""
    for language in (settings.LANGUAGE_CODE, "en"):
        with translation.override(language):
            if not subject:
                subject = " ".join(render_to_string(f"billing/email/{template}_subject.txt", context).split())
            parts.append(render_to_string(f"billing/email/{template}_message.txt", context).strip())
    message = EmailMultiAlternatives(
        subject=subject, body="\n\n-----\n\n".join(parts), from_email=settings.DEFAULT_FROM_EMAIL, to=to
    )
    return message.send()


def trial_ending(trial_id: int) -> int:
    trial = Trial.objects.select_related("organisation", "listing").filter(pk=trial_id).first()
    if trial is None or trial.status != Trial.Status.ACTIVE:
        return 0
    context = {"trial": trial, "listing": trial.listing, "url": _url("purchase:subscriptions")}
    return _send("trial_ending", context, recipients(trial.organisation))


def payment_failed(invoice_id: int) -> int:
    invoice = Invoice.objects.select_related("organisation", "listing").filter(pk=invoice_id).first()
    if invoice is None or invoice.is_paid:
        return 0
    context = {
        "invoice": invoice,
        "listing": invoice.listing,
        "grace_days": BillingSettings.load().payment_grace_days,
        "url": _url("purchase:subscriptions"),
    }
    return _send("payment_failed", context, recipients(invoice.organisation))

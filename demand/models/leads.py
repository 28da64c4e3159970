"""Leads: a customer's question, demo or quote request to one partner, and its thread."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import PublicIdModel, TimeStampedModel


class LeadTopic(models.TextChoices):
    ASK = "ask", _("Ask a question")
    DEMO = "demo", _("Request a demo")
    QUOTE = "quote", _("Request a quote")


class LeadState(models.TextChoices):
    NEW = "new", _("New")
    CONTACTED = "contacted", _("Contacted")
    QUALIFIED = "qualified", _("Qualified")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class PreferredContact(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")


def _token() -> str:
    return secrets.token_urlsafe(24)


class Lead(PublicIdModel, TimeStampedModel):
    """Owned by ``partner``; asked by a signed-in customer or a guest who verified the e-mail.

    A guest's lead reaches the partner only once ``verified_at`` is set (the link in the e-mail)."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="leads")
    listing = models.ForeignKey(
        "catalog.ListingPage", on_delete=models.SET_NULL, null=True, blank=True, related_name="leads"
    )
    customer_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="leads"
    )
    customer_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.SET_NULL, null=True, blank=True, related_name="leads"
    )
    contact_name = models.CharField(_("your name"), max_length=120)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    topic = models.CharField(_("topic"), max_length=10, choices=LeadTopic.choices, default=LeadTopic.ASK)
    message = models.TextField(_("message"), max_length=4000)
    preferred_contact = models.CharField(
        _("preferred contact"),
        max_length=10,
        choices=PreferredContact.choices,
        default=PreferredContact.EMAIL,
    )
    consent = models.BooleanField(_("consent to be contacted"), default=False)
    language = models.CharField(_("language"), max_length=10, default=settings.LANGUAGE_CODE)
    state = models.CharField(_("state"), max_length=12, choices=LeadState.choices, default=LeadState.NEW)
    lost_reason = models.CharField(_("reason lost"), max_length=255, blank=True)
    verify_token = models.CharField(max_length=64, default=_token, unique=True, editable=False)
    verified_at = models.DateTimeField(_("e-mail verified"), null=True, blank=True)
    first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    first_responded_at = models.DateTimeField(_("first response"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["partner", "state"], name="lead_partner_state"),
            models.Index(fields=["first_response_due"], name="lead_first_response_due"),
        ]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")

    def __str__(self):
        return f"{self.get_topic_display()} · {self.contact_name} → {self.partner}"

    @property
    def is_overdue(self) -> bool:
        return (
            self.first_responded_at is None
            and self.first_response_due is not None
            and self.first_response_due < timezone.now()
        )


class LeadMessage(TimeStampedModel):
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_partner = models.BooleanField(default=False)
    body = models.TextField(_("message"), max_length=4000)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("lead message")
        verbose_name_plural = _("lead messages")

    def __str__(self):
        return f"{self.lead_id}: {self.body[:40]}"

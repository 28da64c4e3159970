"""ISV fulfilment: where a partner wants to hear about entitlement changes, and the log of
every notification sent there (signed with the partner's HMAC secret, retried with backoff)."""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import PublicIdModel, TimeStampedModel

SECRET_PREFIX = "fsec_"


def new_fulfilment_secret() -> str:
    return SECRET_PREFIX + secrets.token_hex(24)


class FulfilmentEndpoint(TimeStampedModel):
    partner = models.OneToOneField(
        "partners.Partner",
        on_delete=models.CASCADE,
        related_name="fulfilment_endpoint",
        verbose_name=_("partner"),
    )
    url = models.URLField(
        _("fulfilment URL"),
        max_length=500,
        blank=True,
        help_text=_("We POST a signed JSON notification here whenever a customer's entitlement changes."),
    )
    secret = models.CharField(_("signing secret"), max_length=80, default=new_fulfilment_secret)
    active = models.BooleanField(_("active"), default=True)
    rotated_at = models.DateTimeField(_("secret rotated"), null=True, blank=True)

    class Meta:
        verbose_name = _("fulfilment endpoint")
        verbose_name_plural = _("fulfilment endpoints")

    def __str__(self):
        return self.url or "—"

    @property
    def secret_hint(self) -> str:
        return f"{self.secret[:9]}…{self.secret[-4:]}"


class FulfilmentDelivery(PublicIdModel, TimeStampedModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        RETRYING = "retrying", _("Retrying")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("No URL set")

    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.CASCADE,
        related_name="fulfilment_deliveries",
        verbose_name=_("partner"),
    )
    entitlement = models.ForeignKey(
        "billing.Entitlement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="fulfilment_deliveries",
        verbose_name=_("entitlement"),
    )
    event = models.CharField(_("event"), max_length=40, db_index=True)
    payload = models.JSONField(_("payload"), default=dict)
    url = models.URLField(_("URL"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    response_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    next_retry_at = models.DateTimeField(_("next retry"), null=True, blank=True, db_index=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    resent_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("re-send of"),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("fulfilment delivery")
        verbose_name_plural = _("fulfilment deliveries")

    def __str__(self):
        return f"{self.event} → {self.url or '—'} ({self.get_status_display()})"

"""ISV fulfilment: where a partner wants to hear about entitlement changes (a webhook endpoint
subscribed to the ``entitlement.*`` events), and the legacy log of the old sender."""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import PublicIdModel, TimeStampedModel

SECRET_PREFIX = "fsec_"


def new_fulfilment_secret() -> str:
    return SECRET_PREFIX + secrets.token_hex(24)


class FulfilmentEndpoint(TimeStampedModel):
    """A partner's fulfilment settings. Notifications are ``entitlement.*`` events on the outbound
    webhook machinery (``partners.services.webhooks``): the fulfilment URL is a webhook endpoint
    subscribed to those events (``webhook_endpoint``), signed and retried like every webhook.
    ``secret`` signs the partner's calls to the legacy usage endpoint (``/billing/api/usage/``)."""

    partner = models.OneToOneField(
        "partners.Partner",
        on_delete=models.CASCADE,
        related_name="fulfilment_endpoint",
        verbose_name=_("partner"),
    )
    webhook_endpoint = models.OneToOneField(
        "partners.WebhookEndpoint",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="fulfilment",
        verbose_name=_("webhook endpoint"),
    )
    secret = models.CharField(_("signing secret"), max_length=80, default=new_fulfilment_secret)
    rotated_at = models.DateTimeField(_("secret rotated"), null=True, blank=True)

    class Meta:
        verbose_name = _("fulfilment endpoint")
        verbose_name_plural = _("fulfilment endpoints")

    def __str__(self):
        return self.url or "—"

    @property
    def url(self) -> str:
        return self.webhook_endpoint.url if self.webhook_endpoint_id else ""

    @property
    def active(self) -> bool:
        return self.webhook_endpoint_id is not None and self.webhook_endpoint.disabled_at is None

    @property
    def secret_hint(self) -> str:
        return f"{self.secret[:9]}…{self.secret[-4:]}"


class FulfilmentDelivery(PublicIdModel, TimeStampedModel):
    """Legacy: the log of the old, separate fulfilment sender. No longer written; migration
    ``billing.0002_fulfilment_on_webhooks`` copied every row into the webhook log (an ``Event``
    with the same id, and a ``Delivery`` to the partner's fulfilment endpoint)."""

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

"""Entitlements: what each customer organisation may use — the source of truth for "has access"."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import PublicIdModel, TimeStampedModel


class Entitlement(PublicIdModel, TimeStampedModel):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        ENDED = "ended", _("Ended")

    class Source(models.TextChoices):
        TRIAL = "trial", _("Trial")
        SUBSCRIPTION = "subscription", _("Subscription")
        PURCHASE = "purchase", _("One-time purchase")

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="entitlements"
    )
    listing = models.ForeignKey("catalog.ListingPage", on_delete=models.CASCADE, related_name="entitlements")
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    trial = models.OneToOneField(
        "billing.Trial", on_delete=models.CASCADE, null=True, blank=True, related_name="entitlement"
    )
    subscription = models.OneToOneField(
        "billing.Subscription", on_delete=models.CASCADE, null=True, blank=True, related_name="entitlement"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    seats = models.PositiveIntegerField(_("seats"), null=True, blank=True, help_text=_("Empty: unlimited."))
    starts_at = models.DateTimeField(_("starts"), default=timezone.now)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    suspended_at = models.DateTimeField(_("suspended"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    # The catalogue's record of this use (reviews eligibility); billing writes it.
    listing_usage = models.ForeignKey(
        "catalog.ListingUsage", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("entitlement")
        verbose_name_plural = _("entitlements")
        indexes = [models.Index(fields=["organisation", "listing", "status"], name="billing_ent_org_listing")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(trial__isnull=False) & Q(subscription__isnull=True))
                | (Q(trial__isnull=True) & Q(subscription__isnull=False)),
                name="billing_ent_one_source",
            )
        ]

    def __str__(self):
        return f"{self.organisation} · {self.listing} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE and (self.ends_at is None or self.ends_at > timezone.now())


class SeatAssignment(TimeStampedModel):
    entitlement = models.ForeignKey(Entitlement, on_delete=models.CASCADE, related_name="seat_assignments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="seat_assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("seat assignment")
        verbose_name_plural = _("seat assignments")
        constraints = [
            models.UniqueConstraint(fields=["entitlement", "user"], name="billing_one_seat_per_user")
        ]

    def __str__(self):
        return f"{self.user} @ {self.entitlement_id}"

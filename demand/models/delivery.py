"""Delivery of an awarded proposal: milestone acceptance records and payment requests."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import PublicIdModel, TimeStampedModel
from core.money import Currency


class AcceptanceOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Sent back")


class MilestoneAcceptance(models.Model):
    """The customer's verdict on a milestone: who, when, what, and the SHA-256 of the evidence.
    Never edited (a milestone sent back gets a new record when it is presented again)."""

    milestone = models.ForeignKey("demand.Milestone", on_delete=models.CASCADE, related_name="acceptances")
    outcome = models.CharField(_("outcome"), max_length=10, choices=AcceptanceOutcome.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    evidence_sha256 = models.CharField(_("evidence SHA-256"), max_length=64, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("milestone acceptance")
        verbose_name_plural = _("milestone acceptances")

    def __str__(self):
        return f"{self.milestone_id}: {self.outcome}"


class PaymentRequestState(models.TextChoices):
    PENDING = "pending", _("Pending approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class PaymentRequest(PublicIdModel, TimeStampedModel):
    """A partner's request to be paid (part of) a milestone; the idempotency key makes a retried
    request return the first result instead of asking twice."""

    milestone = models.ForeignKey(
        "demand.Milestone", on_delete=models.PROTECT, related_name="payment_requests"
    )
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="payment_requests")
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    idempotency_key = models.CharField(_("idempotency key"), max_length=100)
    state = models.CharField(
        _("state"), max_length=10, choices=PaymentRequestState.choices, default=PaymentRequestState.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    stripe_payment_intent_id = models.CharField(_("Stripe PaymentIntent"), max_length=120, blank=True)
    charge_error = models.CharField(_("last charge error"), max_length=300, blank=True)

    @property
    def is_paid(self) -> bool:
        return self.paid_at is not None

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "idempotency_key"], name="paymentrequest_idempotent"),
        ]
        verbose_name = _("payment request")
        verbose_name_plural = _("payment requests")

    def __str__(self):
        return f"{self.milestone_id}: {self.amount} {self.currency}"

"""Market development funds: a partner's request for an activity, its claim with proof of
performance, the fraud flags raised on it and the sanctions that hold a partner's requests.

The state machine lives in ``incentives.services.funds`` (one place; ``NotAllowed`` for
everything else); every change is a ``FundRequestEvent`` row.
"""

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import PublicIdModel, TimeStampedModel
from core.money import Currency
from partners.models.applications import get_private_storage


class ActivityType(models.TextChoices):
    EVENT = "event", pgettext_lazy("marketing activity", "Event")
    CAMPAIGN = "campaign", _("Campaign")
    TRAINING = "training", _("Training")
    JOINT_MARKETING = "joint_marketing", _("Joint marketing")


class RequestState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    PRE_APPROVED = "pre_approved", _("Pre-approved")
    REJECTED = "rejected", _("Rejected")
    CLAIM_SUBMITTED = "claim_submitted", _("Claim submitted")
    CLAIM_APPROVED = "claim_approved", _("Claim approved")
    CLAIM_REJECTED = "claim_rejected", _("Claim rejected")
    PAID = "paid", _("Paid")
    EXPIRED = "expired", _("Expired")


class PaymentMethod(models.TextChoices):
    STATEMENT_CREDIT = "credit", _("Credit on the next payout statement")
    CONNECT_TRANSFER = "transfer", _("Stripe Connect transfer")


class FundRequest(PublicIdModel, TimeStampedModel):
    pool = models.ForeignKey("incentives.IncentivePool", on_delete=models.PROTECT, related_name="requests")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="fund_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        _("state"), max_length=20, choices=RequestState.choices, default=RequestState.DRAFT, db_index=True
    )
    activity_type = models.CharField(_("activity type"), max_length=20, choices=ActivityType.choices)
    title = models.CharField(_("title"), max_length=200)
    plan = models.TextField(_("plan"))
    expected_results = models.TextField(_("expected results"))
    start_date = models.DateField(_("activity start"))
    end_date = models.DateField(_("activity end"))
    budget = models.DecimalField(_("budget"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    on_hold = models.BooleanField(_("held for review"), default=False)

    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    approved_amount = models.DecimalField(
        _("approved amount"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    claim_amount = models.DecimalField(
        _("claimed amount"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    claim_summary = models.TextField(_("results achieved"), blank=True)
    claim_submitted_at = models.DateTimeField(_("claim submitted"), null=True, blank=True)
    claim_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    claim_reviewed_at = models.DateTimeField(_("claim reviewed"), null=True, blank=True)
    claim_note = models.TextField(_("claim review note"), blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    billing_reference = models.CharField(_("billing reference"), max_length=120, blank=True)
    payment_method = models.CharField(_("paid by"), max_length=10, choices=PaymentMethod.choices, blank=True)
    stripe_transfer_id = models.CharField(_("Stripe transfer"), max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(budget__gt=0), name="fundrequest_budget_positive"),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="fundrequest_dates_order"
            ),
        ]
        verbose_name = _("fund request")
        verbose_name_plural = _("fund requests")

    def __str__(self):
        return self.title

    @property
    def claim_deadline(self):
        from datetime import timedelta

        from incentives import conf

        return self.end_date + timedelta(days=conf.get("CLAIM_WINDOW_DAYS"))


class FundRequestEvent(models.Model):
    """The history of a request: who moved it from which state to which, when, and why."""

    request = models.ForeignKey(FundRequest, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(_("from"), max_length=20, choices=RequestState.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=20, choices=RequestState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("fund request event")
        verbose_name_plural = _("fund request events")

    def __str__(self):
        return f"{self.request_id}: {self.from_state or '-'} → {self.to_state}"


def claim_document_path(instance, filename):
    # A random name: the original one is kept on the row, never in the path.
    return f"incentives/{instance.request.public_id}/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


class DocumentKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    PHOTO = "photo", _("Photo")
    ATTENDEES = "attendees", _("Attendee list")


class ClaimDocument(TimeStampedModel):
    request = models.ForeignKey(FundRequest, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=12, choices=DocumentKind.choices)
    file = models.FileField(
        _("file"), storage=get_private_storage, upload_to=claim_document_path, max_length=255
    )
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    phash = models.CharField(_("perceptual hash"), max_length=32, blank=True)
    taken_at = models.DateTimeField(_("photo taken"), null=True, blank=True)
    invoice_code = models.CharField(_("invoice code"), max_length=20, blank=True)
    invoice_number = models.CharField(_("invoice number"), max_length=20, blank=True, db_index=True)

    class Meta:
        ordering = ["kind", "pk"]
        verbose_name = _("claim document")
        verbose_name_plural = _("claim documents")

    def __str__(self):
        return self.original_name


class FraudCheck(models.TextChoices):
    DUPLICATE_INVOICE = "duplicate_invoice", _("Same invoice in another claim")
    DUPLICATE_FILE = "duplicate_file", _("Same file in another claim")
    SIMILAR_PHOTO = "similar_photo", _("Same photo re-encoded or resized")
    PHOTO_DATE = "photo_date", _("Photo taken outside the activity")
    AUDIT_SAMPLE = "audit_sample", _("Random audit sample")
    SANCTIONED = "sanctioned", _("Partner under sanction")


class FraudFlag(TimeStampedModel):
    """A reason to look twice. ``params`` fill the check's explanation (see
    ``incentives.services.fraud.explain``) so it reads in the reviewer's language."""

    request = models.ForeignKey(FundRequest, on_delete=models.CASCADE, related_name="flags")
    check_name = models.CharField(_("check"), max_length=20, choices=FraudCheck.choices)
    document = models.ForeignKey(
        ClaimDocument, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    other_request = models.ForeignKey(
        FundRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    params = models.JSONField(_("detail"), default=dict, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolution_note = models.TextField(_("resolution"), blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("fraud flag")
        verbose_name_plural = _("fraud flags")

    def __str__(self):
        return f"{self.request_id} · {self.get_check_name_display()}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class Sanction(TimeStampedModel):
    """While a sanction is active, every new request of the partner is held for review."""

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="incentive_sanctions"
    )
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("sanction")
        verbose_name_plural = _("sanctions")

    def __str__(self):
        return f"{self.partner} · {self.created_at:%Y-%m-%d}"


class FundedOutcome(TimeStampedModel):
    """Pipeline or revenue another app tied to a funded activity through its reference (the
    request's public id): a deal registration and its purchase (cosell), a lead or an award
    (demand). Written only by ``incentives.receivers`` from ``partners.outcome_signals``."""

    class Kind(models.TextChoices):
        PIPELINE = "pipeline", _("Pipeline")
        REVENUE = "revenue", _("Revenue")

    request = models.ForeignKey(FundRequest, on_delete=models.CASCADE, related_name="outcomes")
    source = models.CharField(_("source"), max_length=20)
    key = models.CharField(max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    occurred_on = models.DateField(_("date"))
    label = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        ordering = ["-occurred_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["key", "kind"], name="incentives_outcome_key_kind")]
        verbose_name = _("funded outcome")
        verbose_name_plural = _("funded outcomes")

    def __str__(self):
        return f"{self.request_id} · {self.kind} {self.amount} {self.currency}"

"""Deal registration: a partner's claim on a customer opportunity, its conflicts, protection and
attribution.

States (AWS ACE's life, Microsoft's coded reasons)::

    draft → submitted → approved | in_review
    in_review → approved | rejected | action_required
    action_required → submitted (re-submitted with whitelisted fields changed) | rejected
    approved → won | lost | expired | rejected (only when staff transfer the customer)

Rejected, won, lost and expired are final. ``cosell.services.registrations.transition`` is the
only writer of ``status``; every change is a :class:`Transition` row (the audit history).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import JobStatus, ProgressMixin, PublicIdModel, TimeStampedModel
from core.money import Currency, Money
from partners.models.tiers import PartnerKind

INVALID_USCC = _("This is not a valid unified social credit code (18 characters, with a check digit).")


def validate_uscc(value: str) -> None:
    from cosell.matching import clean_uscc

    if value and not clean_uscc(value):
        raise ValidationError(INVALID_USCC, code="invalid_uscc")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    ACTION_REQUIRED = "action_required", _("Action required")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")
    EXPIRED = "expired", _("Expired")


OPEN_STATUSES = (Status.SUBMITTED, Status.IN_REVIEW, Status.ACTION_REQUIRED, Status.APPROVED)
FINAL_STATUSES = (Status.REJECTED, Status.WON, Status.LOST, Status.EXPIRED)


class Stage(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    QUALIFIED = "qualified", _("Qualified")
    PROPOSAL = "proposal", _("Proposal")
    NEGOTIATION = "negotiation", _("Negotiation")


class CompanySize(models.TextChoices):
    SMALL = "small", _("1–49 employees")
    MEDIUM = "medium", _("50–499 employees")
    LARGE = "large", _("500–4,999 employees")
    ENTERPRISE = "enterprise", _("5,000+ employees")


class RejectReason(models.TextChoices):
    DUPLICATE = "duplicate", _("Duplicate: the customer is already registered")
    DIRECT_ACCOUNT = "direct_account", _("The platform sells to this customer directly")
    EXISTING_CUSTOMER = "existing_customer", _("Already a customer")
    INCOMPLETE = "incomplete", _("Not enough information")
    INELIGIBLE = "ineligible", _("Customer or deal not eligible")
    TRANSFERRED = "transferred", _("Transferred to another partner")
    OTHER = "other", _("Other")


class LostReason(models.TextChoices):
    PRICE = "price", _("Price")
    COMPETITOR = "competitor", _("Went with a competitor")
    NO_DECISION = "no_decision", _("No decision / project stopped")
    FEATURES = "features", _("Missing features")
    OTHER = "other", _("Other")


class DealRegistration(PublicIdModel, TimeStampedModel):
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="deal_registrations"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    # The customer
    customer_name = models.CharField(_("customer name (Chinese)"), max_length=200, blank=True)
    customer_name_en = models.CharField(_("customer name (English)"), max_length=200, blank=True)
    customer_uscc = models.CharField(
        _("unified social credit code"), max_length=18, blank=True, validators=[validate_uscc]
    )
    customer_domain = models.CharField(
        _("customer website"), max_length=200, blank=True, help_text=_("A domain or web address.")
    )
    customer_region = models.ForeignKey(
        "partners.Region", on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("region")
    )
    customer_industry = models.ForeignKey(
        "partners.Industry", on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("industry")
    )
    customer_size = models.CharField(
        _("company size"), max_length=12, choices=CompanySize.choices, blank=True
    )
    # The contact at the customer
    contact_name = models.CharField(_("contact name"), max_length=100)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    # The deal
    listings = models.ManyToManyField("catalog.ListingPage", related_name="+", verbose_name=_("listings"))
    estimated_value = models.DecimalField(_("estimated value"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY)
    expected_close = models.DateField(_("expected close"))
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.PROSPECT)
    notes = models.TextField(_("notes"), blank=True)
    fund_request_ref = models.CharField(
        _("funded activity reference"),
        max_length=36,
        blank=True,
        help_text=_(
            "If a marketing activity funded by market development funds brought this deal, the "
            "reference shown on that fund request."
        ),
    )
    # Decisions
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, db_index=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    conflict_hold = models.BooleanField(_("conflict hold"), default=False, db_index=True)
    reject_reason = models.CharField(
        _("rejection reason"), max_length=20, choices=RejectReason.choices, blank=True
    )
    lost_reason = models.CharField(_("lost reason"), max_length=20, choices=LostReason.choices, blank=True)
    decision_note = models.TextField(_("note to the partner"), blank=True)
    shared_with = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("shared with"),
    )
    # Protection
    protection_until = models.DateField(_("protected until"), null=True, blank=True, db_index=True)
    extension_requested_at = models.DateTimeField(_("extension requested"), null=True, blank=True)
    extension_reason = models.TextField(_("extension reason"), blank=True)
    extension_granted = models.BooleanField(_("extension granted"), null=True, blank=True)
    reminded_days = models.PositiveSmallIntegerField(null=True, blank=True)  # last reminder sent (14/7/1)
    review_escalated_at = models.DateTimeField(null=True, blank=True)  # past the review target, e-mailed
    # Attribution
    customer_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("deal registration")
        verbose_name_plural = _("deal registrations")
        indexes = [models.Index(fields=["partner", "status"], name="cosell_reg_partner_status")]

    def __str__(self):
        return f"{self.customer_display} · {self.partner}"

    @property
    def customer_display(self) -> str:
        from core.i18n import is_english

        if is_english():
            return self.customer_name_en or self.customer_name
        return self.customer_name or self.customer_name_en

    @property
    def value(self) -> Money:
        return Money(self.estimated_value, self.currency)

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def is_protected(self) -> bool:
        return bool(self.protection_until and self.protection_until >= timezone.localdate())

    @property
    def days_protected(self) -> int | None:
        if not self.protection_until:
            return None
        return (self.protection_until - timezone.localdate()).days

    @property
    def can_request_extension(self) -> bool:
        return self.status == Status.APPROVED and self.extension_requested_at is None


class KnownAccount(PublicIdModel, TimeStampedModel):
    """A customer the conflict check compares against besides registrations: accounts the
    platform sells to directly (staff keep the list) and organisations that already buy."""

    class Kind(models.TextChoices):
        DIRECT = "direct", _("Direct account")
        CUSTOMER = "customer", _("Existing customer")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.DIRECT)
    name = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    uscc = models.CharField(
        _("unified social credit code"), max_length=18, blank=True, validators=[validate_uscc]
    )
    domain = models.CharField(_("website"), max_length=200, blank=True)
    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("known account")
        verbose_name_plural = _("known accounts")

    def __str__(self):
        return self.name or self.name_en


class MatchKey(models.Model):
    """One blocking key of a registration or a known account (``cosell.matching.blocking_keys``):
    candidates are fetched by key, then scored."""

    key = models.CharField(max_length=128, db_index=True)
    registration = models.ForeignKey(
        DealRegistration, on_delete=models.CASCADE, null=True, blank=True, related_name="match_keys"
    )
    account = models.ForeignKey(
        KnownAccount, on_delete=models.CASCADE, null=True, blank=True, related_name="match_keys"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(registration__isnull=False) ^ models.Q(account__isnull=False),
                name="cosell_matchkey_one_owner",
            )
        ]

    def __str__(self):
        return self.key


class Conflict(TimeStampedModel):
    """An overlap found when a registration was submitted, and how staff settled it."""

    class Resolution(models.TextChoices):
        APPROVE = "approve", _("Approve the new registration")
        REJECT = "reject", _("Reject the new registration")
        SHARE = "share", _("Share the customer between both partners")
        TRANSFER = "transfer", _("Transfer the customer to the new registration")

    registration = models.ForeignKey(DealRegistration, on_delete=models.CASCADE, related_name="conflicts")
    existing = models.ForeignKey(
        DealRegistration, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    account = models.ForeignKey(
        KnownAccount, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    score = models.DecimalField(max_digits=4, decimal_places=3)
    resolution = models.CharField(_("decision"), max_length=10, choices=Resolution.choices, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-score"]

    def __str__(self):
        return f"{self.registration_id} ~ {self.existing_id or self.account_id} ({self.score})"


class Transition(models.Model):
    """The audit history: every status change and staff decision, who and why."""

    registration = models.ForeignKey(DealRegistration, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    code = models.CharField(max_length=30, blank=True)  # a reason code or the decision taken
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.from_status} → {self.to_status}"


class ProtectionRule(models.Model):
    """Protection and auto-approval per partner kind (and optionally tier); the most specific wins."""

    partner_kind = models.CharField(_("partner kind"), max_length=20, choices=PartnerKind.choices)
    tier = models.ForeignKey(
        "partners.Tier", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    protection_days = models.PositiveSmallIntegerField(_("protection (days)"), default=90)
    extension_days = models.PositiveSmallIntegerField(_("extension (days)"), default=30)
    auto_approve = models.BooleanField(_("approve automatically when nothing conflicts"), default=True)
    referral_rate = models.DecimalField(
        _("referral commission (%)"),
        max_digits=5,
        decimal_places=2,
        default=0,
        help_text=_("Paid to the registering partner on attributed purchases of other partners' listings."),
    )

    class Meta:
        verbose_name = _("protection rule")
        verbose_name_plural = _("protection rules")
        constraints = [
            models.UniqueConstraint(fields=["partner_kind", "tier"], name="cosell_rule_kind_tier"),
        ]

    def __str__(self):
        return f"{self.get_partner_kind_display()} · {self.tier or '*'}"


class Attribution(TimeStampedModel):
    """A paid invoice of a registered customer for a registered listing: co-sell revenue."""

    registration = models.ForeignKey(DealRegistration, on_delete=models.CASCADE, related_name="attributions")
    invoice = models.OneToOneField("billing.Invoice", on_delete=models.CASCADE, related_name="+")
    subscription = models.ForeignKey(
        "billing.Subscription", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    referral_commission = models.DecimalField(
        _("referral commission"), max_digits=14, decimal_places=2, default=0
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.registration_id} · {self.invoice_id}"

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)


class CoSellInvite(PublicIdModel, TimeStampedModel):
    """A partner invites another onto an approved deal (an ISV brings a service partner, or the
    reverse). Once accepted, the invited partner sees the registration read-only."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    registration = models.ForeignKey(DealRegistration, on_delete=models.CASCADE, related_name="invites")
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="cosell_invites")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["registration", "partner"], name="cosell_one_invite_per_partner")
        ]

    def __str__(self):
        return f"{self.registration_id} → {self.partner_id} ({self.status})"


class OverlapConsent(TimeStampedModel):
    """One partner agrees to show another partner the names behind their account overlap
    (Crossbeam's rule). Names are shown only while both partners agree; deleting the row is the
    revocation, and either side may do it at any time."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partner", "other"], name="cosell_one_overlap_consent"),
            models.CheckConstraint(
                condition=~models.Q(partner=models.F("other")), name="cosell_overlap_consent_not_self"
            ),
        ]

    def __str__(self):
        return f"{self.partner_id} → {self.other_id}"


class RegistrationImport(ProgressMixin, PublicIdModel, TimeStampedModel):
    """A CSV import of deal registrations run as a task (``cosell.tasks.import_registrations``):
    all rows or none. While it runs, the rows checked so far live in the cache
    (``cosell.services.imports.live``): the rows are written in one transaction, so the job's own
    row cannot show them before the end."""

    Status = JobStatus

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    filename = models.CharField(max_length=255, blank=True)
    content = models.TextField()
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # [{"line", "field", "message"}]
    message = models.CharField(max_length=255, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.filename} · {self.partner_id} ({self.status})"

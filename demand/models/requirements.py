"""Custom requirements (需求大厅): the requirement, its history, intake pauses and invitations."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.i18n import TranslatedField
from core.models import PublicIdModel, TimeStampedModel
from core.money import Currency


class RequirementState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING_REVIEW = "pending_review", _("Pending review")
    OPEN = "open", pgettext_lazy("requirement state", "Open")
    SHORTLISTING = "shortlisting", _("Shortlisting")
    AWARDED = "awarded", _("Awarded")
    IN_DELIVERY = "in_delivery", _("In delivery")
    ACCEPTANCE = "acceptance", _("Acceptance")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


class RequirementMode(models.TextChoices):
    ROUTED = "routed", _("Routed by the platform")
    OPEN_CLAIM = "open_claim", _("Open claim")
    DIRECTED = "directed", _("Directed to one partner")
    PRIVATE_INVITE = "private_invite", _("Private invitation")


class Requirement(PublicIdModel, TimeStampedModel):
    customer_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="requirements"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    industry = models.ForeignKey(
        "partners.Industry", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    region = models.ForeignKey(
        "partners.Region", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    budget_min = models.DecimalField(_("budget from"), max_digits=14, decimal_places=2, null=True, blank=True)
    budget_max = models.DecimalField(
        _("budget up to"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY)
    disclose_budget = models.BooleanField(_("show the budget to partners"), default=False)
    proposal_due = models.DateTimeField(_("proposals due"))
    award_by = models.DateField(_("award by"))
    required_certifications = models.ManyToManyField(
        "partners.Certification", blank=True, related_name="+", verbose_name=_("required certifications")
    )
    required_kinds = models.JSONField(_("partner kinds"), default=list, blank=True)
    min_tier_rank = models.PositiveSmallIntegerField(_("minimum tier rank"), null=True, blank=True)
    related_listings = models.ManyToManyField(
        "catalog.ListingPage", blank=True, related_name="+", verbose_name=_("related listings")
    )
    screening_questions = models.JSONField(_("screening questions"), default=list, blank=True)
    mode = models.CharField(
        _("mode"), max_length=16, choices=RequirementMode.choices, default=RequirementMode.ROUTED
    )
    claim_limit = models.PositiveSmallIntegerField(_("claim limit"), default=5)
    notify_limit = models.PositiveSmallIntegerField(_("partners to notify"), default=10)
    directed_partner = models.ForeignKey(
        "partners.Partner", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    invited_partners = models.ManyToManyField("partners.Partner", blank=True, related_name="+")
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=RequirementState.choices,
        default=RequirementState.DRAFT,
        db_index=True,
    )
    state_reason = models.CharField(_("reason"), max_length=255, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)

    t_title = TranslatedField("title", "title_en")
    t_description = TranslatedField("description", "description_en")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        permissions = [("moderate_requirement", _("Can moderate requirements"))]

    def __str__(self):
        return self.t_title or str(self.public_id)


class RequirementTransition(models.Model):
    """One step of a requirement's life: who, when, from, to and why (never edited)."""

    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(max_length=16, choices=RequirementState.choices)
    to_state = models.CharField(max_length=16, choices=RequirementState.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(_("reason"), max_length=255, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("requirement transition")
        verbose_name_plural = _("requirement transitions")

    def __str__(self):
        return f"{self.requirement_id}: {self.from_state} → {self.to_state}"


class PartnerIntake(models.Model):
    """A partner's pause of new requirement invitations (at most 30 days)."""

    partner = models.OneToOneField("partners.Partner", on_delete=models.CASCADE, related_name="demand_intake")
    paused_until = models.DateTimeField(_("intake paused until"), null=True, blank=True)

    class Meta:
        verbose_name = _("partner intake")
        verbose_name_plural = _("partner intakes")

    def __str__(self):
        return f"{self.partner_id}: {self.paused_until}"


class InvitationSource(models.TextChoices):
    ROUTED = "routed", _("Routed")
    CLAIMED = "claimed", _("Claimed")
    DIRECTED = "directed", _("Directed")
    INVITED = "invited", _("Invited")


class Invitation(TimeStampedModel):
    """A partner's right to see and propose on a requirement, with the reasons it was matched."""

    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="invitations")
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="requirement_invitations"
    )
    source = models.CharField(max_length=10, choices=InvitationSource.choices)
    score = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    reasons = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-score", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["requirement", "partner"], name="invitation_once_per_partner"),
        ]
        indexes = [models.Index(fields=["partner", "created_at"], name="invitation_partner_created")]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self):
        return f"{self.partner_id} → {self.requirement_id} ({self.source})"

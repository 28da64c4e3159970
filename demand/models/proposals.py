"""Proposals: one per partner per requirement, with milestones and kept versions."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import PublicIdModel, TimeStampedModel
from core.money import Currency


class PricingModel(models.TextChoices):
    FIXED = "fixed", _("Fixed price")
    TIME_AND_MATERIALS = "tm", _("Time and materials")
    MILESTONES = "milestones", _("Milestones")


class ProposalState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Proposal(PublicIdModel, TimeStampedModel):
    requirement = models.ForeignKey("demand.Requirement", on_delete=models.CASCADE, related_name="proposals")
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="proposals")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    pricing_model = models.CharField(
        _("pricing model"), max_length=12, choices=PricingModel.choices, default=PricingModel.FIXED
    )
    total = models.DecimalField(_("total"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY)
    max_cost = models.DecimalField(_("maximum cost"), max_digits=14, decimal_places=2, null=True, blank=True)
    timeline_days = models.PositiveIntegerField(_("timeline (days)"))
    summary = models.TextField(_("approach"), max_length=8000)
    assumptions = models.TextField(_("assumptions"), blank=True, max_length=4000)
    answers = models.JSONField(_("answers"), default=list, blank=True)
    valid_until = models.DateField(_("valid until"))
    version = models.PositiveIntegerField(default=1)
    state = models.CharField(
        _("state"), max_length=10, choices=ProposalState.choices, default=ProposalState.PROPOSED
    )
    decline_reason = models.CharField(_("reason declined"), max_length=255, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("near-duplicate of"),
        help_text=_("Another requirement's proposal whose text this one nearly repeats (copy-paste)."),
    )
    duplicate_score = models.PositiveSmallIntegerField(_("similarity (%)"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["requirement", "partner"], name="proposal_once_per_partner"),
        ]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")

    def __str__(self):
        return f"{self.partner} · {self.requirement}"


class Milestone(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="milestones")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("milestone"), max_length=200)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    acceptance_criteria = models.TextField(_("acceptance criteria"), blank=True)
    due_in_days = models.PositiveIntegerField(_("due after (days)"), default=0)
    waiting_alerted_days = models.PositiveSmallIntegerField(
        _("waiting alert sent (days)"),
        default=0,
        help_text=_("The last waiting alert sent: 30, 60 or 90 days."),
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self):
        return self.title


class ProposalVersion(models.Model):
    """A frozen copy of a proposal as it was submitted (revisions keep every version)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["proposal", "number"], name="proposalversion_unique")]

    def __str__(self):
        return f"{self.proposal_id} v{self.number}"

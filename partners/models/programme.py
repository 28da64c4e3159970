"""Running the tier programme: settings, evaluation runs, recommendations and tier history."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from core.models import JobStatus, ProgressMixin, PublicIdModel


@register_setting(icon="cog")
class ProgrammeSettings(BaseGenericSetting):
    demotion_grace_days = models.PositiveSmallIntegerField(
        _("demotion grace period (days)"),
        default=60,
        help_text=_("An approved demotion takes effect this many days later, unless the partner recovers."),
    )
    certification_reminder_days = models.PositiveSmallIntegerField(
        _("certification reminder (days before expiry)"), default=30
    )

    panels = [FieldPanel("demotion_grace_days"), FieldPanel("certification_reminder_days")]

    class Meta:
        verbose_name = _("partner programme settings")


class EvaluationRun(ProgressMixin, PublicIdModel):
    """One run of the tier evaluation over every active partner (scheduled or started by staff)."""

    Status = JobStatus

    as_of = models.DateField(_("evaluated month"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    total = models.PositiveIntegerField(_("partners"), default=0)
    processed = models.PositiveIntegerField(_("partners processed"), default=0)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    message = models.CharField(_("message"), max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("run_evaluation", "Can run the tier evaluation")]
        verbose_name = _("tier evaluation run")
        verbose_name_plural = _("tier evaluation runs")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"


class TierRecommendation(models.Model):
    class Action(models.TextChoices):
        PROMOTE = "promote", _("Promote")
        DEMOTE = "demote", _("Demote")
        HOLD = "hold", _("Hold")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        OVERRIDDEN = "overridden", _("Overridden")
        SUPERSEDED = "superseded", _("Superseded")
        RECORDED = "recorded", _("Recorded (no change)")

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="tier_recommendations"
    )
    run = models.ForeignKey(
        EvaluationRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="recommendations"
    )
    as_of = models.DateField(_("evaluated month"))
    current_tier = models.ForeignKey(
        "partners.Tier", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recommended_tier = models.ForeignKey(
        "partners.Tier", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    evidence = models.JSONField(_("evidence"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    override_tier = models.ForeignKey(
        "partners.Tier", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Approved demotions wait for the grace period: the tier changes on ``effective_on``.
    effective_on = models.DateField(_("takes effect on"), null=True, blank=True)
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["partner", "status"], name="tierrec_partner_status")]
        verbose_name = _("tier recommendation")
        verbose_name_plural = _("tier recommendations")

    def __str__(self):
        return f"{self.partner} · {self.get_action_display()} · {self.get_status_display()}"

    @property
    def is_waiting_demotion(self) -> bool:
        return (
            self.action == self.Action.DEMOTE
            and self.status == self.Status.APPROVED
            and self.applied_at is None
        )


class TierChange(models.Model):
    """Tier history: one row for every change of a partner's tier, whoever made it."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="tier_changes")
    from_tier = models.ForeignKey(
        "partners.Tier", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    to_tier = models.ForeignKey(
        "partners.Tier", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    recommendation = models.ForeignKey(
        TierRecommendation, on_delete=models.SET_NULL, null=True, blank=True, related_name="changes"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("tier change")
        verbose_name_plural = _("tier changes")

    def __str__(self):
        return f"{self.partner}: {self.from_tier or '—'} → {self.to_tier or '—'}"

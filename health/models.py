"""The health model: metric definitions in three dimensions, monthly snapshots, at-risk flags,
vendor revenue (for the ecosystem multiplier) and the archive of generated reports.

Scores are computed from ``PartnerFact`` rows only (``health.services``); see ``docs/health.md``
for the formulas. The models moved here from ``partners`` and keep their ``partners_…`` tables
(``health/migrations/0001_initial.py``).
"""

import uuid
from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from core.i18n import TranslatedField
from core.models import JobStatus, ProgressMixin
from partners.models.applications import get_private_storage
from partners.models.tiers import PartnerKind


class AuditedChangeForm(WagtailAdminModelForm):
    """Adds "reason for the change", written to the audit log with the fields changed."""

    change_reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=500,
        help_text=_("Kept in the audit log (Reports → Site history / Programme decisions)."),
    )


class HealthDimension(models.TextChoices):
    PRODUCTIVITY = "productivity", _("Productivity")
    ROBUSTNESS = "robustness", _("Robustness")
    INNOVATION = "innovation", _("Innovation")


def _default_kinds():
    return []


def validate_kinds(value):
    from django.core.exceptions import ValidationError

    if not isinstance(value, list) or any(k not in PartnerKind.values for k in value):
        raise ValidationError(
            _("Give a list of partner kinds among: %(kinds)s."),
            params={"kinds": ", ".join(PartnerKind.values)},
        )


class HealthMetric(models.Model):
    """One metric of the health model: which fact, in which dimension, with which weight."""

    class Direction(models.TextChoices):
        HIGHER = "higher", _("Higher is better")
        LOWER = "lower", _("Lower is better")

    class Aggregation(models.TextChoices):
        SUM = "sum", _("Sum over the window")
        AVG = "avg", _("Monthly average over the window")
        LATEST = "latest", _("Latest month reported in the window")
        GROWTH = "growth", _("Growth: window sum vs the window before (%)")

    metric = models.ForeignKey(
        "partners.Metric", on_delete=models.PROTECT, related_name="health_metrics", verbose_name=_("metric")
    )
    denominator = models.ForeignKey(
        "partners.Metric",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("divided by"),
        help_text=_("Optional: the value is metric ÷ this metric (aggregated the same way), in percent."),
    )
    slug = models.SlugField(
        _("slug"),
        max_length=40,
        unique=True,
        help_text=_("Key of this metric in snapshots (usually the metric's slug)."),
    )
    dimension = models.CharField(_("dimension"), max_length=20, choices=HealthDimension.choices)
    weight = models.DecimalField(
        _("weight"), max_digits=6, decimal_places=2, default=Decimal("1"), validators=[MinValueValidator(0)]
    )
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    aggregation = models.CharField(
        _("aggregation"), max_length=10, choices=Aggregation.choices, default=Aggregation.SUM
    )
    window_months = models.PositiveSmallIntegerField(
        _("window (months)"), default=3, validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    kinds = models.JSONField(
        _("partner kinds"),
        default=_default_kinds,
        blank=True,
        validators=[validate_kinds],
        help_text=_("Kinds this metric applies to (empty = every kind). Other kinds do not have it."),
    )
    missing_counts_as_zero = models.BooleanField(
        _("missing counts as zero"),
        default=False,
        help_text=_(
            "When a partner has no fact in the window: score the value 0 (checked) or leave the "
            "metric out of its scores (unchecked, the default)."
        ),
    )
    formula = models.CharField(_("formula"), max_length=255, blank=True)
    formula_en = models.CharField(_("formula (English)"), max_length=255, blank=True)
    source = models.CharField(_("source"), max_length=80, blank=True)
    improvement_hint = models.TextField(_("how to improve"), blank=True)
    improvement_hint_en = models.TextField(_("how to improve (English)"), blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    t_formula = TranslatedField("formula", "formula_en")
    t_improvement_hint = TranslatedField("improvement_hint", "improvement_hint_en")

    panels = [
        FieldRowPanel([FieldPanel("metric"), FieldPanel("denominator"), FieldPanel("slug")]),
        FieldRowPanel([FieldPanel("dimension"), FieldPanel("weight"), FieldPanel("direction")]),
        FieldRowPanel(
            [FieldPanel("aggregation"), FieldPanel("window_months"), FieldPanel("missing_counts_as_zero")]
        ),
        FieldPanel("kinds"),
        MultiFieldPanel(
            [FieldPanel("formula"), FieldPanel("formula_en"), FieldPanel("source")], heading=_("Explanation")
        ),
        MultiFieldPanel(
            [FieldPanel("improvement_hint"), FieldPanel("improvement_hint_en")], heading=_("How to improve")
        ),
        FieldRowPanel([FieldPanel("enabled"), FieldPanel("sort_order")]),
        FieldPanel("change_reason"),
    ]
    base_form_class = AuditedChangeForm

    class Meta:
        db_table = "partners_healthmetric"  # moved from partners with its table
        ordering = ["dimension", "sort_order", "slug"]
        verbose_name = _("health metric")
        verbose_name_plural = _("health metrics")

    def __str__(self):
        return f"{self.get_dimension_display()} · {self.metric.t_name if self.metric_id else self.slug}"

    @property
    def t_name(self):
        """The name people read: the metric's, marked when it is the metric's growth (so
        ``revenue`` and ``revenue_growth`` never show the same name, nor a code)."""
        name = self.metric.t_name
        if self.aggregation == self.Aggregation.GROWTH:
            return _("%(metric)s growth") % {"metric": name}
        return name

    def display_name(self):
        return self.t_name

    display_name.short_description = _("name")

    def applies_to(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds


@register_setting(icon="pick")
class HealthSettings(BaseGenericSetting):
    productivity_weight = models.DecimalField(
        _("productivity weight"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(0)],
    )
    robustness_weight = models.DecimalField(
        _("robustness weight"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(0)],
    )
    innovation_weight = models.DecimalField(
        _("innovation weight"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(0)],
    )
    at_risk_drop_points = models.DecimalField(
        _("at risk: drop of more than (points)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("10"),
        validators=[MinValueValidator(0)],
    )
    at_risk_floor = models.DecimalField(
        _("at risk: composite below"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("40"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    healthy_threshold = models.DecimalField(
        _("healthy from"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("70"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    report_recipients = models.TextField(
        _("report recipients"),
        blank=True,
        help_text=_("Email addresses, one per line, for scheduled reports."),
    )

    panels = [
        FieldRowPanel(
            [
                FieldPanel("productivity_weight"),
                FieldPanel("robustness_weight"),
                FieldPanel("innovation_weight"),
            ],
            heading=_("Dimension weights"),
        ),
        FieldRowPanel(
            [FieldPanel("at_risk_drop_points"), FieldPanel("at_risk_floor"), FieldPanel("healthy_threshold")],
            heading=_("Thresholds"),
        ),
        FieldPanel("report_recipients"),
        FieldPanel("change_reason"),
    ]
    base_form_class = AuditedChangeForm

    class Meta:
        db_table = "partners_healthsettings"  # moved from partners with its table
        verbose_name = _("health model settings")

    def dimension_weights(self) -> dict[str, Decimal]:
        return {
            HealthDimension.PRODUCTIVITY: self.productivity_weight,
            HealthDimension.ROBUSTNESS: self.robustness_weight,
            HealthDimension.INNOVATION: self.innovation_weight,
        }

    @property
    def recipient_list(self) -> list[str]:
        return [line.strip() for line in self.report_recipients.splitlines() if line.strip()]


class HealthSnapshot(models.Model):
    """One partner's health for one month. ``metrics`` holds the drill-down:
    ``{slug: {"value", "score", "percentile", "median", "dimension", "weight", "previous"}}``."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="health_snapshots")
    month = models.DateField(_("month"), help_text=_("First day of the month."))
    kind = models.CharField(_("kind"), max_length=20, choices=PartnerKind.choices)
    tier = models.ForeignKey(
        "partners.Tier", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    productivity = models.DecimalField(
        _("productivity"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    robustness = models.DecimalField(_("robustness"), max_digits=5, decimal_places=2, null=True, blank=True)
    innovation = models.DecimalField(_("innovation"), max_digits=5, decimal_places=2, null=True, blank=True)
    composite = models.DecimalField(_("health score"), max_digits=5, decimal_places=2)
    metrics = models.JSONField(_("metrics"), default=dict, blank=True)
    previous_composite = models.DecimalField(
        _("previous health score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        db_table = "partners_healthsnapshot"  # moved from partners with its table
        ordering = ["-month", "partner"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "month"], name="healthsnapshot_unique_month")
        ]
        indexes = [models.Index(fields=["month", "kind"], name="healthsnapshot_month_kind")]
        verbose_name = _("health snapshot")
        verbose_name_plural = _("health snapshots")

    def __str__(self):
        return f"{self.partner_id} · {self.month:%Y-%m} · {self.composite}"

    @property
    def change(self):
        """The change as shown: the difference of the two scores rounded to one decimal (half
        up), so the three figures on a page always add up (see ``health.selectors.scores``)."""
        if self.previous_composite is None:
            return None
        tenth = Decimal("0.1")
        return Decimal(str(self.composite)).quantize(tenth, rounding=ROUND_HALF_UP) - Decimal(
            str(self.previous_composite)
        ).quantize(tenth, rounding=ROUND_HALF_UP)

    def dimension_scores(self) -> dict[str, Decimal | None]:
        return {d: getattr(self, d) for d in HealthDimension.values}


class AtRiskFlag(models.Model):
    class Cause(models.TextChoices):
        DROP = "drop", _("Sharp drop")
        FLOOR = "floor", _("Below the floor")

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="at_risk_flags")
    month = models.DateField(_("month"))
    composite = models.DecimalField(_("health score"), max_digits=5, decimal_places=2)
    previous_composite = models.DecimalField(
        _("previous health score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    cause = models.CharField(_("cause"), max_length=10, choices=Cause.choices)
    cause_detail = models.JSONField(_("detail"), default=dict, blank=True)
    created_at = models.DateTimeField(_("flagged"), auto_now_add=True)
    notified_at = models.DateTimeField(_("notified"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)

    class Meta:
        db_table = "partners_atriskflag"  # moved from partners with its table
        ordering = ["-month", "composite"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "month", "cause"], name="atriskflag_unique_cause"),
        ]
        verbose_name = _("at-risk flag")
        verbose_name_plural = _("at-risk flags")

    def __str__(self):
        return f"{self.partner} · {self.month:%Y-%m} · {self.get_cause_display()}"


class VendorRevenue(models.Model):
    """The vendor's own revenue for a month (staff-entered), for the ecosystem multiplier."""

    month = models.DateField(_("month"), unique=True, help_text=_("First day of the month."))
    amount = models.DecimalField(_("amount (CNY)"), max_digits=18, decimal_places=2)
    note = models.CharField(_("note"), max_length=255, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    panels = [FieldRowPanel([FieldPanel("month"), FieldPanel("amount")]), FieldPanel("note")]

    class Meta:
        db_table = "partners_vendorrevenue"  # moved from partners with its table
        ordering = ["-month"]
        verbose_name = _("vendor revenue")
        verbose_name_plural = _("vendor revenue")

    def __str__(self):
        return f"{self.month:%Y-%m}: {self.amount} CNY"

    def save(self, *args, **kwargs):
        if self.month:
            self.month = self.month.replace(day=1)
        super().save(*args, **kwargs)


def generated_report_path(instance, filename):
    return f"reports/{instance.kind}/{instance.pk}.pdf"


class GeneratedReport(models.Model):
    class Kind(models.TextChoices):
        PARTNER_HEALTH = "partner_health", _("Partner health report")
        ECOSYSTEM = "ecosystem", _("Ecosystem report")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, null=True, blank=True, related_name="health_reports"
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(
        _("progress"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    file = models.FileField(
        _("file"), storage=get_private_storage, upload_to=generated_report_path, max_length=255, blank=True
    )
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    emailed_to = models.TextField(_("emailed to"), blank=True)

    class Meta:
        db_table = "partners_generatedreport"  # moved from partners with its table
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["kind", "partner"], name="genreport_kind_partner")]
        verbose_name = _("generated report")
        verbose_name_plural = _("generated reports")

    def __str__(self):
        return f"{self.get_kind_display()} {self.period_start:%Y-%m}–{self.period_end:%Y-%m}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class HealthRun(ProgressMixin, models.Model):
    """One computation of snapshots (scheduled or "recompute now"), with its progress."""

    Status = JobStatus

    first_month = models.DateField(_("from month"))
    last_month = models.DateField(_("to month"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    total = models.PositiveIntegerField(_("months"), default=0)
    processed = models.PositiveIntegerField(_("months processed"), default=0)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    message = models.CharField(_("message"), max_length=255, blank=True)

    class Meta:
        db_table = "partners_healthrun"  # moved from partners with its table
        ordering = ["-created_at"]
        permissions = [("run_health", "Can recompute health snapshots")]
        verbose_name = _("health computation")
        verbose_name_plural = _("health computations")

    def __str__(self):
        return f"{self.first_month:%Y-%m}–{self.last_month:%Y-%m} ({self.get_status_display()})"

"""Monthly facts about partners, reported by every app (partner × metric × month → value).

Facts flow down: billing, catalog and marketplace write what they know about a partner here
through ``partners.services.facts.report_facts`` and never import each other. Tier
evaluation and the health model read only these rows.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.i18n import TranslatedField


class MetricSlug(models.TextChoices):
    """The metrics the programme knows out of the box (rows of ``Metric`` with these slugs)."""

    REVENUE = "revenue", _("Revenue")
    ACTIVE_CUSTOMERS = "active_customers", _("Active customers")
    PUBLISHED_LISTINGS = "published_listings", _("Published listings")
    AVG_RATING = "avg_rating", _("Average rating")
    REVIEW_COUNT = "review_count", _("Reviews")
    CERTIFIED_PEOPLE = "certified_people", _("Certified people")
    DELIVERY_SUCCESS_RATE = "delivery_success_rate", _("Delivery success rate")
    HEALTH_SCORE = "health_score", _("Health score")


class Metric(models.Model):
    """What a fact measures. Apps add their own metrics as rows; no code change in partners."""

    class Unit(models.TextChoices):
        COUNT = "count", _("count")
        CNY = "CNY", _("CNY")
        PERCENT = "percent", _("percent")
        RATING = "rating", _("rating (1–5)")
        SCORE = "score", _("score (0–100)")

    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, default=Unit.COUNT)
    source = models.CharField(
        _("source"), max_length=40, blank=True, help_text=_("App label of the app that reports it.")
    )
    description = models.CharField(_("description"), max_length=255, blank=True)
    count_metric = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sample-size metric"),
        help_text=_("For averages: the metric counting what was averaged (reviews for a rating)."),
    )

    t_name = TranslatedField("name", "name_en")

    class Meta:
        ordering = ["slug"]
        verbose_name = _("metric")
        verbose_name_plural = _("metrics")

    def __str__(self):
        unit = self.get_unit_display()
        return f"{self.t_name} ({unit})"


class PartnerFact(models.Model):
    """One partner's value of one metric for one calendar month (``month`` is its first day)."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="facts")
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="facts")
    month = models.DateField(_("month"), help_text=_("First day of the month."))
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=4)
    source = models.CharField(_("source"), max_length=40)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["partner", "metric", "month"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "metric", "month"], name="partnerfact_unique_month"),
        ]
        indexes = [models.Index(fields=["metric", "month"], name="partnerfact_metric_month")]
        verbose_name = _("partner fact")
        verbose_name_plural = _("partner facts")

    def __str__(self):
        return f"{self.partner_id} · {self.metric_id} · {self.month:%Y-%m} = {self.value}"

"""Partner kinds, their tier ladders and the criteria staff set for each tier."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel
from wagtail.models import Orderable

from core.i18n import TranslatedField


class PartnerKind(models.TextChoices):
    ISV = "isv", _("ISV")
    SERVICE = "service", _("Service partner")
    ALLIANCE = "alliance", _("Strategic alliance")
    DEVELOPER = "developer", _("Developer")
    CHANNEL = "channel", _("Channel partner")


class Tier(ClusterableModel):
    """One rung of a partner kind's ladder; ``rank`` 0 is the entry tier."""

    kind = models.CharField(_("partner kind"), max_length=20, choices=PartnerKind.choices)
    rank = models.PositiveSmallIntegerField(_("rank"))
    slug = models.SlugField(_("slug"), max_length=40)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=60, blank=True)
    colour = models.CharField(_("badge colour"), max_length=7, default="#64748b")

    t_name = TranslatedField("name", "name_en")

    panels = [
        FieldRowPanel([FieldPanel("kind"), FieldPanel("rank"), FieldPanel("slug")]),
        FieldRowPanel([FieldPanel("name"), FieldPanel("name_en"), FieldPanel("colour")]),
        InlinePanel(
            "criteria",
            heading=_("Criteria"),
            label=_("Criterion"),
            help_text=_(
                "A partner reaches this tier when it meets every criterion here and every "
                "criterion of the lower tiers. A criterion whose facts were never reported is unmet."
            ),
        ),
    ]

    class Meta:
        ordering = ["kind", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "rank"], name="tier_rank_unique_per_kind"),
            models.UniqueConstraint(fields=["kind", "slug"], name="tier_slug_unique_per_kind"),
        ]
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")

    def __str__(self):
        return f"{self.get_kind_display()} · {self.t_name}"


class TierCriterion(Orderable):
    """``metric`` aggregated over ``window`` must be ≥ ``threshold`` (and, for averages, the
    sample-size metric over the same window ≥ ``min_count``)."""

    class Operator(models.TextChoices):
        GTE = "gte", "≥"

    class Window(models.TextChoices):
        SUM_12M = "sum_12m", _("Sum of the trailing 12 months")
        LATEST = "latest", _("Latest month reported")
        AVG_12M = "avg_12m", _("Monthly average over the trailing 12 months")

    tier = ParentalKey(Tier, on_delete=models.CASCADE, related_name="criteria")
    metric = models.ForeignKey("partners.Metric", on_delete=models.PROTECT, related_name="criteria")
    operator = models.CharField(_("operator"), max_length=4, choices=Operator.choices, default=Operator.GTE)
    threshold = models.DecimalField(_("threshold"), max_digits=18, decimal_places=4)
    window = models.CharField(_("window"), max_length=10, choices=Window.choices, default=Window.SUM_12M)
    min_count = models.PositiveIntegerField(
        _("minimum sample"),
        null=True,
        blank=True,
        help_text=_("For averages such as rating: the minimum number of reviews behind it."),
    )

    panels = [
        FieldRowPanel([FieldPanel("metric"), FieldPanel("window")]),
        FieldRowPanel([FieldPanel("operator"), FieldPanel("threshold"), FieldPanel("min_count")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("tier criterion")
        verbose_name_plural = _("tier criteria")

    def __str__(self):
        return f"{self.metric.t_name} ({self.get_window_display()}) ≥ {self.threshold_display}"

    @property
    def threshold_display(self) -> str:
        value = self.threshold.normalize() if self.threshold is not None else Decimal(0)
        return f"{value:f}"

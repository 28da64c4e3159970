"""Catalogue settings staff edit in the Wagtail admin (Settings → Catalogue settings)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

# Superlatives Chinese advertising law forbids, and their usual English counterparts.
DEFAULT_BANNED_WORDS = "\n".join(
    (
        "国家级",
        "最高级",
        "最佳",
        "第一品牌",
        "顶级",
        "万能",
        "100%有效",
        "best in the world",
        "number one",
        "guaranteed results",
        "risk-free",
    )
)


@register_setting(icon="tasks")
class CatalogSettings(BaseGenericSetting):
    stale_after_months = models.PositiveSmallIntegerField(
        _("stale after (months)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("A live listing with no update for this long is flagged and its partner warned."),
    )
    description_min_length = models.PositiveIntegerField(
        _("minimum description length (characters)"), default=80
    )
    description_max_length = models.PositiveIntegerField(
        _("maximum description length (characters)"), default=10000
    )
    banned_words = models.TextField(
        _("banned words"),
        blank=True,
        default=DEFAULT_BANNED_WORDS,
        help_text=_("One word or phrase per line; matched without regard to case."),
    )
    max_tags = models.PositiveSmallIntegerField(_("maximum tags per listing"), default=10)
    max_word_share = models.PositiveSmallIntegerField(
        _("maximum share of one word (%)"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Keyword stuffing: no single word may make up more than this share of a description."),
    )
    repetition_min_words = models.PositiveSmallIntegerField(
        _("minimum words before the repetition check applies"), default=30
    )

    panels = [
        FieldPanel("stale_after_months"),
        MultiFieldPanel(
            [
                FieldPanel("description_min_length"),
                FieldPanel("description_max_length"),
                FieldPanel("banned_words"),
                FieldPanel("max_tags"),
                FieldPanel("max_word_share"),
                FieldPanel("repetition_min_words"),
            ],
            heading=_("Submission pre-checks"),
        ),
    ]

    class Meta:
        verbose_name = _("catalogue settings")

    def banned_word_list(self) -> list[str]:
        return [line.strip() for line in (self.banned_words or "").splitlines() if line.strip()]

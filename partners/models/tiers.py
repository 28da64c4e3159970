"""Partner kinds and their tier ladders."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.i18n import TranslatedField


class PartnerKind(models.TextChoices):
    ISV = "isv", _("ISV")
    SERVICE = "service", _("Service partner")
    ALLIANCE = "alliance", _("Strategic alliance")
    DEVELOPER = "developer", _("Developer")
    CHANNEL = "channel", _("Channel partner")


class Tier(models.Model):
    """One rung of a partner kind's ladder; ``rank`` 0 is the entry tier."""

    kind = models.CharField(_("partner kind"), max_length=20, choices=PartnerKind.choices)
    rank = models.PositiveSmallIntegerField(_("rank"))
    slug = models.SlugField(_("slug"), max_length=40)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=60, blank=True)
    colour = models.CharField(_("badge colour"), max_length=7, default="#64748b")

    t_name = TranslatedField("name", "name_en")

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

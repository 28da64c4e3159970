"""The category tree listings are filed under (two levels: top-level categories and their children)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.i18n import TranslatedField


class Category(models.Model):
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    description = models.CharField(_("description"), max_length=255, blank=True)
    description_en = models.CharField(_("description (English)"), max_length=255, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    icon = models.CharField(
        _("icon"), max_length=40, blank=True, help_text=_("Name of an icon in the sprite.")
    )
    position = models.PositiveSmallIntegerField(default=0)

    t_name = TranslatedField("name", "name_en")
    t_description = TranslatedField("description", "description_en")

    class Meta:
        ordering = ["position", "slug"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return self.t_name

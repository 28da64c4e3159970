"""The partner profile and the taxonomy partners are described by (regions, industries)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from core.i18n import TranslatedField
from core.models import TimeStampedModel
from partners.models.tiers import PartnerKind, Tier


class Region(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    t_name = TranslatedField("name", "name_en")

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self):
        return self.t_name


class Industry(models.Model):
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    t_name = TranslatedField("name", "name_en")

    class Meta:
        ordering = ["position", "slug"]
        verbose_name = _("industry")
        verbose_name_plural = _("industries")

    def __str__(self):
        return self.t_name


class Partner(TimeStampedModel):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="partner")
    kind = models.CharField(_("kind"), max_length=20, choices=PartnerKind.choices, db_index=True)
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, null=True, blank=True, related_name="partners")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    tagline_en = models.CharField(_("tagline (English)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    founded_year = models.PositiveSmallIntegerField(_("founded"), null=True, blank=True)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    regions = models.ManyToManyField(Region, blank=True, related_name="partners")
    industries = models.ManyToManyField(Industry, blank=True, related_name="partners")
    joined_on = models.DateField(_("joined the programme"), null=True, blank=True)

    t_tagline = TranslatedField("tagline", "tagline_en")
    t_description = TranslatedField("description", "description_en")

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")

    def __str__(self):
        return str(self.organisation)

    @property
    def slug(self) -> str:
        return self.organisation.slug

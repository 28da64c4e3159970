"""The certification catalogue and the people of each partner who hold a certification."""

import calendar
from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.i18n import TranslatedField
from core.models import JobStatus, ProgressMixin, PublicIdModel, TimeStampedModel
from partners.models.tiers import PartnerKind


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, clamped to the end of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class Certification(models.Model):
    class Level(models.TextChoices):
        ASSOCIATE = "associate", _("Associate")
        PROFESSIONAL = "professional", _("Professional")
        EXPERT = "expert", _("Expert")

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, default=Level.ASSOCIATE)
    validity_months = models.PositiveSmallIntegerField(_("valid for (months)"), default=24)
    partner_kinds = models.JSONField(
        _("partner kinds"),
        default=list,
        blank=True,
        help_text=_("Kinds of partner it applies to; none ticked means every kind."),
    )

    t_name = TranslatedField("name", "name_en")

    class Meta:
        ordering = ["level", "slug"]
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")

    def __str__(self):
        return self.t_name

    def applies_to(self, kind: str) -> bool:
        return not self.partner_kinds or kind in self.partner_kinds

    @property
    def kinds_display(self) -> str:
        labels = dict(PartnerKind.choices)
        return ", ".join(str(labels.get(k, k)) for k in self.partner_kinds) or str(_("All kinds"))


class CertifiedPerson(TimeStampedModel):
    """A person of a partner holding a certification from ``issued_on`` until the day before
    ``expires_on`` (on ``expires_on`` it has expired)."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="certified_people")
    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(_("email"))
    certification = models.ForeignKey(Certification, on_delete=models.PROTECT, related_name="holders")
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"), blank=True)

    class Meta:
        ordering = ["expires_on", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "email", "certification"], name="certifiedperson_unique_per_partner"
            ),
        ]
        indexes = [models.Index(fields=["expires_on"], name="certifiedperson_expiry")]
        verbose_name = _("certified person")
        verbose_name_plural = _("certified people")

    def __str__(self):
        return f"{self.name} · {self.certification}"

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        if not self.expires_on and self.issued_on and self.certification_id:
            self.expires_on = add_months(self.issued_on, self.certification.validity_months)
        super().save(*args, **kwargs)

    def is_valid_on(self, day: date) -> bool:
        return self.issued_on <= day < self.expires_on


class CertificationReminder(models.Model):
    """A reminder email sent to a partner's owners before one person's certification expires.
    Unique per person and expiry date: renewing (a new expiry) allows one more reminder."""

    person = models.ForeignKey(CertifiedPerson, on_delete=models.CASCADE, related_name="reminders")
    expires_on = models.DateField(_("expiry reminded of"))
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)
    recipients = models.JSONField(_("recipients"), default=list)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["person", "expires_on"], name="certreminder_once_per_expiry"),
        ]
        verbose_name = _("certification reminder")
        verbose_name_plural = _("certification reminders")

    def __str__(self):
        return f"{self.person} · {self.expires_on}"


class ImportJob(ProgressMixin, PublicIdModel, TimeStampedModel):
    """A CSV import of certified people, run as a task; the console polls its progress."""

    Status = JobStatus
    progress_fields = ("processed_rows", "total_rows")

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="import_jobs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    filename = models.CharField(_("file name"), max_length=255)
    content = models.TextField(_("content"), help_text=_("The uploaded file, decoded as UTF-8."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    errors = models.JSONField(_("rejected rows"), default=list, blank=True)
    message = models.CharField(_("message"), max_length=255, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("certification import")
        verbose_name_plural = _("certification imports")

    def __str__(self):
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def imported_count(self) -> int:
        return self.created_count + self.updated_count

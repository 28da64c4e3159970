"""Partner applications: what an applicant submits, the reviewers' decisions, duplicate flags.

Supporting documents live in a private storage (``PRIVATE_MEDIA_ROOT``, default
``MEDIA_ROOT/private``) that has no public URL; staff download them through an admin view.
"""

import os
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from core.i18n import TranslatedField
from core.models import PublicIdModel, TimeStampedModel
from partners.models.profile import Industry, Region
from partners.models.tiers import PartnerKind


class PrivateStorage(FileSystemStorage):
    """Files outside any served URL. Follows MEDIA_ROOT (and test overrides of it)."""

    def __init__(self):
        super().__init__(base_url=None)

    @cached_property
    def base_location(self):
        explicit = getattr(settings, "PRIVATE_MEDIA_ROOT", None)
        return str(explicit) if explicit else os.path.join(settings.MEDIA_ROOT, "private")

    @cached_property
    def location(self):
        return os.path.abspath(self.base_location)

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting in {"MEDIA_ROOT", "PRIVATE_MEDIA_ROOT"}:
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name):
        raise ValueError("Private files have no public URL; use the staff download view.")


private_storage = PrivateStorage()


def get_private_storage():
    return private_storage


def application_document_path(instance, filename):
    # A random name: the original one is kept on the row, never in the path.
    suffix = Path(filename).suffix.lower()
    return f"applications/{instance.application.public_id}/{uuid.uuid4().hex}{suffix}"


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    MORE_INFO = "more_info", _("More information requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


OPEN_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.MORE_INFO)


class PartnerApplication(PublicIdModel, TimeStampedModel):
    Status = ApplicationStatus

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="partner_applications"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    language = models.CharField(
        _("applicant's language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    company_name = models.CharField(_("company name (Chinese)"), max_length=200)
    company_name_en = models.CharField(_("company name (English)"), max_length=200, blank=True)
    kind = models.CharField(_("partner kind"), max_length=20, choices=PartnerKind.choices)
    regions = models.ManyToManyField(Region, blank=True, related_name="+", verbose_name=_("regions"))
    industries = models.ManyToManyField(Industry, blank=True, related_name="+", verbose_name=_("industries"))
    contact_name = models.CharField(_("contact name"), max_length=120)
    contact_email = models.EmailField(_("contact email"))
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description (Chinese)"))
    description_en = models.TextField(_("description (English)"), blank=True)

    # Normalised keys for duplicate detection (set by the onboarding service on every save).
    name_key = models.CharField(max_length=200, blank=True, db_index=True, editable=False)
    email_domain = models.CharField(max_length=200, blank=True, db_index=True, editable=False)
    website_domain = models.CharField(max_length=200, blank=True, db_index=True, editable=False)

    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, db_index=True)
    submission_count = models.PositiveSmallIntegerField(_("submissions"), default=1)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="partner_application",
        verbose_name=_("partner organisation"),
    )

    t_company_name = TranslatedField("company_name", "company_name_en")
    t_description = TranslatedField("description", "description_en")

    class Meta:
        ordering = ["submitted_at", "pk"]
        verbose_name = _("partner application")
        verbose_name_plural = _("partner applications")

    def __str__(self):
        return self.t_company_name

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def can_be_edited_by_applicant(self) -> bool:
        return self.status == ApplicationStatus.MORE_INFO


class ApplicationDocument(TimeStampedModel):
    application = models.ForeignKey(PartnerApplication, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(
        _("file"), storage=get_private_storage, upload_to=application_document_path, max_length=255
    )
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")

    def __str__(self):
        return self.original_name


class ApplicationDecision(TimeStampedModel):
    """One reviewer decision and the message emailed to the applicant."""

    class Kind(models.TextChoices):
        APPROVE = "approve", _("Approve")
        MORE_INFO = "more_info", _("Ask for more information")
        REJECT = "reject", _("Reject")

    application = models.ForeignKey(PartnerApplication, on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField(_("decision"), max_length=20, choices=Kind.choices)
    message = models.TextField(_("message to the applicant"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("application decision")
        verbose_name_plural = _("application decisions")

    def __str__(self):
        return f"{self.application} · {self.get_kind_display()}"


class DuplicateFlag(models.Model):
    """A possible duplicate found when the application was (re)submitted, for the reviewer."""

    class Reason(models.TextChoices):
        COMPANY_NAME = "company_name", _("Same company name")
        EMAIL_DOMAIN = "email_domain", _("Same email domain")
        WEBSITE_DOMAIN = "website_domain", _("Same website domain")

    application = models.ForeignKey(
        PartnerApplication, on_delete=models.CASCADE, related_name="duplicate_flags"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    matched_value = models.CharField(_("matched value"), max_length=200)
    matched_application = models.ForeignKey(
        PartnerApplication, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    matched_organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["reason", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(matched_application__isnull=False)
                | models.Q(matched_organisation__isnull=False),
                name="duplicate_flag_has_a_match",
            ),
        ]
        verbose_name = _("duplicate flag")
        verbose_name_plural = _("duplicate flags")

    def __str__(self):
        return f"{self.get_reason_display()}: {self.matched_value}"

"""Files attached to a requirement (specifications, drawings): private storage, downloaded only
through a view that checks who asks (the customer, an invited partner, moderating staff)."""

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import PublicIdModel, TimeStampedModel
from partners.models.applications import get_private_storage


def attachment_path(instance, filename):
    # A random name: the original one is kept on the row, never in the path.
    return f"demand/{instance.requirement.public_id}/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


class RequirementAttachment(PublicIdModel, TimeStampedModel):
    requirement = models.ForeignKey(
        "demand.Requirement", on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), storage=get_private_storage, upload_to=attachment_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("requirement attachment")
        verbose_name_plural = _("requirement attachments")

    def __str__(self):
        return self.original_name

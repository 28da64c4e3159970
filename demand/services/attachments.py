"""Requirement attachments: at most ``MAX_FILES`` per requirement, each checked by
``core.uploads`` (accepted types, size, content matching the type) and stored privately under a
random name. Every file of a batch is checked before any is stored: nothing half-written."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core import uploads
from core.exceptions import ApplicationError, NotAllowed
from demand.models import Requirement, RequirementAttachment
from demand.models import RequirementState as S

ALLOWED = {".pdf", ".jpg", ".jpeg", ".png", ".xlsx", ".docx", ".csv"}
MAX_FILES = 5
EDITABLE = (S.DRAFT, S.PENDING_REVIEW, S.OPEN)
TOO_MANY = gettext_noop("A requirement can have at most %(max)s attachments.")
NOT_EDITABLE = gettext_noop("Attachments can be changed only until partners start shortlisting.")


def max_bytes() -> int:
    return getattr(settings, "DEMAND_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)


def check(files, *, already: int = 0) -> list[uploads.CheckedUpload]:
    """Every file checked; ``ApplicationError`` (field ``attachments``) naming each bad one."""
    files = [f for f in files if f]
    if already + len(files) > MAX_FILES:
        raise ApplicationError(_(TOO_MANY) % {"max": MAX_FILES}, field="attachments")
    checked, problems = [], []
    for upload in files:
        try:
            checked.append(uploads.check_upload(upload, allowed=ALLOWED, max_bytes=max_bytes()))
        except ValidationError as exc:
            problems.extend(exc.messages)
    if problems:
        raise ApplicationError(" ".join(problems), field="attachments")
    return checked


@transaction.atomic
def attach(*, requirement: Requirement, user, files) -> list[RequirementAttachment]:
    requirement = Requirement.objects.select_for_update().get(pk=requirement.pk)
    if requirement.state not in EDITABLE:
        raise NotAllowed(_(NOT_EDITABLE))
    checked = check(files, already=requirement.attachments.count())
    saved = []
    for item in checked:
        attachment = RequirementAttachment(
            requirement=requirement,
            original_name=item.name[:255],
            content_type=item.content_type,
            size=len(item.content),
            sha256=item.sha256,
            uploaded_by=user,
        )
        attachment.file.save(item.name, ContentFile(item.content), save=False)
        attachment.save()
        saved.append(attachment)
    return saved


@transaction.atomic
def remove(*, attachment: RequirementAttachment) -> None:
    requirement = Requirement.objects.select_for_update().get(pk=attachment.requirement_id)
    if requirement.state not in EDITABLE:
        raise NotAllowed(_(NOT_EDITABLE))
    name = attachment.file.name
    storage = attachment.file.storage
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))

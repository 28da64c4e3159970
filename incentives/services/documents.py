"""Proof-of-performance files: type and size checks (field errors), fingerprints (SHA-256,
perceptual hash, EXIF date) and storage in the private storage (no public URL)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime

import imagehash
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from core import uploads as core_uploads
from core.uploads import JPEG, PNG
from incentives import conf
from incentives.models import ClaimDocument, DocumentKind

EXIF_IFD = 0x8769
DATETIME_ORIGINAL = 36867
DATETIME = 306

ALLOWED = {
    DocumentKind.INVOICE: {".pdf", ".jpg", ".jpeg", ".png"},
    DocumentKind.PHOTO: {".jpg", ".jpeg", ".png"},
    DocumentKind.ATTENDEES: {".pdf", ".csv", ".xlsx", ".jpg", ".jpeg", ".png"},
}
INVOICE_CODE = re.compile(r"^\d{10,12}$")
INVOICE_NUMBER = re.compile(r"^\d{8,20}$")


@dataclass
class CheckedFile:
    kind: str
    name: str
    content: bytes
    content_type: str
    sha256: str
    phash: str = ""
    taken_at: datetime | None = None
    invoice_code: str = ""
    invoice_number: str = ""


def _photo_facts(content: bytes) -> tuple[str, datetime | None]:
    with Image.open(io.BytesIO(content)) as image:
        image.load()
        phash = str(imagehash.phash(image))
        exif = image.getexif()
        raw = exif.get_ifd(EXIF_IFD).get(DATETIME_ORIGINAL) or exif.get(DATETIME)
    taken_at = None
    if raw:
        try:
            taken_at = timezone.make_aware(datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S"))
        except ValueError:
            taken_at = None
    return phash, taken_at


def check_file(upload, kind: str) -> CheckedFile:
    """Read and check one upload (``core.uploads``); ``ValidationError`` with a message naming the
    file. Photos also get their fingerprints (perceptual hash, EXIF date)."""
    base = core_uploads.check_upload(upload, allowed=ALLOWED[kind], max_bytes=conf.get("MAX_UPLOAD_BYTES"))
    checked = CheckedFile(
        kind=kind,
        name=base.name,
        content=base.content,
        content_type=base.content_type,
        sha256=base.sha256,
    )
    if base.label in (JPEG, PNG):
        try:
            checked.phash, checked.taken_at = _photo_facts(base.content)
        except (UnidentifiedImageError, OSError, SyntaxError) as exc:
            raise core_uploads.invalid(base.name, base.label) from exc
    return checked


def validate_claim_documents(*, invoices=(), photos=(), attendee_lists=()) -> list[CheckedFile]:
    """``invoices``: dicts ``{"file", "code", "number"}``. Raises one ``ValidationError`` with
    errors per form field (``invoice_file``, ``invoice_code``, ``invoice_number``, ``photos``,
    ``attendee_lists``) and stores nothing when anything is wrong."""
    errors: dict[str, list] = {}
    checked: list[CheckedFile] = []

    def add(field, message):
        errors.setdefault(field, []).append(message)

    if not invoices:
        add("invoice_file", _("Attach at least one invoice."))
    for invoice in invoices:
        code = (invoice.get("code") or "").strip()
        number = (invoice.get("number") or "").strip()
        if not INVOICE_CODE.match(code):
            add("invoice_code", _("An invoice code is 10 to 12 digits."))
        if not INVOICE_NUMBER.match(number):
            add("invoice_number", _("An invoice number is 8 to 20 digits."))
        try:
            item = check_file(invoice["file"], DocumentKind.INVOICE)
            item.invoice_code, item.invoice_number = code, number
            checked.append(item)
        except ValidationError as exc:
            add("invoice_file", exc.messages[0])
    if not photos and not attendee_lists:
        add("photos", _("Attach photos of the activity or an attendee list as proof that it took place."))
    for field, kind, uploads in (
        ("photos", DocumentKind.PHOTO, photos),
        ("attendee_lists", DocumentKind.ATTENDEES, attendee_lists),
    ):
        for upload in uploads:
            try:
                checked.append(check_file(upload, kind))
            except ValidationError as exc:
                add(field, exc.messages[0])
    if errors:
        raise ValidationError(errors)
    return checked


def store(request, checked: list[CheckedFile]) -> list[ClaimDocument]:
    saved = []
    for item in checked:
        document = ClaimDocument(
            request=request,
            kind=item.kind,
            original_name=item.name[:255],
            content_type=item.content_type,
            size=len(item.content),
            sha256=item.sha256,
            phash=item.phash,
            taken_at=item.taken_at,
            invoice_code=item.invoice_code,
            invoice_number=item.invoice_number,
        )
        document.file.save(item.name, ContentFile(item.content), save=False)
        document.save()
        saved.append(document)
    return saved

"""Checks for uploaded documents, shared by every app that stores customer or partner files
(incentives' proof of performance, demand's requirement attachments): the extension must be one
the caller accepts, the size within the caller's limit, and the bytes must be what the extension
claims (magic numbers; images decode; CSV is UTF-8). ``ValidationError`` messages name the file.
Storage is the caller's (private storage, never a public URL)."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, UnidentifiedImageError

PDF, JPEG, PNG, CSV, XLSX, DOCX = "pdf", "jpeg", "png", "csv", "xlsx", "docx"
TYPES = {
    ".pdf": (PDF, "application/pdf"),
    ".jpg": (JPEG, "image/jpeg"),
    ".jpeg": (JPEG, "image/jpeg"),
    ".png": (PNG, "image/png"),
    ".csv": (CSV, "text/csv"),
    ".xlsx": (XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ".docx": (DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
}
MAGIC = {
    PDF: (b"%PDF",),
    JPEG: (b"\xff\xd8\xff",),
    PNG: (b"\x89PNG\r\n\x1a\n",),
    XLSX: (b"PK\x03\x04",),
    DOCX: (b"PK\x03\x04",),
}


@dataclass
class CheckedUpload:
    name: str
    label: str
    content: bytes
    content_type: str
    sha256: str


def invalid(name: str, label: str) -> ValidationError:
    return ValidationError(
        _("“%(name)s” is not a valid %(type)s file. Check the file and upload it again.")
        % {"name": name, "type": label.upper()}
    )


def check_upload(upload, *, allowed, max_bytes: int) -> CheckedUpload:
    """Read and check one upload (see the module docstring); ``allowed``: extensions with the dot."""
    name = Path(getattr(upload, "name", "") or "").name
    extension = Path(name).suffix.lower()
    if extension not in allowed or extension not in TYPES:
        raise ValidationError(
            _("“%(name)s” is not an accepted file type here. Accepted: %(types)s.")
            % {"name": name, "types": ", ".join(sorted(allowed))}
        )
    if (upload.size or 0) > max_bytes:
        raise ValidationError(
            _("“%(name)s” is %(size)s; files may be at most %(limit)s.")
            % {"name": name, "size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes)}
        )
    upload.seek(0)
    content = upload.read()
    label, content_type = TYPES[extension]
    if label in MAGIC and not content.startswith(MAGIC[label]):
        raise invalid(name, label)
    if label == CSV:
        try:
            content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise invalid(name, label) from exc
    if label in (JPEG, PNG):
        try:
            with Image.open(io.BytesIO(content)) as image:
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError) as exc:
            raise invalid(name, label) from exc
    return CheckedUpload(
        name=name,
        label=label,
        content=content,
        content_type=content_type,
        sha256=hashlib.sha256(content).hexdigest(),
    )


# --- CSV imports (the whole file refused before any row is read) -----------------------------------
CSV_NOT_CSV = gettext_lazy("Upload a .csv file.")
CSV_EMPTY = gettext_lazy("The file is empty.")
CSV_NOT_TEXT = gettext_lazy("The file is not UTF-8 text; save it from your spreadsheet as “CSV UTF-8”.")


def read_csv_text(upload, *, max_bytes: int, too_large) -> str:
    """The text of an uploaded ``.csv`` file (UTF-8, a byte-order mark dropped), or
    ``ValidationError`` (codes ``not_csv``, ``too_large`` with the caller's ``too_large`` message
    naming its limit, ``empty``, ``not_text``). The caller checks the header and the rows."""
    if Path(getattr(upload, "name", "") or "").suffix.lower() != ".csv":
        raise ValidationError(CSV_NOT_CSV, code="not_csv")
    if getattr(upload, "size", None) is not None and upload.size > max_bytes:
        raise ValidationError(too_large, code="too_large")
    raw = upload.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise ValidationError(too_large, code="too_large")
    if not raw.strip():
        raise ValidationError(CSV_EMPTY, code="empty")
    if b"\x00" in raw:
        raise ValidationError(CSV_NOT_TEXT, code="not_text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(CSV_NOT_TEXT, code="not_text") from exc

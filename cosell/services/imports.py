"""Bulk registration from CSV: at most 1,000 rows, every row checked, all or nothing.

Rows become drafts through ``create_registration`` inside one transaction; when any row is
refused, the errors of every row are returned and nothing is written.

From the console the file is checked (encoding, columns, row count) when it is uploaded and the
rows are imported by a task (``start_import`` → ``run_import``), which reports how many rows it
has checked through the cache while its transaction is open.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from catalog.models import ListingPage
from core.tasks import enqueue_on_commit
from cosell.models import DealRegistration, RegistrationImport
from cosell.services.registrations import create_registration
from partners.models import Industry, Region

MAX_ROWS = 1000
COLUMNS = (
    "customer_name",
    "customer_name_en",
    "customer_uscc",
    "customer_domain",
    "customer_region",
    "customer_industry",
    "customer_size",
    "contact_name",
    "contact_email",
    "contact_phone",
    "listings",
    "estimated_value",
    "currency",
    "expected_close",
    "stage",
    "notes",
)
REQUIRED_COLUMNS = ("contact_name", "listings", "estimated_value", "expected_close")
TOO_MANY_ROWS = gettext_lazy("The file has more than %(max)s rows.")
NOT_UTF8 = gettext_lazy("The file is not UTF-8 text.")
MISSING_COLUMNS = gettext_lazy("Missing columns: %(columns)s.")
EMPTY_FILE = gettext_lazy("The file has no rows.")
UNKNOWN_LISTING = gettext_lazy("Unknown listing: %(slug)s.")
UNKNOWN_REGION = gettext_lazy("Unknown region: %(code)s.")
UNKNOWN_INDUSTRY = gettext_lazy("Unknown industry: %(slug)s.")
BAD_NUMBER = gettext_lazy("Not an amount: %(value)s.")
BAD_DATE = gettext_lazy("Not a date (YYYY-MM-DD): %(value)s.")
PROGRESS_EVERY = 10  # rows between two progress reports
logger = logging.getLogger(__name__)


class ImportRefused(Exception):
    def __init__(self, errors: list[dict]):
        super().__init__(errors)
        self.errors = errors  # [{"line": n or None, "field": name, "message": text}]


def _read(content: bytes) -> list[dict]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRefused([{"line": None, "field": "", "message": str(NOT_UTF8)}]) from exc
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    if missing := [c for c in REQUIRED_COLUMNS if c not in header]:
        raise ImportRefused(
            [{"line": None, "field": "", "message": str(MISSING_COLUMNS % {"columns": ", ".join(missing)})}]
        )
    rows = []
    for row in reader:
        rows.append({(k or "").strip(): (v or "").strip() for k, v in row.items() if k})
        if len(rows) > MAX_ROWS:
            raise ImportRefused(
                [{"line": None, "field": "", "message": str(TOO_MANY_ROWS % {"max": MAX_ROWS})}]
            )
    if not rows:
        raise ImportRefused([{"line": None, "field": "", "message": str(EMPTY_FILE)}])
    return rows


def _row_data(row: dict, lookups: dict) -> tuple[dict, dict]:
    data, errors = {}, {}
    for column in COLUMNS:
        if column in row and column not in ("listings", "customer_region", "customer_industry"):
            data[column] = row[column]
    slugs = [s.strip() for s in row.get("listings", "").replace("|", ";").split(";") if s.strip()]
    data["listings"] = []
    for slug in slugs:
        page = lookups["listings"].get(slug)
        if page is None:
            errors.setdefault("listings", []).append(str(UNKNOWN_LISTING % {"slug": slug}))
        else:
            data["listings"].append(page)
    for column, key, message in (
        ("customer_region", "regions", UNKNOWN_REGION % {"code": row.get("customer_region", "")}),
        ("customer_industry", "industries", UNKNOWN_INDUSTRY % {"slug": row.get("customer_industry", "")}),
    ):
        value = row.get(column, "")
        data[column] = lookups[key].get(value) if value else None
        if value and data[column] is None:
            errors.setdefault(column, []).append(str(message))
    try:
        data["estimated_value"] = Decimal(row.get("estimated_value", "").replace(",", ""))
    except InvalidOperation:
        errors.setdefault("estimated_value", []).append(
            str(BAD_NUMBER % {"value": row.get("estimated_value")})
        )
        data.pop("estimated_value")
    try:
        data["expected_close"] = date.fromisoformat(row.get("expected_close", ""))
    except ValueError:
        errors.setdefault("expected_close", []).append(str(BAD_DATE % {"value": row.get("expected_close")}))
        data.pop("expected_close")
    data["currency"] = (data.get("currency") or "CNY").upper()
    data["stage"] = (data.get("stage") or "prospect").lower()
    data["customer_size"] = (data.get("customer_size") or "").lower()
    return data, errors


def import_csv(
    *, partner, user, content: bytes, progress: Callable[[int], None] | None = None
) -> list[DealRegistration]:
    """Create one draft per row, or raise ``ImportRefused`` with every row's errors (nothing
    written). ``progress(rows_checked)`` is called every few rows and after the last."""
    rows = _read(content)
    slugs = {s.strip() for r in rows for s in r.get("listings", "").replace("|", ";").split(";") if s.strip()}
    lookups = {
        "listings": {p.slug: p for p in ListingPage.objects.live().filter(slug__in=slugs)},
        "regions": {r.code: r for r in Region.objects.all()},
        "industries": {i.slug: i for i in Industry.objects.all()},
    }
    errors, created = [], []
    with transaction.atomic():
        for line, row in enumerate(rows, start=2):
            data, row_errors = _row_data(row, lookups)
            if not row_errors:
                try:
                    with transaction.atomic():
                        created.append(create_registration(partner=partner, user=user, data=data))
                except ValidationError as exc:
                    row_errors = exc.message_dict
            for field, messages in row_errors.items():
                for message in messages:
                    errors.append({"line": line, "field": field, "message": message})
            done = line - 1
            if progress and (done % PROGRESS_EVERY == 0 or done == len(rows)):
                progress(done)
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise ImportRefused(errors)
    return created


# --- as a task, with progress --------------------------------------------------------------------
def _progress_key(job_id: int) -> str:
    return f"cosell:import:{job_id}:processed"


def start_import(*, partner, user, filename: str, content: bytes) -> RegistrationImport:
    """Check the file itself (UTF-8, columns, 1–1,000 rows: ``ImportRefused`` at once), store it
    as a job and enqueue the row import after commit."""
    rows = _read(content)
    job = RegistrationImport.objects.create(
        partner=partner,
        created_by=user,
        filename=Path(filename or "").name[:255],
        content=content.decode("utf-8-sig"),
        total=len(rows),
    )
    enqueue_on_commit("cosell.import_registrations", job.pk)  # by name: services never import tasks
    return job


def run_import(*, job_id: int) -> RegistrationImport:
    """The task's body: import every row or none; the outcome (count or every row's errors) is
    written on the job."""
    job = RegistrationImport.objects.select_related("partner", "created_by").get(pk=job_id)
    if job.is_finished:
        return job
    RegistrationImport.objects.filter(pk=job.pk).update(status=RegistrationImport.Status.RUNNING)
    key = _progress_key(job.pk)
    cache.set(key, 0, 3600)
    try:
        created = import_csv(
            partner=job.partner,
            user=job.created_by,
            content=job.content.encode("utf-8"),
            progress=lambda done: cache.set(key, done, 3600),
        )
    except ImportRefused as refused:
        outcome = {
            "status": RegistrationImport.Status.FAILED,
            "errors": refused.errors,
            "processed": job.total,
        }
    except Exception as exc:
        logger.exception("Deal registration import %s failed", job.pk)
        outcome = {"status": RegistrationImport.Status.FAILED, "message": str(exc)[:255]}
    else:
        outcome = {
            "status": RegistrationImport.Status.DONE,
            "created_count": len(created),
            "processed": job.total,
        }
    finally:
        cache.delete(key)
    RegistrationImport.objects.filter(pk=job.pk).update(finished_at=timezone.now(), **outcome)
    job.refresh_from_db()
    return job


def live(job: RegistrationImport) -> RegistrationImport:
    """The job with ``processed`` as the running task last reported it."""
    if job.status == RegistrationImport.Status.RUNNING:
        job.processed = min(job.total, cache.get(_progress_key(job.pk)) or 0)
    return job


EXPORT_HEADER = (*COLUMNS, "status", "protection_until", "submitted_at", "public_id")


def export_rows(registrations) -> list[list]:
    """Rows for ``core.exports.export_response`` (the same columns as the import, plus state)."""
    out = []
    for r in registrations:
        out.append(
            [
                r.customer_name,
                r.customer_name_en,
                r.customer_uscc,
                r.customer_domain,
                r.customer_region.code if r.customer_region else "",
                r.customer_industry.slug if r.customer_industry else "",
                r.customer_size,
                r.contact_name,
                r.contact_email,
                r.contact_phone,
                ";".join(p.slug for p in r.listings.all()),
                r.estimated_value,
                r.currency,
                r.expected_close.isoformat(),
                r.stage,
                r.notes,
                r.status,
                r.protection_until.isoformat() if r.protection_until else "",
                r.submitted_at.isoformat() if r.submitted_at else "",
                str(r.public_id),
            ]
        )
    return out

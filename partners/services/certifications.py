"""Certified people: CSV import, certified-people facts, expiry reminders.

CSV import contract: UTF-8 (a byte-order mark is fine), a header row naming the columns
``name,email,certification,issued_on[,expires_on]`` in any order (other columns are
ignored), ISO dates (``YYYY-MM-DD``), ``certification`` given by slug or by name (Chinese or
English). Each row is imported in its own savepoint, so a row is either fully imported or
not at all, and rows are keyed by (partner, email, certification): running the same file
twice updates, never duplicates. Bad rows are reported with their line number and reason.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DatabaseError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from core.emails import queue_mail
from core.tasks import enqueue_on_commit
from core.uploads import CSV_EMPTY, CSV_NOT_CSV, CSV_NOT_TEXT, read_csv_text
from partners.models import (
    Certification,
    CertificationReminder,
    CertifiedPerson,
    ImportJob,
    MetricSlug,
    Partner,
    ProgrammeSettings,
)
from partners.models.certifications import add_months
from partners.selectors.programme import default_as_of, month_end, month_start, shift_months
from partners.services.facts import FactRow, report_facts
from partners.services.programme import console_url, owner_emails, render_bilingual

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
REQUIRED_COLUMNS = ("name", "email", "certification", "issued_on")
OPTIONAL_COLUMNS = ("expires_on",)
PROGRESS_EVERY = 50

# File-level messages (the whole upload is refused, nothing is imported)
FILE_NOT_CSV, FILE_EMPTY, FILE_NOT_TEXT = CSV_NOT_CSV, CSV_EMPTY, CSV_NOT_TEXT  # core.uploads
FILE_TOO_LARGE = _("The file is larger than 2 MB; split it into smaller files.")
FILE_MISSING_COLUMNS = _("The header row lacks the column(s): %(columns)s.")
FILE_NO_ROWS = _("The file has a header but no rows.")

# Row-level reasons (stored in the job's report; English msgids, translated when shown)
ROW_MISSING = gettext_noop("missing field: %(field)s")
ROW_BAD_EMAIL = gettext_noop("bad email: %(value)s")
ROW_BAD_DATE = gettext_noop("bad date in %(field)s: %(value)s (use YYYY-MM-DD)")
ROW_UNKNOWN_CERTIFICATION = gettext_noop("unknown certification: %(value)s")
ROW_WRONG_KIND = gettext_noop("certification %(value)s does not apply to this kind of partner")
ROW_EXPIRES_BEFORE_ISSUED = gettext_noop("expires_on is before issued_on")
ROW_TOO_LONG = gettext_noop("%(field)s is longer than %(max)s characters")
ROW_NOT_SAVED = gettext_noop("could not be saved: %(error)s")
#: Each row-level reason's stable code (the partner API's per-row results).
ROW_CODES = {
    ROW_MISSING: "missing_field",
    ROW_BAD_EMAIL: "invalid_email",
    ROW_BAD_DATE: "invalid_date",
    ROW_UNKNOWN_CERTIFICATION: "unknown_certification",
    ROW_WRONG_KIND: "certification_not_for_partner_kind",
    ROW_EXPIRES_BEFORE_ISSUED: "expires_before_issued",
    ROW_TOO_LONG: "too_long",
    ROW_NOT_SAVED: "not_saved",
}


class RowError(Exception):
    def __init__(self, message: str, **params):
        super().__init__(message % params if params else message)
        self.message, self.params = message, params


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[dict] = field(default_factory=list)  # {"line", "reason", "params"}

    @property
    def imported(self) -> int:
        return self.created + self.updated


# --- upload validation ----------------------------------------------------------------------------
def read_upload(upload) -> str:
    """Validate an uploaded file (type, size, encoding, header) and return its text."""
    text = read_csv_text(upload, max_bytes=MAX_UPLOAD_BYTES, too_large=FILE_TOO_LARGE)
    header = _header(text)
    if missing := [c for c in REQUIRED_COLUMNS if c not in header]:
        raise ValidationError(FILE_MISSING_COLUMNS, code="columns", params={"columns": ", ".join(missing)})
    if _count_rows(text) < 1:
        raise ValidationError(FILE_NO_ROWS, code="no_rows")
    return text


def _header(text: str) -> list[str]:
    first = next(csv.reader(io.StringIO(text)), [])
    return [c.strip().lower().lstrip("\ufeff") for c in first]


@transaction.atomic
def create_import_job(*, partner: Partner, user, upload) -> ImportJob:
    """Validate the upload, store it as a job and enqueue the import after commit."""
    text = read_upload(upload)
    job = ImportJob.objects.create(
        partner=partner,
        created_by=user,
        filename=Path(upload.name).name[:255],
        content=text,
        total_rows=_count_rows(text),
    )
    enqueue_on_commit("partners.import_certified_people", job.pk)
    return job


def _count_rows(text: str) -> int:
    return sum(1 for row in csv.reader(io.StringIO(text)) if any(c.strip() for c in row)) - 1


# --- the import -----------------------------------------------------------------------------------
def run_import_job(*, job_id: int) -> ImportJob:
    job = ImportJob.objects.select_related("partner").get(pk=job_id)
    if job.is_finished:
        return job
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, started_at=timezone.now())

    def progress(done: int, report: ImportReport) -> None:
        ImportJob.objects.filter(pk=job.pk).update(
            processed_rows=done, created_count=report.created, updated_count=report.updated
        )

    try:
        report = import_certified_people(partner=job.partner, text=job.content, progress=progress)
    except Exception as exc:
        logger.exception("Certification import %s failed", job.pk)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, finished_at=timezone.now(), message=str(exc)[:255]
        )
        raise
    job.refresh_from_db()
    job.status, job.finished_at = ImportJob.Status.DONE, timezone.now()
    job.processed_rows = job.total_rows
    job.created_count, job.updated_count, job.errors = report.created, report.updated, report.errors
    job.save(
        update_fields=["status", "finished_at", "processed_rows", "created_count", "updated_count", "errors"]
    )
    return job


class _Catalogue:
    """Certifications looked up by slug or name, case-insensitively; loaded once per import."""

    def __init__(self):
        self.by_key: dict[str, Certification] = {}
        for cert in Certification.objects.all():
            for key in (cert.slug, cert.name, cert.name_en):
                if key:
                    self.by_key.setdefault(key.strip().casefold(), cert)

    def get(self, value: str) -> Certification | None:
        return self.by_key.get(value.strip().casefold())


def _parse_date(value: str, field_name: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise RowError(ROW_BAD_DATE, field=field_name, value=value) from exc


def _clean_row(row: dict[str, str], partner: Partner, catalogue: _Catalogue) -> dict:
    for name in REQUIRED_COLUMNS:
        if not (row.get(name) or "").strip():
            raise RowError(ROW_MISSING, field=name)
    name = row["name"].strip()
    if len(name) > 120:
        raise RowError(ROW_TOO_LONG, field="name", max=120)
    email = row["email"].strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise RowError(ROW_BAD_EMAIL, value=row["email"].strip()) from exc
    certification = catalogue.get(row["certification"])
    if certification is None:
        raise RowError(ROW_UNKNOWN_CERTIFICATION, value=row["certification"].strip())
    if not certification.applies_to(partner.kind):
        raise RowError(ROW_WRONG_KIND, value=certification.slug)
    issued_on = _parse_date(row["issued_on"], "issued_on")
    expires_raw = (row.get("expires_on") or "").strip()
    expires_on = (
        _parse_date(expires_raw, "expires_on")
        if expires_raw
        else add_months(issued_on, certification.validity_months)
    )
    if expires_on < issued_on:
        raise RowError(ROW_EXPIRES_BEFORE_ISSUED)
    return {
        "name": name,
        "email": email,
        "certification": certification,
        "issued_on": issued_on,
        "expires_on": expires_on,
    }


def _save_row(partner: Partner, data: dict) -> tuple[CertifiedPerson, bool]:
    """Upsert one person on the (partner, email, certification) key; (person, True when created)."""
    return CertifiedPerson.objects.update_or_create(
        partner=partner,
        email=data["email"],
        certification=data["certification"],
        defaults={"name": data["name"], "issued_on": data["issued_on"], "expires_on": data["expires_on"]},
    )


def _import_one(partner: Partner, row: dict, catalogue: _Catalogue, report: ImportReport, **where) -> dict:
    """Clean and upsert one row in its own savepoint; the outcome is added to ``report`` and
    returned (``{"status": "created" | "updated" | "error", ...}``; an error names its reason)."""
    try:
        data = _clean_row(row, partner, catalogue)
        with transaction.atomic():
            person, created = _save_row(partner, data)
    except RowError as exc:
        error = {**where, "reason": exc.message, "params": exc.params}
    except (DatabaseError, ValidationError) as exc:
        error = {**where, "reason": ROW_NOT_SAVED, "params": {"error": str(exc)[:200]}}
    else:
        report.created += created
        report.updated += not created
        return {"status": "created" if created else "updated", "person": person}
    report.errors.append(error)
    return {"status": "error", **error}


def import_rows(*, partner: Partner, rows: list[dict]) -> tuple[ImportReport, list[dict]]:
    """The CSV import for rows given as objects with the CSV's columns (the partner API): the same
    cleaning, upsert key, savepoint per row and facts. Returns the report and one result per row
    (``index`` counts from 0)."""
    report = ImportReport()
    catalogue = _Catalogue()
    results = [
        {"index": index, **_import_one(partner, row, catalogue, report, index=index)}
        for index, row in enumerate(rows)
    ]
    if report.imported:
        report_certified_people(partners=Partner.objects.filter(pk=partner.pk))
    return report, results


def import_certified_people(*, partner: Partner, text: str, progress=None) -> ImportReport:
    """Import CSV text for one partner; every row in its own savepoint."""
    report = ImportReport()
    catalogue = _Catalogue()
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = [c.strip().lower() for c in next(reader, [])]
    done = 0
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        _import_one(partner, dict(zip(header, cells, strict=False)), catalogue, report, line=line)
        done += 1
        if progress and done % PROGRESS_EVERY == 0:
            progress(done, report)
    if report.imported:
        report_certified_people(partners=Partner.objects.filter(pk=partner.pk))
    return report


# --- facts ----------------------------------------------------------------------------------------
def report_certified_people(*, month: date | None = None, partners=None) -> int:
    """Report each partner's number of people certified at the end of ``month`` (default: the
    current month). Expired certifications (``expires_on`` on or before month end) and ones
    issued later do not count. Partners with no certified people at all get no fact."""
    month = month_start(month or timezone.localdate())
    last_day = month_end(month)
    people = CertifiedPerson.objects.all()
    if partners is not None:
        people = people.filter(partner_id__in=partners.values("pk"))
    counts = (
        people.order_by()
        .values("partner_id")
        .annotate(valid=Count("pk", filter=Q(issued_on__lte=last_day, expires_on__gt=last_day)))
        .values_list("partner_id", "valid")
    )
    rows = [FactRow(pid, MetricSlug.CERTIFIED_PEOPLE, month, n) for pid, n in counts]
    return report_facts(source="partners", rows=rows)


def report_certified_people_recent(*, today: date | None = None) -> int:
    """The daily task: this month so far and the month just ended (final after it ends)."""
    today = today or timezone.localdate()
    previous = default_as_of(today)
    return report_certified_people(month=previous) + report_certified_people(month=today)


def certified_people_history(*, months: int, until: date, partners=None) -> int:
    """Back-fill ``months`` months of certified-people facts ending with ``until``'s month."""
    last = month_start(until)
    return sum(
        report_certified_people(month=shift_months(last, -i), partners=partners) for i in range(months)
    )


# --- reminders ------------------------------------------------------------------------------------
def send_certification_reminders(*, today: date | None = None, within_days: int | None = None) -> int:
    """Email each partner's owners about certifications expiring within ``within_days`` (setting,
    default 30) that were not reminded of yet; one reminder per person and expiry date.
    Returns the number of people reminded."""
    today = today or timezone.localdate()
    if within_days is None:
        within_days = ProgrammeSettings.load().certification_reminder_days
    already = CertificationReminder.objects.filter(person=OuterRef("pk"), expires_on=OuterRef("expires_on"))
    due = list(
        CertifiedPerson.objects.filter(
            expires_on__gt=today, expires_on__lte=today + timedelta(days=within_days)
        )
        .exclude(Exists(already))
        .select_related("certification", "partner__organisation")
        .order_by("partner_id", "expires_on", "name")
    )
    if not due:
        return 0
    by_partner: dict[int, list[CertifiedPerson]] = {}
    for person in due:
        by_partner.setdefault(person.partner_id, []).append(person)
    recipients = owner_emails(list(by_partner))
    reminded = 0
    for partner_id, people in by_partner.items():
        emails = recipients.get(partner_id, [])
        if not emails:
            continue
        with transaction.atomic():
            CertificationReminder.objects.bulk_create(
                [CertificationReminder(person=p, expires_on=p.expires_on, recipients=emails) for p in people],
                ignore_conflicts=True,
            )
            subject, body = render_bilingual(
                "partners/programme/emails/certification_reminder",
                {
                    "partner": people[0].partner,
                    "people": people,
                    "days": within_days,
                    "console_url": console_url(),
                },
            )
            queue_mail(subject, body, emails)  # retried while SMTP is down
        reminded += len(people)
    return reminded

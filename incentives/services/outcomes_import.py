"""CSV import of delivery outcomes by staff: one row per partner and month with its counts.

Columns ``partner`` (organisation slug), ``month`` (YYYY-MM), ``successful`` and ``failed``
(whole numbers). At most 1,000 rows. Every row is checked first; a single bad row refuses the
whole file (nothing written), otherwise all rows are written in one transaction. A row replaces
what an earlier import entered for that partner and month (so a corrected file can be re-run);
outcomes entered one by one are kept.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.uploads import CSV_EMPTY, CSV_NOT_CSV, CSV_NOT_TEXT, read_csv_text
from incentives.models import DeliveryOutcome
from partners.models import Partner

MAX_ROWS = 1000
MAX_UPLOAD_BYTES = 512 * 1024
MAX_COUNT = 500  # outcomes of one partner in one month
COLUMNS = ("partner", "month", "successful", "failed")
IMPORTED_NOTE = "csv-import"
IMPORTED_PROJECT = "Imported delivery outcomes"

FILE_NOT_CSV, FILE_EMPTY, FILE_NOT_TEXT = CSV_NOT_CSV, CSV_EMPTY, CSV_NOT_TEXT
FILE_TOO_LARGE = _("The file is larger than 512 KB; split it into smaller files.")
FILE_MISSING_COLUMNS = _("The header row lacks the column(s): %(columns)s.")
FILE_NO_ROWS = _("The file has a header but no rows.")
FILE_TOO_MANY_ROWS = _("The file has more than %(max)s rows; split it into smaller files.")


@dataclass
class OutcomeImport:
    rows: list[dict] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, message)
    written: int = 0


def _read(upload) -> list[dict[str, str]]:
    text = read_csv_text(upload, max_bytes=MAX_UPLOAD_BYTES, too_large=FILE_TOO_LARGE)
    reader = csv.reader(io.StringIO(text))
    header = [c.strip().lower() for c in next(reader, [])]
    if missing := [c for c in COLUMNS if c not in header]:
        raise ValidationError(FILE_MISSING_COLUMNS, code="columns", params={"columns": ", ".join(missing)})
    rows = []
    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(rows) >= MAX_ROWS:
            raise ValidationError(FILE_TOO_MANY_ROWS, code="too_many", params={"max": MAX_ROWS})
        padded = values + [""] * len(header)
        rows.append({"line": line, **{h: padded[i].strip() for i, h in enumerate(header)}})
    if not rows:
        raise ValidationError(FILE_NO_ROWS, code="no_rows")
    return rows


def _count(value: str, column: str) -> int:
    if not value.isdigit() or int(value) > MAX_COUNT:
        raise ValueError(
            _("%(column)s must be a whole number from 0 to %(max)s, not “%(value)s”.")
            % {"column": column, "max": MAX_COUNT, "value": value}
        )
    return int(value)


def check(upload) -> OutcomeImport:
    """Parse and check the file (file-level problems raise ValidationError)."""
    result = OutcomeImport()
    rows = _read(upload)
    slugs = {r["partner"] for r in rows}
    partners = {
        p.organisation.slug: p
        for p in Partner.objects.filter(organisation__slug__in=slugs).select_related("organisation")
    }
    seen = set()
    for row in rows:
        try:
            partner = partners.get(row["partner"])
            if partner is None:
                raise ValueError(_("No partner has the slug “%(slug)s”.") % {"slug": row["partner"]})
            try:
                year, month = (int(part) for part in row["month"].split("-"))
                first = date(year, month, 1)
            except ValueError:
                raise ValueError(
                    _("The month “%(value)s” is not a month (use YYYY-MM).") % {"value": row["month"]}
                ) from None
            successful, failed = _count(row["successful"], "successful"), _count(row["failed"], "failed")
            if (partner.pk, first) in seen:
                raise ValueError(_("This partner and month appear twice in the file."))
            seen.add((partner.pk, first))
            result.rows.append(
                {"partner": partner, "month": first, "successful": successful, "failed": failed}
            )
        except ValueError as error:
            result.errors.append((row["line"], str(error)))
    return result


@transaction.atomic
def import_outcomes(upload) -> OutcomeImport:
    """Check the file and, when every row is valid, write all of it (else write nothing)."""
    result = check(upload)
    if result.errors:
        return result
    for row in result.rows:
        month = row["month"]
        following = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
        DeliveryOutcome.objects.filter(
            partner=row["partner"], note=IMPORTED_NOTE, accepted_on__gte=month, accepted_on__lt=following
        ).delete()
        outcomes = [
            DeliveryOutcome(
                partner=row["partner"],
                project=f"{IMPORTED_PROJECT} {month:%Y-%m} #{n + 1}",
                accepted_on=month,
                successful=n < row["successful"],
                note=IMPORTED_NOTE,
            )
            for n in range(row["successful"] + row["failed"])
        ]
        DeliveryOutcome.objects.bulk_create(outcomes)
        result.written += len(outcomes)
    return result

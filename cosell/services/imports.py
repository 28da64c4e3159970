"""Bulk registration from CSV: at most 1,000 rows, every row checked, all or nothing.

Rows become drafts through ``create_registration`` inside one transaction; when any row is
refused, the errors of every row are returned and nothing is written.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy

from catalog.models import ListingPage
from cosell.models import DealRegistration
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


def import_csv(*, partner, user, content: bytes) -> list[DealRegistration]:
    """Create one draft per row, or raise ``ImportRefused`` with every row's errors (nothing written)."""
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
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise ImportRefused(errors)
    return created


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

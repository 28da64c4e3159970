"""One home for CSV and XLSX exports, with formula injection neutralised.

A spreadsheet treats a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
as a formula (OWASP "CSV injection"). Every export in Symbio writes its cells through
:func:`safe_cell`, which prefixes such text with an apostrophe. Numbers stay numbers.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value):
    """Text that a spreadsheet would read as a formula gets a leading apostrophe; other values pass."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def safe_row(row: Iterable) -> list:
    return [safe_cell(value) for value in row]


def csv_bytes(header: Sequence, rows: Iterable[Sequence]) -> bytes:
    """UTF-8 with a BOM, so that Excel opens Chinese text correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(safe_row(header))
    for row in rows:
        writer.writerow(safe_row(row))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(header: Sequence, rows: Iterable[Sequence], *, title: str = "Export") -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Export")
    sheet.append(safe_row(header))
    for row in rows:
        sheet.append(safe_row(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_workbook_bytes(sheets: Iterable[tuple[str, Sequence, Iterable[Sequence]]]) -> bytes:
    """Several tables, one sheet each: ``(title, header, rows)``; titles cleaned and made unique."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    used: set[str] = set()
    for title, header, rows in sheets:
        name = "".join(ch for ch in str(title) if ch not in "[]:*?/\\")[:31] or "Sheet"
        while name in used:
            name = name[:28] + f"_{len(used)}"
        used.add(name)
        sheet = workbook.create_sheet(title=name)
        sheet.append(safe_row(header))
        for row in rows:
            sheet.append([None if value is None else safe_cell(value) for value in row])  # blank stays blank
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(content: bytes, *, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def export_response(header: Sequence, rows: Iterable[Sequence], *, filename: str, fmt: str = "csv"):
    """An attachment response; ``fmt`` is ``csv`` or ``xlsx``; ``filename`` has no extension."""
    if fmt == "xlsx":
        response = HttpResponse(xlsx_bytes(header, rows), content_type=XLSX_TYPE)
    else:
        fmt = "csv"
        response = HttpResponse(csv_bytes(header, rows), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response

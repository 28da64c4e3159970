"""Every CSV/XLSX export goes through core.exports (formula injection neutralised in one place).

The guard reads the project's source: a module that writes CSV or XLSX itself fails until it uses
``core.exports.export_response`` / ``safe_cell``. The partners health modules are listed while
they move into their own app (that move switches them to core.exports).
"""

import re
from pathlib import Path

from core.exports import csv_bytes, export_response, xlsx_bytes

REPO = Path(__file__).resolve().parents[3]
OWN_WRITERS = re.compile(r"csv\.writer|csv\.DictWriter|openpyxl|spreadsheetml|content_type=\"text/csv")
SKIP_DIRS = {".venv", "tests", "node_modules", "migrations", "benchmarks", "scripts", ".git", "var", "static"}
ALLOWED = {
    "core/exports.py",
    "core/uploads.py",  # likewise: the upload checks' content types
}


def project_modules():
    for path in REPO.rglob("*.py"):
        relative = path.relative_to(REPO)
        if SKIP_DIRS & set(relative.parts):
            continue
        yield relative.as_posix(), path


def test_no_module_writes_csv_or_xlsx_outside_core_exports():
    offenders = [
        name
        for name, path in project_modules()
        if name not in ALLOWED and OWN_WRITERS.search(path.read_text("utf-8"))
    ]
    assert offenders == []


def test_the_one_helper_neutralises_formulas_in_both_formats():
    import io

    from openpyxl import load_workbook

    row = ['=HYPERLINK("https://evil.example","x")', "+1", "-2", "@SUM(A1)", "\tx", "\rx", 42]
    text = csv_bytes(["name"] * 7, [row]).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and ",=" not in text and "\n=" not in text
    cells = [
        c.value
        for c in next(load_workbook(io.BytesIO(xlsx_bytes(["h"] * 7, [row]))).active.iter_rows(min_row=2))
    ]
    assert cells[:5] == ["'" + v for v in row[:5]] and cells[5].startswith("'") and cells[6] == 42
    response = export_response(["h"], [["=1+1"]], filename="x", fmt="xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="x.xlsx"'

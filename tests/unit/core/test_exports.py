"""core.exports: formula-like cells are neutralised in CSV and XLSX; numbers stay numbers."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from core.exports import csv_bytes, safe_cell, xlsx_bytes

DANGEROUS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_formula_text_gets_an_apostrophe(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", [42, Decimal("-3.50"), -1.5, "蓝鲸科技", "a=b", ""])
def test_other_values_pass_unchanged(value):
    assert safe_cell(value) == value


def test_none_becomes_empty():
    assert safe_cell(None) == ""


def test_csv_has_bom_and_neutralised_cells():
    data = csv_bytes(["name", "amount"], [["=1+1", Decimal("-5.00")]]).decode("utf-8")
    assert data.startswith("\ufeff")
    assert "'=1+1" in data
    assert ",-5.00" in data  # a negative number is a number, not text


def test_xlsx_cells_are_text_not_formulas():
    workbook = load_workbook(io.BytesIO(xlsx_bytes(["name", "n"], [['=HYPERLINK("x")', 3]])))
    sheet = workbook.active
    assert sheet["A2"].value == '\'=HYPERLINK("x")'
    assert sheet["A2"].data_type == "s"
    assert sheet["B2"].value == 3

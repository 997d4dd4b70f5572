"""Spreadsheet safety: text never turns into a formula, and only plain, reasonably sized workbooks are opened."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from civicplan.lib.spreadsheets import (
    MAX_XLSX_BYTES,
    MAX_XLSX_ENTRIES,
    UnsafeWorkbook,
    check_xlsx_bytes,
    safe_cell,
    unsafe_cell,
)

TRIGGERS = ["=", "+", "-", "@", "\t", "\r", "\n"]


def a_workbook() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["code", "title"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def a_zip(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_it_quotes_text_starting_with_each_formula_trigger(trigger):
    text = f"{trigger}SUM(A1:A9)"

    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_it_gives_back_quoted_text_unchanged(trigger):
    text = f"{trigger}cmd|' /C calc'!A0"

    assert unsafe_cell(safe_cell(text)) == text


@pytest.mark.parametrize(
    "text",
    ["Safer streets", "Año 2025 🌎", "1.2.3", "a=b", "x - y", "", "'", "'plain", "''", "'=x", "''=x", "'\n"],
)
def test_it_round_trips_any_text(text):
    assert unsafe_cell(safe_cell(text)) == text


def test_it_leaves_harmless_text_alone():
    assert safe_cell("Safer streets") == "Safer streets"
    assert safe_cell("a=b") == "a=b"
    assert safe_cell("") == ""
    assert unsafe_cell("'plain apostrophe") == "'plain apostrophe"


def test_it_quotes_text_that_already_starts_with_an_apostrophe():
    assert safe_cell("'=x") == "''=x"
    assert unsafe_cell("''=x") == "'=x"


@pytest.mark.parametrize("value", [-5, 0, 40, 37.5, -0.5, Decimal("-1.5"), True, None, dt.date(2025, 7, 1)])
def test_it_leaves_numbers_dates_and_empty_cells_untouched(value):
    assert safe_cell(value) is value
    assert unsafe_cell(value) is value


def test_it_accepts_a_real_workbook():
    check_xlsx_bytes(a_workbook())


def test_it_refuses_what_is_not_a_zip():
    with pytest.raises(UnsafeWorkbook, match=r"not an Excel workbook \(\.xlsx\)"):
        check_xlsx_bytes(b"<html><body>plan</body></html>")


def test_it_refuses_a_damaged_zip():
    data = a_workbook()

    with pytest.raises(UnsafeWorkbook, match="damaged"):
        check_xlsx_bytes(data[: len(data) // 3])


def test_it_refuses_a_zip_that_is_not_a_workbook():
    with pytest.raises(UnsafeWorkbook, match="zip archive but not an Excel workbook"):
        check_xlsx_bytes(a_zip({"word/document.xml": b"<w/>", "[Content_Types].xml": b"<Types/>"}))


def test_it_refuses_a_zip_bomb():
    bomb = a_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": bytes(10 * 1024 * 1024)})

    with pytest.raises(UnsafeWorkbook, match="expands to far more data"):
        check_xlsx_bytes(bomb)


def test_it_refuses_too_many_entries():
    entries = {"[Content_Types].xml": b"<Types/>"} | {
        f"xl/part{n}.xml": b"<x/>" for n in range(MAX_XLSX_ENTRIES)
    }

    with pytest.raises(UnsafeWorkbook, match=rf"too many parts \({MAX_XLSX_ENTRIES + 1}\)"):
        check_xlsx_bytes(a_zip(entries, zipfile.ZIP_STORED))


def test_it_refuses_an_oversize_file():
    with pytest.raises(UnsafeWorkbook, match="larger than 20 MB"):
        check_xlsx_bytes(b"PK\x03\x04" + bytes(MAX_XLSX_BYTES))

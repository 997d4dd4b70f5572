"""Spreadsheet safety: cells that cannot turn into formulas, workbooks checked before opening, and the
text and sheet readers every importer shares (plan files, measurement files)."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from django.utils.translation import gettext as _

# Excel treats a cell starting with these as a formula, even in CSV; quoting alone does not stop it.
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")

MAX_XLSX_BYTES = 20 * 1024 * 1024
MAX_XLSX_ENTRIES = 1000
MAX_XLSX_UNPACKED_BYTES = 50 * 1024 * 1024  # keeps a hostile 20 MB workbook well under 256 MB of memory
MAX_COMPRESSION_RATIO = 200


class UnsafeWorkbook(ValueError):
    """The file is not a workbook we are willing to open; the message is for the person who sent it."""


def safe_cell(value: Any) -> Any:
    """Text that Excel would run as a formula gets a leading apostrophe; numbers and dates stay as they are.

    Text that already starts with an apostrophe gets one more, so that `unsafe_cell` can always undo this
    (otherwise a title such as `'=x'` would come back as `=x'`)."""
    if isinstance(value, str) and value.startswith((*_FORMULA_TRIGGERS, "'")):
        return "'" + value
    return value


def xlsx_cell(value: Any) -> Any:
    """A value for an openpyxl cell: formula-safe (`safe_cell`), and without the control characters XML cannot
    hold (the vertical tab Word pastes for a line break), which would make openpyxl refuse the whole workbook."""
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return safe_cell(value)


def unsafe_cell(value: Any) -> Any:
    """The inverse of `safe_cell`, for reading back what we exported."""
    if (
        isinstance(value, str)
        and len(value) > 1
        and value[0] == "'"
        and value[1:].startswith((*_FORMULA_TRIGGERS, "'"))
    ):
        return value[1:]
    return value


def check_xlsx_bytes(data: bytes) -> None:
    """Refuse what is not a plain, reasonably sized .xlsx before any XML parser sees it."""
    if len(data) > MAX_XLSX_BYTES:
        raise UnsafeWorkbook(f"The file is larger than {MAX_XLSX_BYTES // (1024 * 1024)} MB.")
    if not data.startswith(b"PK\x03\x04"):
        raise UnsafeWorkbook("The file is not an Excel workbook (.xlsx). Save it as .xlsx and try again.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise UnsafeWorkbook("The file is damaged: it is not a readable Excel workbook.") from None
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_XLSX_ENTRIES:
            raise UnsafeWorkbook(
                f"The workbook has too many parts ({len(entries)}); it is not a normal spreadsheet."
            )
        unpacked = sum(entry.file_size for entry in entries)
        packed = max(1, sum(entry.compress_size for entry in entries))
        if unpacked > MAX_XLSX_UNPACKED_BYTES or unpacked / packed > MAX_COMPRESSION_RATIO:
            raise UnsafeWorkbook(
                "The workbook expands to far more data than it holds; it was refused as unsafe."
            )
        names = {entry.filename for entry in entries}
        if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
            raise UnsafeWorkbook("The file is a zip archive but not an Excel workbook (.xlsx).")


class UnreadableFile(ValueError):
    """The file cannot be read as text or as a sheet; the message is for the person who sent it."""


class TooManyRows(UnreadableFile):
    """A sheet has more rows than the caller allows (each caller words its own message)."""


def decode_text(data: bytes) -> str:
    """UTF-8 text, with or without a byte-order mark. NUL bytes mean a binary file, whatever its name."""
    if b"\x00" in data:
        raise UnreadableFile(_("The file contains NUL bytes: it is not a text file."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableFile(
            _("The file is not valid UTF-8 text (byte %(pos)s). Save it as UTF-8 and try again.")
            % {"pos": error.start}
        ) from None


def open_workbook(data: bytes) -> Any:
    """A read-only openpyxl workbook of values (not formulas), after `check_xlsx_bytes`. Raises UnsafeWorkbook or
    UnreadableFile. The caller closes it. Read-only sheets are parsed row by row: broken XML further in shows up
    only while iterating, so callers also catch errors there."""
    check_xlsx_bytes(data)
    import openpyxl  # defusedxml is installed, so openpyxl parses with it

    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # any parser failure means the same thing to the person
        raise UnreadableFile(
            _("The workbook could not be read; it may be damaged or not an .xlsx file.")
        ) from None


def sheet_records(
    sheet: Any, *, max_rows: int, max_columns: int
) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """The header (lower-cased names) and the rows below it as (row number, {name: value}), row 1 being the
    header. Empty rows are skipped, text is stripped, and what `safe_cell` protected is read back.

    The sheet's own <dimension> is not trusted: "A1:XFD1048576" would pad every row to 16,384 cells and a lone
    cell in row 1,048,576 would make a million rows. Only `max_columns` columns, and at most `max_rows` rows
    (TooManyRows past that)."""
    sheet.reset_dimensions()
    rows = sheet.iter_rows(values_only=True, max_col=max_columns)
    header = next(rows, None)
    if not header:
        return [], []
    names = [str(cell).strip().lower() if cell is not None else "" for cell in header]
    result = []
    for number, values in enumerate(rows, start=2):
        if number > max_rows:
            raise TooManyRows(_("The sheet has more than %(count)s rows.") % {"count": max_rows})
        if values is None or all(v in (None, "") for v in values):
            continue
        record = {}
        for name, value in zip(names, values, strict=False):
            if name:
                value = unsafe_cell(value)
                record[name] = value.strip() if isinstance(value, str) else value
        result.append((number, record))
    return names, result

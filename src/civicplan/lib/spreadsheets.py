"""Spreadsheet safety: cells that cannot turn into formulas, and workbooks checked before opening."""

from __future__ import annotations

import io
import zipfile
from typing import Any

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

"""Measurement files in (docs/formats/measurements.md): CSV or XLSX bytes -> rows with typed cells, and the row
errors found on the way. Pure: no database. What needs the plan (indicator keys, periods, permissions, values
already stored) is checked by `performance.services.imports`."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from civicplan.lib.numbers import parse_number
from civicplan.lib.spreadsheets import (
    TooManyRows,
    UnreadableFile,
    UnsafeWorkbook,
    decode_text,
    open_workbook,
    sheet_records,
    unsafe_cell,
)

REQUIRED_COLUMNS = ("indicator", "period", "value")
OPTIONAL_COLUMNS = ("note", "verified")
COLUMNS = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
BREAKDOWN_PREFIX = "breakdown:"
MAX_ROWS = 250_000  # 1,500 indicators x 60 months is 90,000; a few years of a metro's values in one file
MAX_COLUMNS = 64
MAX_NOTE = 2000
# Measurement.value: 20 digits, 6 of them decimals.
TRUE_WORDS = {"yes", "y", "true", "1", "sí", "si", "x", "verified"}
FALSE_WORDS = {"no", "n", "false", "0", ""}


@dataclass(frozen=True)
class RowError:
    """A problem in one row (row numbers as the spreadsheet shows them: the header is row 1), or in the whole
    file (row None)."""

    row: int | None
    message: str


@dataclass
class Row:
    number: int
    indicator: str
    period: Any  # text, or a date from a workbook cell: read against the indicator's frequency later
    value: Decimal
    note: str = ""
    verified: bool = False
    breakdown: dict[str, Decimal] = field(default_factory=dict)


@dataclass
class ParsedFile:
    rows: list[Row]
    errors: list[RowError]
    breakdown_columns: list[str]


class MeasurementFileInvalid(Exception):
    """The file as a whole cannot be read (format, size, header); `errors` says why in plain words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.errors = [RowError(None, message)]


def read_measurement_file(filename: str, data: bytes, *, max_rows: int = MAX_ROWS) -> ParsedFile:
    """Read a CSV or XLSX measurement file. File-level problems raise MeasurementFileInvalid; each row's own
    problems are collected in `errors` (a row with a problem is left out of `rows`)."""
    if len(data) > settings.IMPORT_MAX_BYTES:
        raise MeasurementFileInvalid(
            _("The file is too large (%(size)s MB; the limit is %(limit)s MB).")
            % {
                "size": format(len(data) / 1048576, ".3g"),
                "limit": format(settings.IMPORT_MAX_BYTES / 1048576, ".3g"),
            }
        )
    if not data.strip():
        raise MeasurementFileInvalid(_("The file is empty."))
    name = filename.lower()
    if name.endswith(".xls"):
        raise MeasurementFileInvalid(
            _("Old .xls workbooks are not supported: save the file as .xlsx or .csv and try again.")
        )
    try:
        if name.endswith(".xlsx") or data.startswith(b"PK\x03\x04"):
            header, records = _xlsx_records(data, max_rows)
        else:
            header, records = _csv_records(data, max_rows)
    except TooManyRows:
        raise MeasurementFileInvalid(
            _("The file has more than %(count)s rows; split it into smaller files.") % {"count": max_rows}
        ) from None
    except (UnsafeWorkbook, UnreadableFile) as error:
        raise MeasurementFileInvalid(str(error)) from None
    breakdown_columns = _check_header(header)
    rows: list[Row] = []
    errors: list[RowError] = []
    for number, record in records:
        row = _row(number, record, breakdown_columns, errors)
        if row is not None:
            rows.append(row)
    if not rows and not errors:
        raise MeasurementFileInvalid(_("The file has a header but no values."))
    return ParsedFile(rows, errors, breakdown_columns)


# --- Reading the two formats ---------------------------------------------------------------------------------


def _xlsx_records(data: bytes, max_rows: int) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    workbook = open_workbook(data)
    try:
        if not workbook.sheetnames:
            raise UnreadableFile(_("The workbook has no sheets."))
        return sheet_records(workbook.worksheets[0], max_rows=max_rows, max_columns=MAX_COLUMNS)
    except UnreadableFile:
        raise
    except Exception:  # read-only sheets are parsed row by row, so broken XML shows up only here
        raise UnreadableFile(
            _("The workbook could not be read; it may be damaged or not an .xlsx file.")
        ) from None
    finally:
        workbook.close()


def _csv_records(data: bytes, max_rows: int) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    text = decode_text(data)
    first_line = text.split("\n", 1)[0]
    # Excel in much of Europe and Latin America saves "CSV" with semicolons: the header line tells which.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header_cells = next(reader, None)
        if not header_cells:
            return [], []
        if len(header_cells) > MAX_COLUMNS:
            raise UnreadableFile(
                _("The file has %(count)s columns; a measurement file has at most %(limit)s.")
                % {"count": len(header_cells), "limit": MAX_COLUMNS}
            )
        names = [cell.strip().lower() for cell in header_cells]
        records = []
        # Numbered as a spreadsheet shows the file: one row per record (a quoted line break stays in its cell),
        # blank lines included.
        for number, values in enumerate(reader, start=2):
            if number > max_rows:
                raise TooManyRows(_("The file has more than %(count)s rows.") % {"count": max_rows})
            if not any(value.strip() for value in values):
                continue
            record: dict[str, Any] = {}
            for index, value in enumerate(values):
                key = names[index] if index < len(names) else f"#{index + 1}"
                record[key] = unsafe_cell(value.strip())
            records.append((number, record))
        return names, records
    except csv.Error as error:
        raise UnreadableFile(
            _("The CSV is malformed at line %(line)s: %(error)s") % {"line": reader.line_num, "error": error}
        ) from None


def _check_header(header: list[str]) -> list[str]:
    if not any(header):
        raise MeasurementFileInvalid(
            _(
                "The first row must name the columns: indicator, period, value (and optionally note, verified)."
            )
        )
    names = [name for name in header if name]
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        raise MeasurementFileInvalid(
            _(
                "The first row has no column named %(names)s. The columns are: indicator, period, value, note, "
                "verified, and breakdown:<category>."
            )
            % {"names": ", ".join(missing)}
        )
    unknown = [n for n in names if n not in COLUMNS and not _breakdown_category(n)]
    if unknown:
        raise MeasurementFileInvalid(
            _(
                "Unknown columns: %(names)s. The columns are: indicator, period, value, note, verified, and "
                "breakdown:<category>."
            )
            % {"names": ", ".join(unknown)}
        )
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise MeasurementFileInvalid(_("Columns named twice: %(names)s.") % {"names": ", ".join(twice)})
    return [n for n in names if _breakdown_category(n)]


def _breakdown_category(name: str) -> str:
    if name.startswith(BREAKDOWN_PREFIX):
        return name[len(BREAKDOWN_PREFIX) :].strip()
    return ""


# --- One row --------------------------------------------------------------------------------------------------


def _row(
    number: int, record: dict[str, Any], breakdown_columns: list[str], errors: list[RowError]
) -> Row | None:
    problems: list[str] = []
    if any(key.startswith("#") and value not in (None, "") for key, value in record.items()):
        problems.append(_("it has more cells than the header has columns"))
    indicator = _text(record.get("indicator"))
    if not indicator:
        problems.append(_("the indicator key is missing"))
    period = record.get("period")
    if period in (None, ""):
        problems.append(_("the period is missing"))
    elif isinstance(period, float) and period.is_integer():
        period = str(int(period))  # a year typed into a number cell
    value = None
    try:
        value = parse_number(record.get("value"))
    except ValueError as error:
        problems.append(str(error))
    breakdown: dict[str, Decimal] = {}
    for column in breakdown_columns:
        cell = record.get(column)
        if cell in (None, ""):
            continue
        try:
            breakdown[_breakdown_category(column)] = parse_number(cell)
        except ValueError as error:
            problems.append(_("%(column)s: %(problem)s") % {"column": column, "problem": error})
    verified = False
    try:
        verified = parse_verified(record.get("verified"))
    except ValueError as error:
        problems.append(str(error))
    note = _text(record.get("note"))
    if len(note) > MAX_NOTE:
        problems.append(_("the note is longer than %(limit)s characters") % {"limit": MAX_NOTE})
    if problems or value is None:
        errors.extend(RowError(number, problem) for problem in problems)
        return None
    return Row(number, indicator, period, value, note, verified, breakdown)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_verified(value: Any) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError(
        _("verified must be yes or no (or true/false, 1/0, sí), not %(value)r") % {"value": str(value)[:20]}
    )

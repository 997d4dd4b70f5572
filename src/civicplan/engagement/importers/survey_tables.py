"""Survey files as tables of text cells: a CSV (any of `,` `;` tab, with or without BOM, CRLF or LF, quoted
multi-line cells) or the first sheet of an XLSX workbook, with the limits every survey import shares.

A CSV table is read again from the bytes for each pass (`Table.data`), never held as a list of rows. The whole
text is decoded once, by `lib.spreadsheets.decode_text` (it refuses NUL bytes and invalid UTF-8 with the
byte's position), and dropped before the rows are read: they are decoded again piece by piece as the passes
go, so the decoded file (4 bytes a character once one emoji is in it) is not held beside the responses.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Literal

from django.utils.translation import gettext as _

from civicplan.engagement.importers.survey_model import SurveyFileError
from civicplan.lib.spreadsheets import UnreadableFile, UnsafeWorkbook, decode_text, open_workbook

MAX_ROWS = 200_000
MAX_COLUMNS = 500
HEADER_ROWS = 3  # the most any tool writes (Qualtrics)
_DELIMITERS = (",", ";", "\t")

Cells = list[str]


@dataclass
class Table:
    """The first rows (headers, padded to `width`) and a way to read every row again, numbered as a spreadsheet
    shows them. `kind` is "csv" or "xlsx"."""

    kind: str
    headers: list[Cells]
    width: int
    delimiter: str
    _records: Callable[[], Iterator[Cells]]
    title: str = ""  # the sheet's name, for a workbook
    ragged: list[int] = field(default_factory=list)  # rows with filled cells past the last heading

    def data(self, header_rows: int) -> Iterator[tuple[int, Cells]]:
        """(row number, cells) of every non-empty row below the `header_rows` headers, each with exactly `width`
        stripped cells. Raises SurveyFileError past MAX_ROWS data rows."""
        width = self.width
        padding = [""] * width
        seen_ragged = set(self.ragged)
        for number, record in enumerate(self._records(), start=1):
            if number <= header_rows:
                continue
            if number - header_rows > MAX_ROWS:
                raise SurveyFileError(
                    _("The file has more than %(count)s responses; split it into smaller files.")
                    % {"count": f"{MAX_ROWS:,}"}
                )
            cells = list(map(str.strip, record))  # map: twice as fast as a list comprehension here
            if len(cells) < width:
                cells += padding[: width - len(cells)]
            elif len(cells) > width:
                if any(cells[width:]) and number not in seen_ragged:
                    seen_ragged.add(number)
                    self.ragged.append(number)
                del cells[width:]
            if any(cells):
                yield number, cells


def read_table(data: bytes, filename: str) -> Table:
    """The file as a table: a workbook when it is one (whatever its name), else UTF-8 text. Raises
    SurveyFileError with a plain message for anything else."""
    if not data.strip():
        raise SurveyFileError(_("The file is empty."))
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise SurveyFileError(
            _("Old Excel .xls workbooks cannot be read: save the file as .xlsx or .csv and try again.")
        )
    if data.startswith(b"PK\x03\x04") or filename.lower().endswith(".xlsx"):
        return _workbook_table(data)
    return _text_table(data)


# --- CSV ------------------------------------------------------------------------------------------------------


def _text_table(data: bytes) -> Table:
    try:
        text = decode_text(data)  # refuses NUL bytes and invalid UTF-8 with its own message
    except UnreadableFile as error:
        raise SurveyFileError(str(error)) from None
    head = text[:65536]
    del text  # the rows are decoded again as they are read (see the module docstring)
    start = head.lstrip()[:1000].lower()
    if start.startswith(("<!doctype html", "<html", "<?xml")) or ("<html" in start and "<body" in start):
        raise SurveyFileError(
            _(
                "The file is a web page, not a survey export: download the export again as CSV (the page may "
                "have been a sign-in page)."
            )
        )
    delimiter = _sniff_delimiter(head)
    return _csv_table(data, delimiter, csv.QUOTE_MINIMAL)


def reread_unquoted(table: Table, data: bytes) -> Table:
    """The same CSV read with quotes as plain characters (LimeSurvey VV files escape their quotes instead)."""
    return _csv_table(data, table.delimiter, csv.QUOTE_NONE)


def _csv_table(data: bytes, delimiter: str, quoting: Literal[0, 1, 2, 3]) -> Table:
    def records() -> Iterator[Cells]:
        stream = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
        reader = csv.reader(stream, delimiter=delimiter, quoting=quoting)
        try:
            for record in reader:
                if len(record) > MAX_COLUMNS:
                    raise _too_many_columns(len(record))
                yield record
        except csv.Error as error:
            raise SurveyFileError(
                _("The file is not a well-formed CSV (near line %(line)s): %(error)s")
                % {"line": reader.line_num, "error": error}
            ) from None

    headers = []
    for record in records():
        headers.append([cell.strip() for cell in record])
        if len(headers) == HEADER_ROWS:
            break
    width = len(headers[0]) if headers else 0
    if width == 0 or not any(headers[0]):
        raise SurveyFileError(_("The file has no heading row."))
    headers = [row + [""] * (width - len(row)) if len(row) < width else row[:width] for row in headers]
    return Table("csv", headers, width, delimiter, records)


def _sniff_delimiter(head: str) -> str:
    """The delimiter that splits the heading row into the most cells (quoted headings keep their commas)."""
    best, best_count = ",", 0
    for delimiter in _DELIMITERS:
        try:
            first = next(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter), [])
        except csv.Error:
            continue
        if len(first) > best_count:
            best, best_count = delimiter, len(first)
    return best


def _too_many_columns(count: int) -> SurveyFileError:
    return SurveyFileError(
        _("The file has %(count)s columns; a survey export may have at most %(limit)s.")
        % {"count": count, "limit": MAX_COLUMNS}
    )


# --- XLSX -----------------------------------------------------------------------------------------------------


def workbook_sheets(data: bytes) -> dict[str, list[list[Any]]]:
    """Every sheet of a workbook as rows of raw values (for XLSForm forms, which are small)."""
    workbook = _open(data)
    try:
        sheets = {}
        for sheet in workbook.worksheets:
            sheet.reset_dimensions()  # never trust the sheet's own <dimension> (see lib.spreadsheets)
            rows = []
            for number, values in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), 1):
                if number > MAX_ROWS:
                    raise SurveyFileError(_("The sheet %(sheet)s is too long.") % {"sheet": sheet.title})
                rows.append(list(values or ()))
            sheets[sheet.title] = rows
        return sheets
    except SurveyFileError:
        raise
    except Exception:  # read-only sheets are parsed row by row: broken XML shows up only here
        raise SurveyFileError(_("The workbook could not be read; it may be damaged.")) from None
    finally:
        workbook.close()


def _open(data: bytes) -> Any:
    try:
        return open_workbook(data)
    except (UnsafeWorkbook, UnreadableFile) as error:
        raise SurveyFileError(str(error)) from None


def _workbook_table(data: bytes) -> Table:
    workbook = _open(data)
    try:
        if not workbook.worksheets:
            raise SurveyFileError(_("The workbook has no sheets."))
        names = {name.lower() for name in workbook.sheetnames}
        if "survey" in names and "choices" in names:
            raise SurveyFileError(
                _(
                    "This workbook is a form (XLSForm), not exported responses: export the responses from "
                    "KoboToolbox as CSV or XLSX."
                )
            )
        sheet = workbook.worksheets[0]
        title = str(sheet.title or "")
        rows = _sheet_rows(sheet)
    except SurveyFileError:
        raise
    except Exception:  # see workbook_sheets
        raise SurveyFileError(_("The workbook could not be read; it may be damaged.")) from None
    finally:
        workbook.close()
    if not rows or not any(rows[0]):
        raise SurveyFileError(_("The file has no heading row."))
    width = max(len(row) for row in rows[:HEADER_ROWS])
    headers = [row + [""] * (width - len(row)) for row in rows[:HEADER_ROWS]]
    return Table("xlsx", headers, width, "", lambda: iter(rows), title=title)


def _sheet_rows(sheet: Any) -> list[Cells]:
    sheet.reset_dimensions()  # never trust the sheet's own <dimension> (see lib.spreadsheets)
    rows: list[Cells] = []
    for number, values in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1), start=1):
        if number > MAX_ROWS + HEADER_ROWS:
            raise SurveyFileError(
                _("The file has more than %(count)s responses; split it into smaller files.")
                % {"count": f"{MAX_ROWS:,}"}
            )
        cells = [cell_text(value) for value in values or ()]
        if len(cells) > MAX_COLUMNS and any(cells[MAX_COLUMNS:]):
            raise _too_many_columns(len(cells))
        while cells and not cells[-1]:
            cells.pop()
        rows.append(cells)
    return rows


def cell_text(value: Any) -> str:
    """A workbook cell as the text a CSV export would hold: `4.0` is `4`, a date and time is ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).strip()

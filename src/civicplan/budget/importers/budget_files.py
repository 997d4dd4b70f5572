"""Budget files in (docs/formats/budget.md): CSV or XLSX bytes -> budget rows, the rows that were skipped (titles,
headings, subtotals, totals) and the file's own totals checked against its lines. Pure: no database. Which fund
and department a spelling means, fiscal years against the plan and amounts already stored are the service's
business (`budget.services.imports`).

Cities publish budgets in two shapes, told apart by the header row:

- **long** (open-data portals): one amount per row, with a fiscal-year column and an amount column;
- **wide** (budget books): title rows, then a header with one column per fiscal year and kind
  (`FY 2025-26 Adopted`), then lines mixed with subtotal and total rows.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from civicplan.lib.fiscal import parse_fiscal_year
from civicplan.lib.money import parse_amount
from civicplan.lib.spreadsheets import (
    UnreadableFile,
    UnsafeWorkbook,
    decode_text,
    open_workbook,
    unsafe_cell,
)

MAX_ROWS = 100_000
MAX_COLUMNS = 100
HEADER_SEARCH_ROWS = 15
KINDS = ("proposed", "adopted", "revised", "actual")

# Column names, compared after `_column_key` (case-folded, `_` as a space, spaces squeezed).
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "fiscal_year": ("fiscal year", "fy", "year", "budget year", "fiscal yr"),
    "fund": ("fund", "fund name", "fund description", "fund title"),
    "fund_code": ("fund code", "fund number", "fund no", "fund #", "fund id"),
    "department": ("department", "dept", "department name", "dept name", "department description", "dept."),
    "department_code": ("department code", "dept code", "department number", "dept no", "department id"),
    "program": (
        "division",
        "program",
        "division/program",
        "division / program",
        "program/division",
        "program name",
        "division name",
        "program description",
    ),
    "account": ("account", "object", "account/object", "acct"),
    "account_code": ("account code", "object code", "account number", "object number", "acct code"),
    "account_name": ("account name", "object name", "account description", "object description", "acct name"),
    "description": ("description", "line item", "line description", "item description", "desc"),
    "amount": ("amount", "budget", "value", "total", "budget amount", "dollars"),
    "kind": ("kind", "type", "budget type", "amount type", "budget kind"),
    "transfer": ("transfer", "is transfer", "interfund transfer", "transfers"),
    "city": ("city", "agency", "organization", "organisation", "jurisdiction"),
}
_ROLE_OF = {name: role for role, names in COLUMN_NAMES.items() for name in names}
TEXT_ROLES = (
    "fund",
    "fund_code",
    "department",
    "department_code",
    "program",
    "account",
    "account_code",
    "account_name",
    "description",
)
KIND_WORDS = {
    "adopted": "adopted",
    "budget": "adopted",
    "budgeted": "adopted",
    "approved": "adopted",
    "original": "adopted",
    "revised": "revised",
    "amended": "revised",
    "actual": "actual",
    "actuals": "actual",
    "proposed": "proposed",
    "requested": "proposed",
    "request": "proposed",
    "recommended": "proposed",
}
# Words a year column may carry besides its kind ("FY 2025-26 Adopted Budget", "2024-25 Actual $").
_FILLER_WORDS = {"fy", "fiscal", "year", "amount", "total", "$", "budget", "af", "ejercicio"}
_YEAR_TOKEN = re.compile(r"(?<![\d])(?:fy|af)?\s*(\d{4})(?:\s*[-/–]\s*(\d{4}|\d{2}))?(?![\d])", re.IGNORECASE)
_TOTAL_LABEL = re.compile(
    r"^(?:(?P<grand>grand\s+total|gran\s+total|total\s+general|total\s+all\s+funds)|(?P<sub>sub\s*-?\s*total)"
    r"|total)\b|\b(?:(?P<grand2>grand\s+total)|(?P<sub2>sub\s*-?\s*total)|total)$",
    re.IGNORECASE,
)
_TRANSFER = re.compile(
    r"\b(?:transfers?\s+(?:in|out|to|from)|interfund\s+transfers?|operating\s+transfers?)\b", re.IGNORECASE
)
_TRUE = {"yes", "y", "true", "1", "x", "sí", "si", "transfer"}
_FALSE = {"no", "n", "false", "0", ""}
_PLACE = re.compile(
    r"^\s*(?:the\s+)?(city|town|county|village|ciudad|condado|pueblo)\s+(?:of|de)\s+(.+)$", re.I
)
_PLACE_END = re.compile(
    r"\s+[-–—]\s|[,:(|]|\s*\d|\s*\b(?:fy|af|fiscal|adopted|proposed|annual|operating|capital|budget|biennial|"
    r"presupuesto)\b",
    re.IGNORECASE,
)
_TITLE_FUND = re.compile(r"^\s*fund\s*[:#]?\s*(?P<fund>\S.*)$", re.IGNORECASE)
_NAMED_FUND = re.compile(r"^\s*(?P<fund>(?:[\w.&'-]+\s+){1,4}fund)\b", re.IGNORECASE)
_DEPARTMENT_CODE = re.compile(r"^(?P<code>\d[\w.]*)\s*[-–:]\s*(?P<name>\S.*)$")
_FUND_CODE = re.compile(r"^(?P<code>\d[\w.]*)\s*(?:[-–:]\s*)?(?P<name>.*)$")


@dataclass(frozen=True)
class RowError:
    """A problem in one row (numbered as the spreadsheet shows them, title rows included), or in the whole file
    (row None)."""

    row: int | None
    message: str


@dataclass
class BudgetRow:
    """One line of the file with its amounts, keyed by (fiscal year, kind): one amount in a long file, one per
    year column in a wide one. Names are as the file writes them; the service decides what they mean."""

    number: int
    fund: str = ""  # the fund as written ("100 - General Fund"); "" when the row names none
    fund_code: str = ""
    fund_name: str = ""
    department: str = ""
    department_code: str = ""
    program: str = ""
    account: str = ""
    description: str = ""
    is_transfer: bool = False
    amounts: dict[tuple[int, str], Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class SkippedRow:
    """A row that is not a budget line: a title, a section heading, a subtotal or a total (with the file's
    figures, keyed by (fiscal year, kind))."""

    number: int
    label: str
    reason: str
    figures: tuple[tuple[tuple[int, str], Decimal], ...] = ()


@dataclass(frozen=True)
class Reconciliation:
    """A total or subtotal of the file compared with the sum of the lines it covers, for one year and kind."""

    number: int
    label: str
    fiscal_year: int
    kind: str
    file_amount: Decimal
    lines_amount: Decimal
    line_count: int

    @property
    def difference(self) -> Decimal:
        return self.file_amount - self.lines_amount

    @property
    def matches(self) -> bool:
        return self.difference == 0


@dataclass(frozen=True)
class YearColumn:
    index: int
    header: str
    fiscal_year: int
    kind: str

    @property
    def key(self) -> tuple[int, str]:
        return (self.fiscal_year, self.kind)


@dataclass
class ParsedBudgetFile:
    shape: str  # "long" or "wide"
    header_row: int
    rows: list[BudgetRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    skipped: list[SkippedRow] = field(default_factory=list)
    reconciliations: list[Reconciliation] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    title_fund: str = ""  # "Fund 100 - General Fund" in a title row gives "100 - General Fund"
    places: list[tuple[int, str]] = field(
        default_factory=list
    )  # (row, "Alder Creek") from titles or a city column
    year_columns: list[YearColumn] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


class BudgetFileInvalid(Exception):
    """The file as a whole cannot be read (format, size, no header); the message says why in plain words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.errors = [RowError(None, message)]


# --- Entry point ----------------------------------------------------------------------------------------------


def read_budget_file(
    filename: str, data: bytes, *, fiscal_year_start_month: int = 7, max_rows: int = MAX_ROWS
) -> ParsedBudgetFile:
    """Read a CSV or XLSX budget file of either shape. File-level problems raise BudgetFileInvalid; each row's own
    problems are collected in `errors` (a row with a problem is left out of `rows`)."""
    if len(data) > settings.IMPORT_MAX_BYTES:
        raise BudgetFileInvalid(
            _("The file is too large (the limit is %(limit)s MB).")
            % {"limit": settings.IMPORT_MAX_BYTES // 1048576}
        )
    if not data.strip():
        raise BudgetFileInvalid(_("The file is empty."))
    name = filename.lower()
    if name.endswith(".xls"):
        raise BudgetFileInvalid(
            _("Old .xls workbooks are not supported: save the file as .xlsx or .csv and try again.")
        )
    try:
        if name.endswith(".xlsx") or data.startswith(b"PK\x03\x04"):
            grid = _xlsx_grid(data, max_rows)
        else:
            grid = _csv_grid(data, max_rows)
    except (UnsafeWorkbook, UnreadableFile) as error:
        raise BudgetFileInvalid(str(error)) from None
    return _read_grid(grid, fiscal_year_start_month)


# --- Cells out of the two formats -----------------------------------------------------------------------------

Grid = list[tuple[int, list[Any]]]  # (spreadsheet row number, cells), empty rows left out


def _too_many_rows(max_rows: int) -> BudgetFileInvalid:
    return BudgetFileInvalid(
        _("The file has more than %(count)s rows; split it into smaller files.") % {"count": max_rows}
    )


def _xlsx_grid(data: bytes, max_rows: int) -> Grid:
    workbook = open_workbook(data)
    try:
        if not workbook.sheetnames:
            raise UnreadableFile(_("The workbook has no sheets."))
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # never trust the sheet's own <dimension> (see lib.spreadsheets.sheet_records)
        grid: Grid = []
        for number, values in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1):
            if number > max_rows:
                raise _too_many_rows(max_rows)
            cells = [
                unsafe_cell(value.strip()) if isinstance(value, str) else value for value in values or ()
            ]
            if any(cell not in (None, "") for cell in cells):
                grid.append((number, cells))
        return grid
    except (UnreadableFile, BudgetFileInvalid):
        raise
    except Exception:  # read-only sheets are parsed row by row, so broken XML shows up only here
        raise UnreadableFile(
            _("The workbook could not be read; it may be damaged or not an .xlsx file.")
        ) from None
    finally:
        workbook.close()


def _csv_grid(data: bytes, max_rows: int) -> Grid:
    text = decode_text(data)
    head = text[:4000]
    # Excel in much of Europe and Latin America saves "CSV" with semicolons. Title rows have few separators, so
    # the first lines together decide, not the first line alone.
    delimiter = ";" if head.count(";") > head.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    grid: Grid = []
    try:
        for number, values in enumerate(reader, start=1):
            if number > max_rows:
                raise _too_many_rows(max_rows)
            if len(values) > MAX_COLUMNS:
                raise UnreadableFile(
                    _("Row %(row)s has %(count)s cells; a budget file has at most %(limit)s columns.")
                    % {"row": number, "count": len(values), "limit": MAX_COLUMNS}
                )
            cells = [unsafe_cell(value.strip()) for value in values]
            if any(cells):
                grid.append((number, cells))
    except csv.Error as error:
        raise UnreadableFile(
            _("The CSV is malformed at line %(line)s: %(error)s") % {"line": reader.line_num, "error": error}
        ) from None
    return grid


# --- The header -----------------------------------------------------------------------------------------------


def _column_key(value: Any) -> str:
    return re.sub(r"\s+", " ", str(value).replace("_", " ")).strip().casefold()


def year_column(header: str, fiscal_year_start_month: int = 7) -> tuple[int, str] | None:
    """(fiscal year, kind) of a wide file's amount column (`FY 2025-26 Adopted`, `2026-27 Proposed`, `FY2026
    Budget`, `Actual 2023-24`), or None when the header is not one year of one kind."""
    matches = list(_YEAR_TOKEN.finditer(header))
    if len(matches) != 1:
        return None
    match = matches[0]
    try:
        year = parse_fiscal_year(match.group(0).upper().replace("AF", "FY"), fiscal_year_start_month)
    except ValueError:
        return None
    rest = (header[: match.start()] + " " + header[match.end() :]).casefold()
    words = [word for word in re.split(r"[\s/()]+", rest.replace("$", " $ ")) if word]
    kinds = {KIND_WORDS[word] for word in words if word in KIND_WORDS and word not in ("budget",)}
    if any(word not in KIND_WORDS and word not in _FILLER_WORDS for word in words) or len(kinds) > 1:
        return None
    return year, (kinds.pop() if kinds else "adopted")


def _header_roles(cells: list[Any], start_month: int) -> tuple[dict[str, int], list[YearColumn], list[str]]:
    roles: dict[str, int] = {}
    years: list[YearColumn] = []
    ignored: list[str] = []
    for index, cell in enumerate(cells):
        if cell in (None, ""):
            continue
        text = str(cell).strip()
        role = _ROLE_OF.get(_column_key(text))
        if role is not None and role not in roles:
            roles[role] = index
            continue
        found = year_column(text, start_month) if not isinstance(cell, (int, float)) else None
        if isinstance(cell, int) and 1900 < cell < 2200:  # a year typed as a number: the year the FY ends
            found = (cell if start_month == 1 else cell - 1, "adopted")
        if found is not None:
            years.append(YearColumn(index, text, *found))
        else:
            ignored.append(text)
    return roles, years, ignored


def _find_header(grid: Grid, start_month: int) -> tuple[int, dict[str, int], list[YearColumn], list[str]]:
    """The first row (within the first 15) that names at least two columns we know."""
    for position, (_number, cells) in enumerate(grid[:HEADER_SEARCH_ROWS]):
        roles, years, ignored = _header_roles(cells, start_month)
        if len(roles) + len(years) >= 2:
            return position, roles, years, ignored
    raise BudgetFileInvalid(
        _(
            "No header row was found in the first %(count)s rows. A header names the columns, e.g. fiscal_year, "
            "fund, department, program, account, description, amount, kind; or department, account and one "
            "column per year such as FY 2025-26 Adopted."
        )
        % {"count": HEADER_SEARCH_ROWS}
    )


def _read_grid(grid: Grid, start_month: int) -> ParsedBudgetFile:
    if not grid:
        raise BudgetFileInvalid(_("The file is empty."))
    position, roles, years, ignored = _find_header(grid, start_month)
    keys = [column.key for column in years]
    duplicates = sorted({column.header for column in years if keys.count(column.key) > 1})
    if years:
        shape = "wide"
    elif "amount" in roles:
        shape = "long"
        if "fiscal_year" not in roles:
            raise BudgetFileInvalid(
                _(
                    "The file has an amount column but no fiscal year column (fiscal_year, fiscal year, fy or year)."
                )
            )
    else:
        raise BudgetFileInvalid(
            _(
                "The header names no amount column: add an amount column (amount, budget, value or total) and a "
                "fiscal year column, or one column per year such as FY 2025-26 Adopted."
            )
        )
    header_number = grid[position][0]
    parsed = ParsedBudgetFile(
        shape=shape, header_row=header_number, year_columns=years, ignored_columns=ignored
    )
    if duplicates:
        raise BudgetFileInvalid(
            _("Two columns hold the same year and kind: %(names)s.") % {"names": ", ".join(duplicates)}
        )
    _read_titles(grid[:position], parsed)
    reader = _Reader(parsed, roles, start_month)
    for number, cells in grid[position + 1 :]:
        reader.read(number, cells)
    if not parsed.rows and not parsed.errors:
        raise BudgetFileInvalid(_("The file has a header but no budget lines."))
    return parsed


def _read_titles(rows: Grid, parsed: ParsedBudgetFile) -> None:
    for number, cells in rows:
        texts = [str(cell).strip() for cell in cells if cell not in (None, "")]
        label = " ".join(texts)
        parsed.titles.append(label)
        parsed.skipped.append(SkippedRow(number, label, _("title row")))
        for text in texts:
            place = place_named(text)
            if place:
                parsed.places.append((number, place))
            if not parsed.title_fund:
                parsed.title_fund = fund_in_title(text)


def place_named(text: str) -> str:
    """ "Alder Creek" from "City of Alder Creek Adopted Budget FY 2025-26", or ""."""
    match = _PLACE.match(text)
    if not match:
        return ""
    rest = match.group(2)
    end = _PLACE_END.search(rest)
    name = (rest[: end.start()] if end else rest).strip(" .")
    return name


def fund_in_title(text: str) -> str:
    """The fund a title row names: "Fund 100 - General Fund" -> "100 - General Fund", "General Fund Expenditures
    by Department" -> "General Fund"; "All Funds Summary" names none."""
    match = _TITLE_FUND.match(text)
    if match:
        return match.group("fund").strip()
    match = _NAMED_FUND.match(text)
    if match and not re.search(r"\b(all|total|other|combined|summary)\b", match.group("fund"), re.IGNORECASE):
        return match.group("fund").strip()
    return ""


# --- Rows -----------------------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", " ", str(value)).strip()


def split_code(text: str) -> tuple[str, str]:
    """("100", "General Fund") from "100 - General Fund" or "100 General Fund"; ("", text) without a code."""
    match = _FUND_CODE.match(text)
    if not match:
        return "", text
    return match.group("code"), match.group("name").strip()


def _bare_total(texts: dict[str, str]) -> bool:
    """The description is only a total word, or a total word and a name another cell of the row already has."""
    description = texts.get("description", "")
    if total_level(description) is None:
        return False
    rest = _TOTAL_LABEL.sub("", description).strip(" :-–").casefold()
    others = {text.casefold() for role, text in texts.items() if text and role != "description"}
    return not rest or rest in others


def total_level(label: str) -> int | None:
    """2 for a grand total, 1 for a total, 0 for a subtotal (English or Spanish), None for anything else."""
    match = _TOTAL_LABEL.search(label.strip())
    if not match:
        return None
    if match.group("grand") or match.group("grand2"):
        return 2
    if match.group("sub") or match.group("sub2"):
        return 0
    return 1


def is_transfer_text(*texts: str) -> bool:
    """An interfund transfer, said in words ("Transfers Out", "Interfund transfer", "Operating transfer in");
    whole words only, so "Transportation" is not one."""
    return any(_TRANSFER.search(text) for text in texts if text)


def kind_of(value: Any) -> str:
    """adopted / revised / actual / proposed from the words cities use; "" (adopted) when empty."""
    text = _text(value).casefold()
    if not text:
        return "adopted"
    words = [word for word in re.split(r"[\s_/-]+", text) if word]
    kinds = {KIND_WORDS[word] for word in words if word in KIND_WORDS and word != "budget"}
    if len(kinds) == 1:
        return kinds.pop()
    if not kinds and "budget" in words:
        return "adopted"
    raise ValueError(
        _("the kind %(value)r is not one of adopted, revised, actual or proposed")
        % {"value": _text(value)[:40]}
    )


class _Reader:
    """Reads the rows below the header, one at a time, keeping what totals need: the lines since the last total
    of each level."""

    def __init__(self, parsed: ParsedBudgetFile, roles: dict[str, int], start_month: int) -> None:
        self.parsed = parsed
        self.roles = roles
        self.start_month = start_month
        self.heading = (
            ""  # a section heading row names the department of the rows below (when no column does)
        )
        self.since: dict[int, int] = {
            0: 0,
            1: 0,
            2: 0,
        }  # level -> index in `parsed.rows` where its group starts
        self.years: dict[str, int] = {}  # fiscal-year spellings already read

    def cell(self, cells: list[Any], role: str) -> Any:
        index = self.roles.get(role)
        if index is None or index >= len(cells):
            return None
        return cells[index]

    def texts(self, cells: list[Any]) -> dict[str, str]:
        return {role: _text(self.cell(cells, role)) for role in TEXT_ROLES}

    def read(self, number: int, cells: list[Any]) -> None:
        texts = self.texts(cells)
        if self.parsed.shape == "wide":
            amounts, problems = self.wide_amounts(cells)
        else:
            amounts, problems = self.long_amount(cells)
        label = " ".join(text for text in texts.values() if text)
        # A description that starts with "Total" ("Total Compensation Study") is a line when other cells name it;
        # but "Subtotal" alone, or "Total Recreation" beside a Recreation program, is the file's own total.
        filled = [role for role, text in texts.items() if text]
        levels = [
            level
            for role in filled
            if role != "description" or filled == ["description"] or _bare_total(texts)
            for level in [total_level(texts[role])]
            if level is not None
        ]
        if levels or (not label and amounts and not problems):
            self.total(number, label or _("(no label)"), max(levels) if levels else 1, amounts)
            return
        if not amounts and not problems and self.parsed.shape == "wide":
            self.section(number, cells, label)
            return
        row = self.row(number, cells, texts, amounts, problems)
        if row is not None:
            self.parsed.rows.append(row)

    def section(self, number: int, cells: list[Any], label: str) -> None:
        """A row with words and no amounts in a budget book: a section heading (or a note)."""
        text = label or " ".join(_text(cell) for cell in cells if cell not in (None, ""))
        if "department" not in self.roles and "department_code" not in self.roles:
            self.heading = text
            reason = _("section heading: the department of the rows below")
        else:
            reason = _("no amounts")
        self.parsed.skipped.append(SkippedRow(number, text, reason))

    def total(self, number: int, label: str, level: int, amounts: dict[tuple[int, str], Decimal]) -> None:
        reason = {0: _("subtotal"), 1: _("total"), 2: _("grand total")}[level]
        self.parsed.skipped.append(SkippedRow(number, label, reason, tuple(sorted(amounts.items()))))
        rows = self.covered(label, level)
        for key, figure in sorted(amounts.items()):
            covered = [row for row in rows if key in row.amounts]
            lines = sum((row.amounts[key] for row in covered), Decimal(0))
            self.parsed.reconciliations.append(
                Reconciliation(number, label, key[0], key[1], figure, lines, len(covered))
            )
        for lower in range(level + 1):
            self.since[lower] = len(self.parsed.rows)

    def covered(self, label: str, level: int) -> list[BudgetRow]:
        """The lines a total row adds up: all lines for a grand total; for "Total Public Works" the run of
        Public Works lines just above; otherwise the lines since the previous total of the same level."""
        rows = self.parsed.rows
        if level == 2:
            return list(rows)
        named = _TOTAL_LABEL.sub("", label).strip(" :-–").casefold()
        if named:
            for attribute in ("department", "program", "fund", "account"):
                run: list[BudgetRow] = []
                for row in reversed(rows):
                    if getattr(row, attribute).casefold() != named:
                        break
                    run.append(row)
                if run:
                    return run[::-1]
        return rows[self.since[level] :]

    def wide_amounts(self, cells: list[Any]) -> tuple[dict[tuple[int, str], Decimal], list[str]]:
        amounts: dict[tuple[int, str], Decimal] = {}
        problems: list[str] = []
        for column in self.parsed.year_columns:
            value = cells[column.index] if column.index < len(cells) else None
            if value is None or (isinstance(value, str) and not value.strip()):
                continue  # blank: no amount of that kind for this line
            try:
                amounts[(column.fiscal_year, column.kind)] = parse_amount(value)
            except ValueError as error:
                problems.append(_("%(column)s: %(problem)s") % {"column": column.header, "problem": error})
        return amounts, problems

    def long_amount(self, cells: list[Any]) -> tuple[dict[tuple[int, str], Decimal], list[str]]:
        problems: list[str] = []
        year = kind = None
        value = self.cell(cells, "amount")
        amount = None
        if value is not None and _text(value):
            try:
                amount = parse_amount(value)
            except ValueError as error:
                problems.append(str(error))
        try:
            year = self.fiscal_year(self.cell(cells, "fiscal_year"))
        except ValueError as error:
            problems.append(str(error))
        try:
            kind = kind_of(self.cell(cells, "kind"))
        except ValueError as error:
            problems.append(str(error))
        if amount is None or year is None or kind is None:
            if amount is None and not problems and any(_text(cell) for cell in cells):
                problems.append(_("the amount is missing"))
            return {}, problems
        return {(year, kind): amount}, problems

    def fiscal_year(self, value: Any) -> int:
        text = _text(value)
        if not text:
            raise ValueError(_("the fiscal year is missing"))
        if text not in self.years:
            try:
                # "AF 2025-26" is how a Spanish export writes it.
                spelled = re.sub(r"^\s*af\b", "FY", text, flags=re.IGNORECASE)
                self.years[text] = parse_fiscal_year(spelled, self.start_month)
            except ValueError:
                raise ValueError(
                    _("the fiscal year %(value)r cannot be read (write it like FY 2025-26, 2025-26 or 2026)")
                    % {"value": text[:40]}
                ) from None
        return self.years[text]

    def row(
        self,
        number: int,
        cells: list[Any],
        texts: dict[str, str],
        amounts: dict[tuple[int, str], Decimal],
        problems: list[str],
    ) -> BudgetRow | None:
        department = texts["department"] or self.heading
        department_code = texts["department_code"]
        if department and not department_code:
            # Only with a dash or colon: "311 Customer Service" is a name, "10 - Public Works" a code and a name.
            match = _DEPARTMENT_CODE.match(department)
            if match:
                department_code, department = match.group("code"), match.group("name").strip()
        if not department and not department_code:
            problems.append(_("the department is missing"))
        transfer = False
        try:
            transfer = self.transfer(cells, texts)
        except ValueError as error:
            problems.append(str(error))
        if problems:
            self.parsed.errors.extend(RowError(number, problem) for problem in problems)
            return None
        fund_code, fund_name = texts["fund_code"], texts["fund"]
        if fund_name and not fund_code:
            fund_code, fund_name = split_code(fund_name)
        fund = " - ".join(part for part in (fund_code, fund_name) if part)
        account = " ".join(
            part for part in (texts["account_code"], texts["account"], texts["account_name"]) if part
        )
        city = _text(self.cell(cells, "city"))
        if city:
            self.parsed.places.append((number, city))
        return BudgetRow(
            number=number,
            fund=fund,
            fund_code=fund_code,
            fund_name=fund_name,
            department=department,
            department_code=department_code,
            program=texts["program"],
            account=account,
            description=texts["description"],
            is_transfer=transfer,
            amounts=amounts,
        )

    def transfer(self, cells: list[Any], texts: dict[str, str]) -> bool:
        if "transfer" in self.roles:
            value = self.cell(cells, "transfer")
            if isinstance(value, bool):
                return value
            word = _text(value).casefold()
            if word in _TRUE:
                return True
            if word in _FALSE:
                return False
            raise ValueError(_("transfer must be yes or no, not %(value)r") % {"value": _text(value)[:20]})
        return is_transfer_text(
            texts["account"], texts["account_name"], texts["description"], texts["program"]
        )

"""Budget files (CSV/XLSX, docs/formats/budget.md): held for a preview, names mapped by a person, then written all
at once or not at all.

The preview and the import run the same checks (`_plan_file`); the import runs them again inside its transaction,
so what is written is what the data says at that moment. The person's mapping choices (which department or fund a
spelling in the file means, or "create it") travel with the form and are only written by the import, as
NameMapping rows, so that next year's file maps by itself."""

from __future__ import annotations

import difflib
import hashlib
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from civicplan.accounts.models import Department, Organization, User
from civicplan.budget.importers.budget_files import (
    BudgetFileInvalid,
    BudgetRow,
    ParsedBudgetFile,
    Reconciliation,
    RowError,
    SkippedRow,
    read_budget_file,
    split_code,
)
from civicplan.budget.models import (
    AMOUNT_FIELDS,
    AmountKind,
    BudgetLine,
    Fund,
    NameMapping,
    line_identity,
    normal_text,
)
from civicplan.budget.selectors.common import fy_label, plan_fiscal_years
from civicplan.core.history import record_change
from civicplan.core.models import ContentGeneration
from civicplan.lib.money import format_money
from civicplan.plans.models import PendingImport, Plan

__all__ = [
    "BUDGET_PURPOSE",
    "BudgetImportRefused",
    "BudgetPreview",
    "NameChoice",
    "PlannedLine",
    "confirm_budget_import",
    "hold_budget_file",
    "import_budget_file",
    "name_field",
    "preview_budget_file",
]

BUDGET_PURPOSE = "budget"
SAMPLE_SIZE = 20
SHOWN_ERRORS = 50
SHOWN_SKIPPED = 100
BATCH_SIZE = 2000
NEW = "new"
KIND_ORDER = {kind: index for index, kind in enumerate(("proposed", "adopted", "revised", "actual"))}
# Words that say what kind of unit a name is, not which one: "Public Works Dept." ~ "Public Works".
_PLACE_PREFIX = re.compile(r"^\s*(city|town|county|village|ciudad|condado)\s+(of|de)\s+", re.IGNORECASE)
_NOISE_WORDS = {
    "department",
    "dept",
    "division",
    "div",
    "office",
    "bureau",
    "the",
    "of",
    "fund",
    "departamento",
}


def name_field(kind: str, spelling: str) -> str:
    """The form field that carries the person's choice for one spelling (stable across requests)."""
    digest = hashlib.sha1(normal_text(spelling).encode(), usedforsecurity=False).hexdigest()[:12]
    return f"map-{kind}-{digest}"


def _kind_label(kind: str) -> str:
    return str(AmountKind(kind).label)


def column_label(key: tuple[int, str], organization: Organization | None) -> str:
    return f"{fy_label(key[0], organization)} {_kind_label(key[1]).lower()}"


@dataclass
class NameChoice:
    """A department or fund name in the file that is none of ours yet: the person maps it to one of ours or has
    it created. `choice` is "" (not chosen), "new", or the id of the department or fund."""

    kind: str  # NameMapping.Kind
    spelling: str
    code: str = ""
    name: str = ""
    rows: list[int] = field(default_factory=list)
    suggestion: int | None = None
    choice: str = ""

    @property
    def key(self) -> str:
        return normal_text(self.spelling)

    @property
    def field_name(self) -> str:
        return name_field(self.kind, self.spelling)

    @property
    def resolved(self) -> bool:
        return bool(self.choice)

    @property
    def initial(self) -> str:
        """What the select shows: the person's choice, else the closest existing name, else "create"."""
        if self.choice:
            return self.choice
        return str(self.suggestion) if self.suggestion else NEW

    @property
    def shown_rows(self) -> str:
        shown = ", ".join(str(number) for number in self.rows[:10])
        return shown + (" …" if len(self.rows) > 10 else "")


@dataclass
class PlannedLine:
    """One budget line of one fiscal year as the import will leave it, with the amounts of the kinds the file
    gives. `state` is new, changed (old amounts kept for the preview) or unchanged."""

    rows: list[int]
    fiscal_year: int
    fund: Fund | None
    new_fund: str  # the spelling of a fund the import creates
    department: Department | None
    new_department: str
    program: str
    account: str
    description: str
    is_transfer: bool
    amounts: dict[str, Decimal] = field(default_factory=dict)
    state: str = "new"
    existing_id: int | None = None
    old: dict[str, Decimal | None] = field(default_factory=dict)
    old_transfer: bool = False
    year_label: str = ""  # "FY 2025-26"

    @property
    def fund_label(self) -> str:
        return str(self.fund) if self.fund else _("%(name)s (new)") % {"name": self.new_fund}

    @property
    def department_label(self) -> str:
        if self.department:
            return self.department.localized("name")
        return _("%(name)s (new)") % {"name": self.new_department}

    @property
    def identity(self) -> str:
        assert self.fund is not None and self.department is not None
        return line_identity(
            fund_id=self.fund.pk,
            department_id=self.department.pk,
            program=self.program,
            account=self.account,
            description=self.description,
        )

    def kind_state(self, kind: str) -> str:
        if self.state == "new":
            return "new"
        return "changed" if self.old.get(kind) != self.amounts[kind] else "unchanged"

    @property
    def amount_texts(self) -> list[tuple[str, str]]:
        return [(_kind_label(kind), format_money(self.amounts[kind], cents=True)) for kind in self._kinds]

    @property
    def change_texts(self) -> list[tuple[str, str, str]]:
        """(kind, now, after the import) for each amount that changes."""
        return [
            (
                _kind_label(kind),
                format_money(self.old.get(kind), cents=True),
                format_money(self.amounts[kind], cents=True),
            )
            for kind in self._kinds
            if self.old.get(kind) != self.amounts[kind]
        ]

    @property
    def _kinds(self) -> list[str]:
        return sorted(self.amounts, key=KIND_ORDER.__getitem__)


@dataclass(frozen=True)
class CountRow:
    label: str
    new: int
    changed: int
    unchanged: int


@dataclass(frozen=True)
class TotalsTable:
    """Totals of the file's lines by fund or by department, one column per fiscal year and kind."""

    columns: list[str]
    rows: list[tuple[str, list[str]]]
    total: list[str]


@dataclass
class BudgetPreview:
    filename: str
    organization: Organization | None = None
    fund: Fund | None = None  # the fund chosen for rows whose file names none
    parsed: ParsedBudgetFile | None = None
    lines: list[PlannedLine] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    names: list[NameChoice] = field(default_factory=list)
    rows_without_fund: list[int] = field(default_factory=list)
    waiting_rows: int = 0  # rows whose department or fund the person has not chosen yet

    @property
    def shape(self) -> str:
        return self.parsed.shape if self.parsed else ""

    @property
    def skipped(self) -> list[SkippedRow]:
        return self.parsed.skipped if self.parsed else []

    @property
    def shown_skipped(self) -> list[SkippedRow]:
        return self.skipped[:SHOWN_SKIPPED]

    @property
    def more_skipped(self) -> int:
        return max(0, len(self.skipped) - SHOWN_SKIPPED)

    @property
    def reconciliations(self) -> list[Reconciliation]:
        return self.parsed.reconciliations if self.parsed else []

    @property
    def reconciliation_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "row": check.number,
                "label": check.label,
                "column": column_label((check.fiscal_year, check.kind), self.organization),
                "file": format_money(check.file_amount, cents=True),
                "lines": format_money(check.lines_amount, cents=True),
                "count": check.line_count,
                "matches": check.matches,
                "difference": format_money(check.difference, cents=True),
            }
            for check in self.reconciliations
        ]

    @property
    def mismatches(self) -> int:
        return sum(1 for check in self.reconciliations if not check.matches)

    def _count(self, state: str) -> int:
        return sum(1 for line in self.lines if line.state == state)

    @property
    def new(self) -> int:
        return self._count("new")

    @property
    def changed(self) -> int:
        return self._count("changed")

    @property
    def unchanged(self) -> int:
        return self._count("unchanged")

    @property
    def to_write(self) -> int:
        return self.new + self.changed

    @property
    def unresolved(self) -> list[NameChoice]:
        return [name for name in self.names if not name.resolved]

    @property
    def needs_fund(self) -> bool:
        return bool(self.rows_without_fund)

    @property
    def ok(self) -> bool:
        """Nothing stands in the way of the import."""
        return self.parsed is not None and not self.errors and not self.unresolved and not self.needs_fund

    @property
    def shown_errors(self) -> list[RowError]:
        return self.errors[:SHOWN_ERRORS]

    @property
    def more_errors(self) -> int:
        return max(0, len(self.errors) - SHOWN_ERRORS)

    @property
    def sample(self) -> list[PlannedLine]:
        return self.lines[:SAMPLE_SIZE]

    @property
    def changes(self) -> list[PlannedLine]:
        return [line for line in self.lines if line.state == "changed"][:SHOWN_ERRORS]

    @property
    def choices_signature(self) -> str:
        """The mapping the preview was computed with; the import refuses a different one the person has not seen."""
        parts = sorted(f"{name.field_name}={name.choice}" for name in self.names)
        parts.append(f"fund={self.fund.pk if self.fund else ''}")
        return hashlib.sha1("|".join(parts).encode(), usedforsecurity=False).hexdigest()[:16]

    @property
    def columns(self) -> list[tuple[int, str]]:
        keys = {(line.fiscal_year, kind) for line in self.lines for kind in line.amounts}
        return sorted(keys, key=lambda key: (key[0], KIND_ORDER[key[1]]))

    @property
    def counts(self) -> list[CountRow]:
        """New, changed and unchanged amounts per fiscal year and kind."""
        tally: dict[tuple[int, str], dict[str, int]] = defaultdict(
            lambda: {"new": 0, "changed": 0, "unchanged": 0}
        )
        for line in self.lines:
            for kind in line.amounts:
                tally[(line.fiscal_year, kind)][line.kind_state(kind)] += 1
        return [
            CountRow(column_label(key, self.organization), **tally[key])
            for key in self.columns  # same order as the totals
        ]

    @property
    def totals_by_fund(self) -> TotalsTable:
        return self._totals(lambda line: line.fund_label)

    @property
    def totals_by_department(self) -> TotalsTable:
        return self._totals(lambda line: line.department_label)

    def _totals(self, label_of: Any) -> TotalsTable:
        columns = self.columns
        sums: dict[str, dict[tuple[int, str], Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        grand: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
        for line in self.lines:
            label = label_of(line)
            for kind, amount in line.amounts.items():
                sums[label][(line.fiscal_year, kind)] += amount
                grand[(line.fiscal_year, kind)] += amount
        rows = [
            (label, [format_money(sums[label].get(key), cents=True) for key in columns])
            for label in sorted(sums)
        ]
        return TotalsTable(
            columns=[column_label(key, self.organization) for key in columns],
            rows=rows,
            total=[format_money(grand.get(key), cents=True) for key in columns],
        )


class BudgetImportRefused(Exception):
    """The file has problems or names still to map: nothing was written. Carries the preview."""

    def __init__(self, preview: BudgetPreview) -> None:
        super().__init__(f"{len(preview.errors)} problems, {len(preview.unresolved)} names to map")
        self.preview = preview


def _require(user: User, perm: str, obj: Any = None) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied(_("You do not have permission to do this."))


# --- Names: which department or fund a spelling means -----------------------------------------------------------


def _stripped(text: str) -> str:
    words = re.findall(r"[\w&]+", normal_text(text))
    return " ".join(word for word in words if word not in _NOISE_WORDS) or normal_text(text)


class _Names:
    """Every department, fund and confirmed mapping of the organization, read once, and the person's choices."""

    def __init__(
        self, organization: Organization, choices: Mapping[str, str], *, create_missing: bool = False
    ) -> None:
        self.departments = {d.pk: d for d in Department.objects.filter(organization=organization)}
        self.funds = {f.pk: f for f in Fund.objects.filter(organization=organization)}
        self.department_by: dict[str, Department] = {}
        for department in self.departments.values():
            self.department_by[department.code.casefold()] = department
            for name in (department.name_es, department.name_en):  # English wins over a same Spanish name
                if name:
                    self.department_by[normal_text(name)] = department
        self.fund_code = {fund.code.casefold(): fund for fund in self.funds.values()}
        self.fund_name = {
            normal_text(name): fund
            for fund in self.funds.values()
            for name in (fund.name_en, fund.name_es)
            if name
        }
        self.mapped: dict[str, dict[str, Any]] = {"department": {}, "fund": {}}
        for mapping in NameMapping.objects.filter(organization=organization):
            target = self.departments.get(mapping.department_id) or self.funds.get(mapping.fund_id)
            if target is not None:
                self.mapped[mapping.kind][mapping.spelling] = target
        self.choices = choices
        self.create_missing = create_missing
        self.unknown: dict[tuple[str, str], NameChoice] = {}

    def department(self, row: BudgetRow) -> tuple[Department | None, str]:
        """(department, "") when known; (None, spelling) when the person chose to create it; (None, "") when the
        spelling waits for a choice."""
        if row.department_code and row.department_code.casefold() in self.department_by:
            return self.department_by[row.department_code.casefold()], ""
        spelling = row.department or row.department_code
        key = normal_text(spelling)
        known = self.department_by.get(key) or self.mapped["department"].get(key)
        if known is not None:
            return known, ""
        return self._chosen("department", spelling, row.department_code, row.department, row.number)

    def fund(self, text: str, code: str, name: str, number: int) -> tuple[Fund | None, str]:
        if code and code.casefold() in self.fund_code:
            return self.fund_code[code.casefold()], ""
        key = normal_text(text)
        known = (
            self.fund_name.get(normal_text(name)) or self.fund_name.get(key) or self.mapped["fund"].get(key)
        )
        if known is not None:
            return known, ""
        return self._chosen("fund", text, code, name, number)

    def _chosen(self, kind: str, spelling: str, code: str, name: str, number: int) -> tuple[Any, str]:
        entry = self.unknown.get((kind, normal_text(spelling)))
        if entry is None:
            entry = NameChoice(kind=kind, spelling=spelling, code=code, name=name or spelling)
            entry.suggestion = self._closest(kind, spelling, code)
            entry.choice = self._valid_choice(kind, self.choices.get(entry.field_name, ""))
            if not entry.choice and self.create_missing:
                entry.choice = NEW
            self.unknown[(kind, entry.key)] = entry
        entry.rows.append(number)
        if entry.choice == NEW:
            return None, entry.spelling
        if entry.choice:
            pool = self.departments if kind == "department" else self.funds
            return pool[int(entry.choice)], ""
        return None, ""

    def _valid_choice(self, kind: str, value: str) -> str:
        if value == NEW:
            return NEW
        pool = self.departments if kind == "department" else self.funds
        return value if value.isdigit() and int(value) in pool else ""

    def _closest(self, kind: str, spelling: str, code: str) -> int | None:
        """The existing department or fund a person would most likely mean: same code, same name once words like
        "Dept." are dropped, a spelling confirmed before that looks alike, or the closest name (difflib)."""
        pool: dict[int, Any] = self.departments if kind == "department" else self.funds
        if code:
            for target in pool.values():
                if target.code.casefold() == code.casefold():
                    return int(target.pk)
        candidates: dict[str, int] = {}
        for target in pool.values():
            candidates[_stripped(target.code)] = target.pk
            for name in (target.name_en, target.name_es):
                if name:
                    candidates.setdefault(_stripped(name), target.pk)
        for confirmed, target in self.mapped[kind].items():
            candidates.setdefault(_stripped(confirmed), target.pk)
        wanted = _stripped(spelling)
        if wanted in candidates:
            return candidates[wanted]
        close = difflib.get_close_matches(wanted, list(candidates), n=1, cutoff=0.6)
        return candidates[close[0]] if close else None


# --- Checks ---------------------------------------------------------------------------------------------------


def preview_budget_file(
    *,
    organization: Organization,
    plan: Plan | None,
    user: User,
    filename: str,
    data: bytes,
    fund: Fund | None = None,
    choices: Mapping[str, str] | None = None,
    create_missing: bool = False,
) -> BudgetPreview:
    """What the file would do, line by line, every problem in it and the names still to map. Writes nothing."""
    _require(user, "budget.manage_budget")
    return _plan_file(
        organization=organization,
        plan=plan,
        filename=filename,
        data=data,
        fund=fund,
        choices=choices or {},
        create_missing=create_missing,
    )


def _plan_file(
    *,
    organization: Organization,
    plan: Plan | None,
    filename: str,
    data: bytes,
    fund: Fund | None,
    choices: Mapping[str, str],
    create_missing: bool,
) -> BudgetPreview:
    preview = BudgetPreview(filename=filename, organization=organization, fund=fund)
    try:
        parsed = read_budget_file(
            filename, data, fiscal_year_start_month=organization.fiscal_year_start_month
        )
    except BudgetFileInvalid as error:
        preview.errors = error.errors
        return preview
    preview.parsed = parsed
    errors: list[RowError] = list(parsed.errors)
    wrong_place = _wrong_place(parsed, organization)
    if wrong_place:
        preview.errors = [RowError(None, wrong_place)]
        return preview
    rows = _rows_in_plan(parsed, plan, organization, errors, preview.warnings)
    if rows is None:
        preview.errors = errors
        return preview
    names = _Names(organization, choices, create_missing=create_missing)
    preview.lines = _lines(rows, parsed, names, fund, errors, preview)
    preview.names = sorted(names.unknown.values(), key=lambda name: (name.kind, name.key))
    _compare_with_stored(organization, preview.lines)
    errors.sort(key=lambda error: error.row or 0)
    preview.errors = errors
    return preview


def _wrong_place(parsed: ParsedBudgetFile, organization: Organization) -> str:
    """ "This file looks like the budget of X, not Y" when a title row or a city column names another place."""
    ours = set()
    for name in (organization.name_en, organization.name_es):
        if name:
            ours.add(normal_text(name))
            ours.add(normal_text(_PLACE_PREFIX.sub("", name)))
    others = []
    for _number, place in parsed.places:
        key = normal_text(_PLACE_PREFIX.sub("", place))
        if not any(key.startswith(name) or name.startswith(key) for name in ours) and place not in others:
            others.append(place)
    if not others:
        return ""
    return _(
        "This file looks like the budget of %(place)s, not %(city)s. Check that you picked the right file."
    ) % {
        "place": ", ".join(others[:3]),
        "city": organization.localized("name"),
    }


def _rows_in_plan(
    parsed: ParsedBudgetFile,
    plan: Plan | None,
    organization: Organization,
    errors: list[RowError],
    warnings: list[str],
) -> list[BudgetRow] | None:
    """The rows (and amounts) inside the plan's fiscal years. A long file's row outside them is a row error; a
    wide file's column outside them (last year's actuals beside this year's budget) is left out with a warning.
    A file with nothing inside them is one file-level error (None)."""
    if plan is None:
        return parsed.rows
    years = set(plan_fiscal_years(plan))
    span = _("the plan covers %(first)s – %(last)s") % {
        "first": fy_label(min(years), organization),
        "last": fy_label(max(years), organization),
    }
    found = sorted({year for row in parsed.rows for year, _kind in row.amounts})
    if found and not years.intersection(found):
        labels = ", ".join(fy_label(year, organization) for year in found[:4]) + (
            " …" if len(found) > 4 else ""
        )
        errors[:] = [
            RowError(None, _("This file is for %(years)s; %(span)s.") % {"years": labels, "span": span})
        ]
        return None
    if parsed.shape == "wide":
        outside = [column.header for column in parsed.year_columns if column.fiscal_year not in years]
        if outside:
            warnings.append(
                _("These columns are outside the plan's years and are not imported: %(columns)s (%(span)s).")
                % {"columns": ", ".join(outside), "span": span}
            )
        for row in parsed.rows:
            row.amounts = {key: amount for key, amount in row.amounts.items() if key[0] in years}
        return [row for row in parsed.rows if row.amounts]
    kept = []
    for row in parsed.rows:
        year = next(iter(row.amounts))[0]
        if year in years:
            kept.append(row)
        else:
            errors.append(
                RowError(
                    row.number,
                    _("%(year)s is outside the plan (%(span)s)")
                    % {"year": fy_label(year, organization), "span": span},
                )
            )
    return kept


def _row_fund(
    row: BudgetRow, parsed: ParsedBudgetFile, names: _Names, fund: Fund | None
) -> tuple[Any, str, bool]:
    """(fund, new fund spelling, known): the row's own fund, else the title row's, else the one the person chose."""
    if row.fund:
        return (*names.fund(row.fund, row.fund_code, row.fund_name, row.number), True)
    if parsed.title_fund:
        code, name = split_code(parsed.title_fund)
        return (*names.fund(parsed.title_fund, code, name, row.number), True)
    return fund, "", fund is not None


def _lines(
    rows: list[BudgetRow],
    parsed: ParsedBudgetFile,
    names: _Names,
    fund: Fund | None,
    errors: list[RowError],
    preview: BudgetPreview,
) -> list[PlannedLine]:
    """One planned line per (fiscal year, line identity), merging the kinds of amounts the rows give; the same
    identity, year and kind twice is an error naming the other row."""
    lines: dict[tuple[Any, ...], PlannedLine] = {}
    seen: dict[tuple[Any, ...], int] = {}
    for row in rows:
        department, new_department = names.department(row)
        row_fund, new_fund, has_fund = _row_fund(row, parsed, names, fund)
        if not has_fund:
            preview.rows_without_fund.append(row.number)
        if (department is None and not new_department) or (row_fund is None and not new_fund):
            preview.waiting_rows += 1
            continue
        base = (
            ("id", row_fund.pk) if row_fund else ("new", normal_text(new_fund)),
            ("id", department.pk) if department else ("new", normal_text(new_department)),
            normal_text(row.program),
            normal_text(row.account),
            normal_text(row.description),
        )
        twins = [seen[(year, *base, kind)] for year, kind in row.amounts if (year, *base, kind) in seen]
        if twins:
            errors.append(
                RowError(
                    row.number,
                    _(
                        "same line as row %(other)s (same fund, department, program, account, description, year "
                        "and kind): keep one of them"
                    )
                    % {"other": twins[0]},
                )
            )
            continue
        for (year, kind), amount in row.amounts.items():
            seen[(year, *base, kind)] = row.number
            line = lines.get((year, *base))
            if line is None:
                line = lines[(year, *base)] = PlannedLine(
                    rows=[],
                    fiscal_year=year,
                    fund=row_fund,
                    new_fund=new_fund,
                    department=department,
                    new_department=new_department,
                    program=row.program[:200],
                    account=row.account[:200],
                    description=row.description[:500],
                    is_transfer=row.is_transfer,
                    year_label=fy_label(year, preview.organization),
                )
            if row.number not in line.rows:
                line.rows.append(row.number)
            line.amounts[kind] = amount
    return list(lines.values())


def _compare_with_stored(organization: Organization, lines: list[PlannedLine]) -> None:
    """Match each line with the stored line of the same fiscal year and identity: equal amounts of the kinds the
    file gives = unchanged, else changed (the kinds the file does not give are left alone)."""
    known = [line for line in lines if line.fund is not None and line.department is not None]
    if not known:
        return
    fields = list(AMOUNT_FIELDS.values())
    stored = {
        (year, identity): (pk, transfer, dict(zip(AMOUNT_FIELDS, amounts, strict=True)))
        for year, identity, pk, transfer, *amounts in BudgetLine.objects.filter(
            organization=organization, fiscal_year__in={line.fiscal_year for line in known}
        ).values_list("fiscal_year", "identity", "pk", "is_transfer", *fields)
    }
    for line in known:
        match = stored.get((line.fiscal_year, line.identity))
        if match is None:
            continue
        line.existing_id, line.old_transfer, line.old = match
        same = line.old_transfer == line.is_transfer and all(
            line.old.get(kind) == amount for kind, amount in line.amounts.items()
        )
        line.state = "unchanged" if same else "changed"


# --- Writing --------------------------------------------------------------------------------------------------


@transaction.atomic
def import_budget_file(
    *,
    organization: Organization,
    plan: Plan | None,
    user: User,
    filename: str,
    data: bytes,
    fund: Fund | None = None,
    choices: Mapping[str, str] | None = None,
    create_missing: bool = False,
) -> BudgetPreview:
    """Write every new and changed line of the file, or nothing: any problem or unmapped name raises
    BudgetImportRefused before the first write, and a failure during the writes rolls everything back. Unchanged
    lines are skipped, so the same file twice gives the same data. The person's mapping choices become NameMapping
    rows (and new departments and funds), so the next file with the same spellings maps by itself."""
    _require(user, "budget.manage_budget")
    preview = _plan_file(
        organization=organization,
        plan=plan,
        filename=filename,
        data=data,
        fund=fund,
        choices=choices or {},
        create_missing=create_missing,
    )
    if not preview.ok:
        raise BudgetImportRefused(preview)
    reason = _("Imported from %(name)s") % {"name": filename[:200]}
    created = _create_names(organization, user, preview.names, reason)
    for line in preview.lines:
        if line.department is None:
            line.department = created[("department", normal_text(line.new_department))]
        if line.fund is None:
            line.fund = created[("fund", normal_text(line.new_fund))]
    _write_lines(organization, user, filename, preview.lines, reason)
    if preview.to_write or preview.names:
        ContentGeneration.bump()
    return preview


def _create_names(
    organization: Organization, user: User, names: list[NameChoice], reason: str
) -> dict[tuple[str, str], Any]:
    """Departments and funds the person chose to create, and a NameMapping for every choice."""
    created: dict[tuple[str, str], Any] = {}
    for name in names:
        if name.choice == NEW:
            target = (
                _new_department(organization, user, name, reason)
                if name.kind == "department"
                else _new_fund(organization, user, name, reason)
            )
            created[(name.kind, name.key)] = target
        else:
            model = Department if name.kind == "department" else Fund
            target = model.objects.get(pk=int(name.choice), organization=organization)
        mapping = NameMapping(
            organization=organization,
            kind=name.kind,
            spelling=name.key[:200],
            created_by=user,
            **{name.kind: target},
        )
        record_change(mapping, user, reason)
        mapping.save()
    return created


def _unique_code(taken: set[str], wanted: str, limit: int) -> str:
    base = (wanted or "new")[:limit]
    code, number = base, 2
    while code.casefold() in taken:
        suffix = f"-{number}"
        code, number = base[: limit - len(suffix)] + suffix, number + 1
    return code


def _new_department(organization: Organization, user: User, name: NameChoice, reason: str) -> Department:
    taken = {
        code.casefold()
        for code in Department.objects.filter(organization=organization).values_list("code", flat=True)
    }
    wanted = slugify(name.code) if name.code else slugify(_stripped(name.name) or name.name)
    department = Department(
        organization=organization,
        code=_unique_code(taken, wanted.upper(), 20),
        name_en=(name.name or name.spelling)[:200],
    )
    record_change(department, user, reason)
    department.save()
    return department


def _new_fund(organization: Organization, user: User, name: NameChoice, reason: str) -> Fund:
    taken = {
        code.casefold()
        for code in Fund.objects.filter(organization=organization).values_list("code", flat=True)
    }
    wanted = name.code or slugify(name.name).upper()
    fund = Fund(
        organization=organization,
        code=_unique_code(taken, wanted, 40),
        name_en=(name.name or name.spelling)[:200],
    )
    record_change(fund, user, reason)
    fund.save()
    return fund


def _write_lines(
    organization: Organization, user: User, filename: str, lines: list[PlannedLine], reason: str
) -> None:
    new = []
    for line in lines:
        if line.state != "new":
            continue
        budget_line = BudgetLine(
            organization=organization,
            fiscal_year=line.fiscal_year,
            fund=line.fund,
            department=line.department,
            program=line.program,
            account=line.account,
            description=line.description,
            identity=line.identity,  # bulk_create skips save(), which sets it
            is_transfer=line.is_transfer,
            source=filename[:255],
            **{AMOUNT_FIELDS[kind]: amount for kind, amount in line.amounts.items()},
        )
        new.append(budget_line)
    if new:
        bulk_create_with_history(
            new, BudgetLine, batch_size=BATCH_SIZE, default_user=user, default_change_reason=reason
        )
    changed = {line.existing_id: line for line in lines if line.state == "changed"}
    if not changed:
        return
    now = timezone.now()
    current = BudgetLine.objects.in_bulk(list(changed))
    kinds = sorted({kind for line in changed.values() for kind in line.amounts}, key=KIND_ORDER.__getitem__)
    for pk, line in changed.items():
        stored = current[pk]
        for kind, amount in line.amounts.items():
            setattr(stored, AMOUNT_FIELDS[kind], amount)
        stored.is_transfer = line.is_transfer
        stored.updated_at = now
    bulk_update_with_history(
        list(current.values()),
        BudgetLine,
        [*(AMOUNT_FIELDS[kind] for kind in kinds), "is_transfer", "updated_at"],
        batch_size=BATCH_SIZE,
        default_user=user,
        default_change_reason=reason,
    )


# --- Held uploads ---------------------------------------------------------------------------------------------


def hold_budget_file(*, user: User, filename: str, data: bytes) -> PendingImport:
    """Keep an upload for its preview page (plans.PendingImport, purpose "budget")."""
    from civicplan.plans.services import hold_import

    _require(user, "budget.manage_budget")
    return hold_import(user=user, filename=filename, data=data, purpose=BUDGET_PURPOSE)


@transaction.atomic
def confirm_budget_import(
    *,
    pending: PendingImport,
    organization: Organization,
    plan: Plan | None,
    user: User,
    fund: Fund | None = None,
    choices: Mapping[str, str] | None = None,
) -> BudgetPreview | None:
    """Import a held upload once; a second confirmation of the same upload finds it gone and returns None.
    Raises BudgetImportRefused (and keeps the upload) when the file has problems by now."""
    _require(user, "budget.manage_budget")
    held = (
        PendingImport.objects.select_for_update()
        .filter(pk=pending.pk, created_by=user, purpose=BUDGET_PURPOSE)
        .first()
    )
    if held is None:
        return None
    preview = import_budget_file(
        organization=organization,
        plan=plan,
        user=user,
        filename=held.filename,
        data=bytes(held.content),
        fund=fund,
        choices=choices,
    )
    held.delete()
    return preview

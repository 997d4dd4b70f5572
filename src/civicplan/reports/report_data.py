"""The figures of a report, built once and shared by every format (HTML page, tagged PDF, XLSX, the command).

Three kinds: `quarterly` (a fiscal quarter, `FY2026-Q2`), `annual` (the report card of a fiscal year, `FY2026`)
and `accomplishments` (year-end: actions completed and milestones done in the fiscal year). A fiscal year is named
by the year it ends, as budget books write it (`FY2026` = FY 2025-26 with a July start).

Everything comes from the public selectors: the ADOPTED version's tree (`public_plan`), published indicators,
published progress updates and the adopted budget. A draft element, a draft indicator or an unpublished update
never reaches a report. A section is present only when it has data.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from civicplan.budget import selectors as budget_selectors
from civicplan.lib.codes import code_key
from civicplan.lib.fiscal import fiscal_year_bounds, fiscal_year_label, fiscal_year_of, parse_fiscal_year
from civicplan.lib.periods import QUARTERLY, PeriodError, add_months, parse_period, quarter_number
from civicplan.performance import selectors as indicator_selectors
from civicplan.plans import selectors as plan_selectors

QUARTERLY_KIND = "quarterly"
ANNUAL = "annual"
ACCOMPLISHMENTS = "accomplishments"
KINDS = (QUARTERLY_KIND, ANNUAL, ACCOMPLISHMENTS)
LANGUAGES = ("en", "es")
NO_STATUS_COLOR = "#dfe1e2"
_QUARTER_KEY = re.compile(r"^FY\s*(\d{4})\s*-?\s*Q([1-4])$", re.IGNORECASE)
_YEAR_KEY = re.compile(r"^FY\s*(\d{4})$", re.IGNORECASE)


class ReportError(ValueError):
    """A report that cannot be built as asked (unknown kind, a period that is not one); the message says why."""


def kind_label(kind: str) -> str:
    return {
        QUARTERLY_KIND: _("Quarterly progress report"),
        ANNUAL: _("Annual report card"),
        ACCOMPLISHMENTS: _("Year-end accomplishments"),
    }[kind]


# --- Periods ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportPeriod:
    kind: str
    fiscal_year: int  # the start year, as lib.fiscal counts it
    start: dt.date
    end: dt.date
    quarter: int | None
    fy_start_month: int

    @property
    def key(self) -> str:
        """`FY2026-Q2` or `FY2026`: the year the fiscal year ends (the calendar year when FYs are calendar years)."""
        end_year = self.fiscal_year if self.fy_start_month == 1 else self.fiscal_year + 1
        return f"FY{end_year}-Q{self.quarter}" if self.quarter else f"FY{end_year}"

    @property
    def label(self) -> str:
        """In the active language: `FY 2025-26 Q2`, `FY 2025-26`."""
        # Translators: abbreviation of "fiscal year", as in "FY 2025-26" (Spanish: "AF", año fiscal).
        year = fiscal_year_label(self.fiscal_year, self.fy_start_month, _("FY"))
        if self.quarter:
            # Translators: a fiscal quarter, e.g. "FY 2025-26 Q2" (Spanish: "T2", trimestre).
            return _("%(year)s Q%(quarter)s") % {"year": year, "quarter": self.quarter}
        return year

    @property
    def fiscal_year_label(self) -> str:
        return fiscal_year_label(self.fiscal_year, self.fy_start_month, _("FY"))


def parse_report_period(kind: str, text: str, fy_start_month: int = 7) -> ReportPeriod:
    """`FY2026-Q2` for a quarterly report, `FY2026` (or `FY 2025-26`) for the annual and accomplishments reports."""
    if kind not in KINDS:
        raise ReportError(_("Unknown report kind %(kind)r.") % {"kind": kind})
    text = (text or "").strip()
    if kind == QUARTERLY_KIND:
        try:
            start = parse_period(text, QUARTERLY, fy_start_month)
        except PeriodError:
            raise ReportError(
                _("%(text)r is not a fiscal quarter (expected e.g. FY2026-Q2).") % {"text": text}
            ) from None
        return ReportPeriod(
            kind=kind,
            fiscal_year=fiscal_year_of(start, fy_start_month),
            start=start,
            end=add_months(start, 3) - dt.timedelta(days=1),
            quarter=quarter_number(start, fy_start_month),
            fy_start_month=fy_start_month,
        )
    try:
        year = parse_fiscal_year(text, fy_start_month)
    except ValueError:
        raise ReportError(
            _("%(text)r is not a fiscal year (expected e.g. FY2026).") % {"text": text}
        ) from None
    first, last = fiscal_year_bounds(year, fy_start_month)
    return ReportPeriod(kind, year, first, last, None, fy_start_month)


def default_period(kind: str, today: dt.date, fy_start_month: int = 7) -> ReportPeriod:
    """The quarter (or fiscal year) that contains `today`."""
    year = fiscal_year_of(today, fy_start_month)
    if kind == QUARTERLY_KIND:
        first = dt.date(year, fy_start_month, 1)
        months_in = (today.year - first.year) * 12 + today.month - first.month
        start = add_months(first, months_in - months_in % 3)
        return ReportPeriod(
            kind,
            year,
            start,
            add_months(start, 3) - dt.timedelta(days=1),
            quarter_number(start, fy_start_month),
            fy_start_month,
        )
    first, last = fiscal_year_bounds(year, fy_start_month)
    return ReportPeriod(kind, year, first, last, None, fy_start_month)


def period_choices(kind: str, first_year: int, years: int, fy_start_month: int = 7) -> list[ReportPeriod]:
    """Every quarter (or fiscal year) of the plan's period, in order."""
    found = []
    for year in range(first_year, first_year + years):
        first, last = fiscal_year_bounds(year, fy_start_month)
        if kind == QUARTERLY_KIND:
            for quarter in range(1, 5):
                start = add_months(first, 3 * (quarter - 1))
                end = add_months(start, 3) - dt.timedelta(days=1)
                found.append(ReportPeriod(kind, year, start, end, quarter, fy_start_month))
        else:
            found.append(ReportPeriod(kind, year, first, last, None, fy_start_month))
    return found


# --- The report's figures -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusColumn:
    key: str
    name: str
    color: str


@dataclass
class StatusRow:
    """Actions under one priority or goal of the adopted plan, by status (counts in the columns' order)."""

    code: str
    title: str
    level: str  # "priority" or "goal"
    counts: list[int]
    complete: int

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def shares(self) -> list[Decimal | None]:
        """Each count as a percent of the row's actions (one decimal), None when there are no actions."""
        return [share(count, self.total) for count in self.counts]

    @property
    def cells(self) -> list[tuple[int, Decimal | None]]:
        return list(zip(self.counts, self.shares, strict=True))


def share(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


@dataclass
class IndicatorLine:
    key: str
    name: str
    unit: str
    items: str  # the codes of the adopted elements it measures, "1.1, 2.3"
    value: Decimal | None
    value_text: str
    period_text: str
    target: Decimal | None
    target_text: str
    status: str  # IndicatorStatus value
    status_label: str


@dataclass
class Highlight:
    code: str
    title: str
    period: str
    status: str
    progress: Decimal | None
    narrative: str


@dataclass
class CompletedAction:
    code: str
    title: str
    department: str
    status: str
    completed_on: dt.date | None


@dataclass
class MilestoneDone:
    code: str  # the action's code
    action: str
    title: str
    done_on: dt.date


@dataclass
class BudgetRow:
    code: str
    title: str
    level: str
    amount: Decimal
    share: Decimal | None  # percent of the year's total


@dataclass
class BudgetSummary:
    fiscal_year_label: str
    rows: list[BudgetRow]
    total: Decimal
    unlinked: Decimal
    not_adopted: Decimal

    @property
    def priorities(self) -> list[BudgetRow]:
        return [row for row in self.rows if row.level == "priority"]


@dataclass
class Report:
    kind: str
    period: ReportPeriod
    language: str
    title: str
    plan_title: str
    organization: str
    version_label: str
    generated_on: dt.date
    statuses: list[StatusColumn] = field(default_factory=list)
    status_rows: list[StatusRow] = field(default_factory=list)
    status_total: StatusRow | None = None
    indicators: list[IndicatorLine] = field(default_factory=list)
    indicator_counts: list[tuple[str, str, int]] = field(default_factory=list)  # (status, label, count)
    highlights: list[Highlight] = field(default_factory=list)
    completed: list[CompletedAction] = field(default_factory=list)
    milestones: list[MilestoneDone] = field(default_factory=list)
    budget: BudgetSummary | None = None

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)

    @property
    def sections(self) -> list[str]:
        """The sections that have data, in reading order."""
        present = {
            "status": bool(self.status_rows),
            "indicators": bool(self.indicators),
            "highlights": bool(self.highlights),
            "completed": bool(self.completed),
            "milestones": bool(self.milestones),
            "budget": self.budget is not None,
        }
        return [key for key, shown in present.items() if shown]

    @property
    def size(self) -> int:
        """Rows across every section: how heavy the report is to lay out."""
        return (
            len(self.status_rows)
            + len(self.indicators)
            + len(self.highlights)
            + len(self.completed)
            + len(self.milestones)
            + (len(self.budget.rows) if self.budget else 0)
        )


def build_report(
    kind: str, period_text: str | None, language: str, *, today: dt.date | None = None
) -> Report:
    """The report of `kind` for the period (default: the one containing today) in `language` ("en" or "es"),
    from the adopted plan. Raises ReportError when there is no adopted plan or the period is not one."""
    if language not in LANGUAGES:
        raise ReportError(_("Reports are available in English (en) and Spanish (es)."))
    if kind not in KINDS:
        raise ReportError(_("Unknown report kind %(kind)r.") % {"kind": kind})
    today = today or timezone.localdate()
    with translation.override(language):
        version = plan_selectors.public_version()
        if version is None:
            raise ReportError(_("There is no adopted plan to report on yet."))
        public = plan_selectors.public_plan(version, language)
        assert public is not None
        organization = public.organization
        month = organization.fiscal_year_start_month
        period = (
            parse_report_period(kind, period_text, month)
            if period_text
            else default_period(kind, today, month)
        )
        report = Report(
            kind=kind,
            period=period,
            language=language,
            title=f"{kind_label(kind)}: {period.label}",
            plan_title=public.title,
            organization=organization.localized("name", language),
            version_label=_("Adopted version %(number)s") % {"number": version.number},
            generated_on=today,
        )
        action_nodes = {node.id: node for node in public.actions()}
        if kind in (QUARTERLY_KIND, ANNUAL):
            _status_section(report, public, language)
            _indicator_section(report, public, period, today)
            _highlights(report, action_nodes, period, language, latest_only=kind == ANNUAL)
            _budget_section(report, public, organization, period)
        else:
            _completed_section(report, action_nodes, period, language)
            _milestone_section(report, action_nodes, period, language)
        return report


def _status_section(report: Report, public: Any, language: str) -> None:
    statuses = list(public.statuses)
    columns = [StatusColumn(s.key, s.localized("name", language), s.color) for s in statuses]
    index = {s.pk: i for i, s in enumerate(statuses)}
    complete_ids = {s.pk for s in statuses if s.counts_as_complete}
    every_action = public.actions()
    with_none = any(action.status is None for action in every_action)
    if with_none:
        columns.append(StatusColumn("", _("No status yet"), NO_STATUS_COLOR))
    width = len(columns)

    def row(node: Any) -> StatusRow:
        counts = [0] * width
        complete = 0
        for action in node.actions():
            if action.status is None:
                counts[width - 1] += 1
            else:
                counts[index[action.status.pk]] += 1
                complete += action.status.pk in complete_ids
        return StatusRow(node.code, node.title, node.level, counts, complete)

    rows: list[StatusRow] = []
    for priority in public.priorities:
        rows.append(row(priority))
        rows += [row(goal) for goal in priority.children]
    if not every_action:
        return
    totals = [sum(r.counts[i] for r in rows if r.level == "priority") for i in range(width)]
    report.statuses = columns
    report.status_rows = rows
    report.status_total = StatusRow(
        "", _("Whole plan"), "plan", totals, sum(r.complete for r in rows if r.level == "priority")
    )


def _indicator_section(report: Report, public: Any, period: ReportPeriod, today: dt.date) -> None:
    as_of = min(period.end, today)
    adopted_codes = set(public.by_code)
    lines = []
    counter: Counter[str] = Counter()
    labels: dict[str, str] = {}
    for row in indicator_selectors.public_indicators(today=as_of):
        codes = sorted((item.code for item in row.items if item.code in adopted_codes), key=code_key)
        fmt = row.fmt
        result = row.result
        target = row.targets.get(period.fiscal_year)
        target_value = target.value if target is not None else None
        indicator = row.indicator
        lines.append(
            IndicatorLine(
                key=indicator.key,
                name=indicator.localized("name", report.language),
                unit=indicator.localized("unit", report.language),
                items=", ".join(codes),
                value=result.value,
                value_text=fmt.amount(result.value) if result.value is not None else "–",
                period_text=fmt.period(result.period) if result.period else "",
                target=target_value,
                target_text=indicator_selectors.target_text(target, indicator, fmt),
                status=str(row.status),
                status_label=str(row.status_label),
            )
        )
        counter[str(row.status)] += 1
        labels[str(row.status)] = str(row.status_label)
    # Indicators of no adopted item go last.
    lines.sort(key=lambda line: (not line.items, code_key(line.items.split(", ")[0]), line.key))
    report.indicators = lines
    report.indicator_counts = [(status, labels[status], count) for status, count in counter.most_common()]


def _highlights(
    report: Report, actions: dict[int, Any], period: ReportPeriod, language: str, *, latest_only: bool
) -> None:
    updates = plan_selectors.published_updates_between(actions.keys(), period.start, period.end)
    if latest_only:  # the annual report: each action's latest update of the year
        latest: dict[int, Any] = {}
        for update in updates:
            latest[update.action_id] = update
        updates = sorted(latest.values(), key=lambda u: code_key(actions[u.action_id].code))
    else:
        updates = sorted(updates, key=lambda u: (u.period.starts_on, code_key(actions[u.action_id].code)))
    report.highlights = [
        Highlight(
            code=actions[u.action_id].code,
            title=actions[u.action_id].title,
            period=u.period.localized("name", language),
            status=u.status.localized("name", language) if u.status else "",
            progress=u.progress,
            narrative=u.localized_narrative(language),
        )
        for u in updates
        if u.localized_narrative(language)
    ]


def _budget_section(report: Report, public: Any, organization: Any, period: ReportPeriod) -> None:
    if period.fiscal_year not in budget_selectors.public_budget_years(organization):
        return
    money = budget_selectors.public_money(public, organization, period.fiscal_year)
    rows = []
    for priority in money.priorities:
        rows.append(
            BudgetRow(priority.item.code, priority.item.title, "priority", priority.amount, priority.share)
        )
        rows += [BudgetRow(g.item.code, g.item.title, "goal", g.amount, g.share) for g in priority.children]
    report.budget = BudgetSummary(
        fiscal_year_label=period.fiscal_year_label,
        rows=rows,
        total=money.total,
        unlinked=money.unlinked,
        not_adopted=money.not_adopted,
    )


def _completed_section(report: Report, actions: dict[int, Any], period: ReportPeriod, language: str) -> None:
    """Actions of the adopted plan whose status counts as complete and whose completion was recorded in the fiscal
    year (the latest published update, else the last change of the action)."""
    found = []
    for node in actions.values():
        if node.status is None or not node.status.counts_as_complete:
            continue
        stamp = node.last_reported_at or node.updated_at
        day = timezone.localdate(stamp) if stamp else None
        if day is not None and not period.start <= day <= period.end:
            continue
        found.append(
            CompletedAction(
                node.code, node.title, node.department, node.status.localized("name", language), day
            )
        )
    found.sort(key=lambda action: code_key(action.code))
    report.completed = found


def _milestone_section(report: Report, actions: dict[int, Any], period: ReportPeriod, language: str) -> None:
    report.milestones = [
        MilestoneDone(
            code=actions[m.action_id].code,
            action=actions[m.action_id].title,
            title=m.localized("title", language),
            done_on=m.done_on,
        )
        for m in plan_selectors.milestones_done_between(actions.keys(), period.start, period.end)
    ]

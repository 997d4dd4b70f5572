"""StratML Part 2 indicators in: created with the draft plan a StratML file is imported as.

The plans parser (`plans/importers/stratml.py`) returns a file's `PerformanceIndicator`s apart from the plan, as
plain text, under the key "stratml_indicators"; the plans module may not write to performance, so this module
(layer 6) registers `INDICATOR_IMPORT` with `core.registry` (see `reports/apps.py`) and the plan import calls it
inside its own transaction: the plan and its indicators are created together or not at all.

Mapping (docs/decisions/0008-stratml.md): `SequenceIndicator` -> key (when it cannot be a key, the position:
`1.2-1`), `MeasurementDimension` -> name, `UnitOfMeasurement` -> unit, `OtherInformation` -> description,
`@ValueChainStage` Input/Output/Outcome -> stage, the objective -> the goal it measures, `TargetResult` -> the
target of the fiscal year its dates fall in, `ActualResult` -> a value of the period starting on its
`StartDate`; the frequency is the length of those periods (a month, a quarter or a fiscal year). The same key
under several objectives is one indicator measuring all of them (that is how the export writes it).

Fields the file lacks stay as a new indicator leaves them (no Spanish text, no direction, baseline or range, the
model's default stage and frequency); a result without `NumberOfUnits` (a band target, a qualitative result) is
left out and counted. `@PerformanceIndicatorType` is checked but not kept: CivicPlan indicators hold numbers.
Anything that cannot be created refuses the whole import, each problem with its place in the file. Indicators
are created unpublished: staff review them, add the Spanish texts and publish them."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from civicplan.core.registry import PlanImportExtra, PlanImportProblem
from civicplan.lib.fiscal import fiscal_year_bounds, fiscal_year_label, fiscal_year_of
from civicplan.lib.numbers import parse_number
from civicplan.lib.periods import FREQUENCIES, MONTHLY, period_end, period_start
from civicplan.performance import services as indicator_services

KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
KEY_LENGTH, NAME_LENGTH, UNIT_LENGTH = 40, 200, 40
STAGE_OF = {"Input": "input", "Output": "output", "Outcome": "outcome"}
STAGES_WITHOUT_PLACE = {"Input_Processing", "Output_Processing"}  # the model knows input, output, outcome
TYPES = {"", "Quantitative", "Qualitative"}
REASON = "Imported from a StratML file"


@dataclass
class _Indicator:
    where: str
    key: str
    definition: dict[str, Any]
    goals: list[str] = field(default_factory=list)
    targets: dict[int, Decimal] = field(default_factory=dict)
    values: dict[dt.date, Decimal] = field(default_factory=dict)


@dataclass
class _Checked:
    indicators: list[_Indicator]
    left_out: int

    def counts(self) -> dict[str, int]:
        return {
            "indicators": len(self.indicators),
            "targets": sum(len(i.targets) for i in self.indicators),
            "values": sum(len(i.values) for i in self.indicators),
            "results_left_out": self.left_out,
        }


def _day(text: str | None, where: str, problems: list[tuple[str, str]]) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        problems.append((where, _("%(text)s is not a date (write it as YYYY-MM-DD).") % {"text": text[:40]}))
        return None


def _number(text: str, where: str, problems: list[tuple[str, str]]) -> Decimal | None:
    try:
        return parse_number(text)
    except ValueError as error:
        problems.append((where, _("NumberOfUnits: %(error)s.") % {"error": error}))
        return None


def _frequency(actuals: list[dict[str, Any]]) -> str | None:
    """The one period length the values cover, or None when they give none (no end dates)."""
    found = set()
    for result in actuals:
        start, end = _date_or_none(result.get("start_date")), _date_or_none(result.get("end_date"))
        if start and end:
            lengths = [f for f in FREQUENCIES if period_end(start, f) == end]
            found.add(lengths[0] if lengths else "")
    return found.pop() if len(found) == 1 else ("" if found else None)


def _date_or_none(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def check_indicators(
    *, data: dict[str, Any], start_fiscal_year: int, years: int, fy_month: int, today: dt.date
) -> _Checked:
    """Every indicator of the file checked and converted, without writing. Raises PlanImportProblem."""
    lang = data.get("lang") if data.get("lang") in ("en", "es") else "en"
    problems: list[tuple[str, str]] = []
    by_key: dict[str, _Indicator] = {}
    left_out = 0
    position: dict[str, int] = {}
    first_day = fiscal_year_bounds(start_fiscal_year, fy_month)[0]
    last_day = fiscal_year_bounds(start_fiscal_year + years - 1, fy_month)[1]
    plan_years = range(start_fiscal_year, start_fiscal_year + years)
    for raw in data.get("indicators", []):
        where, goal = raw["where"], raw["goal"]
        position[goal] = position.get(goal, 0) + 1
        key = (raw.get("key") or "").strip()
        if not (KEY.match(key) and len(key) <= KEY_LENGTH):
            key = f"{goal}-{position[goal]}"
        name, unit = (raw.get("name") or "").strip(), (raw.get("unit") or "").strip()
        if not name:
            problems.append((where, _("The indicator has no MeasurementDimension, which is its name.")))
        elif len(name) > NAME_LENGTH:
            problems.append((where, _("The name is longer than %(n)s characters.") % {"n": NAME_LENGTH}))
        if len(unit) > UNIT_LENGTH:
            problems.append((where, _("The unit is longer than %(n)s characters.") % {"n": UNIT_LENGTH}))
        kind, stage = raw.get("type") or "", raw.get("stage") or ""
        if kind not in TYPES:
            problems.append(
                (where, _("PerformanceIndicatorType %(v)s is not Quantitative or Qualitative.") % {"v": kind})
            )
        if stage and stage not in STAGE_OF and stage not in STAGES_WITHOUT_PLACE:
            problems.append(
                (where, _("ValueChainStage %(v)s is not a StratML value-chain stage.") % {"v": stage})
            )
        definition: dict[str, Any] = {"key": key, f"name_{lang}": name, f"unit_{lang}": unit}
        if raw.get("description"):
            definition[f"description_{lang}"] = raw["description"]
        if stage in STAGE_OF:
            definition["stage"] = STAGE_OF[stage]
        actuals = [a for a in raw.get("actuals", []) if a.get("value") is not None]
        frequency = _frequency(actuals)
        if frequency == "":
            problems.append(
                (where, _("The ActualResults do not all cover one month, one quarter or one fiscal year."))
            )
        if frequency:
            definition["frequency"] = frequency
        row = _Indicator(where=where, key=key, definition=definition)

        for result in raw.get("targets", []):
            at = result["where"]
            if result.get("value") is None:
                left_out += 1
                continue
            value = _number(result["value"], at, problems)
            start = _day(result.get("start_date"), at, problems)
            end = _day(result.get("end_date"), at, problems)
            if start is None and end is None:
                problems.append((at, _("The target has no StartDate or EndDate to tell its fiscal year.")))
                continue
            year = fiscal_year_of(start or end, fy_month)  # type: ignore[arg-type]
            if start and end and fiscal_year_of(end, fy_month) != year:
                problems.append((at, _("The target's dates span more than one fiscal year.")))
                continue
            if year not in plan_years:
                problems.append(
                    (
                        at,
                        _("%(year)s is outside the plan.")
                        % {"year": fiscal_year_label(year, fy_month, _("FY"))},
                    )
                )
                continue
            if value is not None:
                if row.targets.get(year, value) != value:
                    problems.append((at, _("A second, different target for the same fiscal year.")))
                row.targets[year] = value

        for result in raw.get("actuals", []):
            at = result["where"]
            if result.get("value") is None:
                left_out += 1
                continue
            value = _number(result["value"], at, problems)
            start = _day(result.get("start_date"), at, problems)
            if start is None:
                if not result.get("start_date"):
                    problems.append((at, _("The value has no StartDate, the first day of its period.")))
                continue
            if period_start(start, frequency or MONTHLY, fy_month) != start:
                problems.append(
                    (at, _("%(day)s is not the first day of a reporting period.") % {"day": start})
                )
                continue
            if start < first_day or start > last_day:
                problems.append((at, _("%(day)s is outside the plan.") % {"day": start}))
                continue
            if start > today:
                problems.append((at, _("%(day)s has not started yet.") % {"day": start}))
                continue
            if value is not None:
                if row.values.get(start, value) != value:
                    problems.append((at, _("A second, different value for the same period.")))
                row.values[start] = value

        same = by_key.get(key)
        if same is None:
            row.goals.append(goal)
            by_key[key] = row
            continue

        # The export writes an indicator under each goal it measures: one indicator, several links.
        def essential(definition: dict[str, Any]) -> dict[str, Any]:
            return {name: value for name, value in definition.items() if name != "frequency"}

        frequencies = {d["frequency"] for d in (same.definition, row.definition) if "frequency" in d}
        if essential(same.definition) != essential(row.definition) or len(frequencies) > 1:
            problems.append(
                (
                    where,
                    _("The key %(key)s is also used at %(other)s by a different indicator.")
                    % {"key": key, "other": same.where},
                )
            )
            continue
        if frequencies:
            same.definition["frequency"] = frequencies.pop()
        if goal not in same.goals:
            same.goals.append(goal)
        for year, value in row.targets.items():
            if same.targets.setdefault(year, value) != value:
                problems.append((where, _("A different target than at %(other)s.") % {"other": same.where}))
        for start, value in row.values.items():
            if same.values.setdefault(start, value) != value:
                problems.append((where, _("A different value than at %(other)s.") % {"other": same.where}))
    if problems:
        raise PlanImportProblem(problems)
    return _Checked(indicators=list(by_key.values()), left_out=left_out)


def _check(*, data: dict[str, Any], document: dict[str, Any], organization: Any) -> dict[str, int]:
    plan = document["plan"]
    return check_indicators(
        data=data,
        start_fiscal_year=plan["start_fiscal_year"],
        years=plan["years"] or 5,
        fy_month=organization.fiscal_year_start_month if organization is not None else 7,
        today=timezone.localdate(),
    ).counts()


def _messages(error: ValidationError) -> str:
    return " ".join(error.messages)


def _create(
    *, data: dict[str, Any], plan: Any, items: dict[str, Any], user: Any, check_permission: bool
) -> dict[str, int]:
    """Create the checked indicators as unpublished drafts of the new `plan`, with links, targets and values."""
    today = timezone.localdate()
    checked = check_indicators(
        data=data,
        start_fiscal_year=plan.start_fiscal_year,
        years=plan.years,
        fy_month=plan.organization.fiscal_year_start_month,
        today=today,
    )
    for row in checked.indicators:
        try:
            indicator = indicator_services.create_indicator(
                plan=plan, user=user, data=row.definition, reason=REASON, check_permission=check_permission
            )
            indicator_services.set_indicator_links(
                indicator=indicator,
                user=user,
                items=[items[code] for code in row.goals if code in items],
                reason=REASON,
                check_permission=check_permission,
            )
            for year, value in sorted(row.targets.items()):
                indicator_services.set_target(
                    indicator=indicator,
                    user=user,
                    fiscal_year=year,
                    value=value,
                    reason=REASON,
                    check_permission=check_permission,
                )
            for start, value in sorted(row.values.items()):
                indicator_services.record_measurement(
                    indicator=indicator,
                    user=user,
                    period=start,
                    value=value,
                    today=today,
                    check_permission=check_permission,
                )
        except ValidationError as error:
            raise PlanImportProblem([(row.where, _messages(error))]) from None
    return checked.counts()


INDICATOR_IMPORT = PlanImportExtra(key="stratml_indicators", check=_check, create=_create)

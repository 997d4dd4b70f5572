"""Survey weighting: the plan's population shares per segment (census margins), and raking a survey's counted
responses to them. The latest weighting of a survey is the one in force; responses that arrive later count with
weight 1 until the survey is weighted again.

Employee survey answers are never weighted: their results follow the confidentiality rules (groups of 5 or more,
one filter at a time), and weights built on small segments would single people out."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from civicplan.core.history import apply_and_save, record_change
from civicplan.engagement.models import Audience, Survey
from civicplan.engagement.results_view import answer_frame_of
from civicplan.engagement.tabulation import RESPONSE, segment_column
from civicplan.insights.models import PopulationMargin, SurveyWeighting
from civicplan.insights.selectors_weighting import SEGMENTS, margins_of, segment_questions
from civicplan.insights.services import require
from civicplan.insights.weighting import Margin, rake
from civicplan.plans.models import Plan

HUNDRED = Decimal(100)
SUM_SLACK = Decimal("0.5")  # census tables round: shares may add to 99.5-100.5
SHARE_PLACES = Decimal("0.001")
DEFAULT_TRIM = (0.3, 3.0)  # weights kept between 0.3 and 3 times the mean

MarginRow = tuple[str, Any, str]  # (category, share in percent, source)


def _share(value: Any) -> Decimal | None:
    if isinstance(value, Decimal):
        number = value
    else:
        try:
            number = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            return None
    return number if number.is_finite() else None


def _checked(rows: Sequence[MarginRow], categories: Collection[str] | None) -> dict[str, tuple[Decimal, str]]:
    """The rows as {category: (share, source)}, or a ValidationError listing every problem."""
    problems: list[str] = []
    found: dict[str, tuple[Decimal, str]] = {}
    for category, value, source in rows:
        code = str(category or "").strip()
        share = _share(value)
        if not code:
            problems.append(_("Every share needs its category."))
            continue
        if code in found:
            problems.append(_("The category “%(category)s” is listed twice.") % {"category": code})
            continue
        if categories is not None and code not in categories:
            problems.append(
                _("“%(category)s” is not an answer of this segment's question.") % {"category": code}
            )
            continue
        if share is None:
            problems.append(_("The share of “%(category)s” is not a number.") % {"category": code})
            continue
        if not share > 0 or share > HUNDRED:
            problems.append(
                _("The share of “%(category)s” must be more than 0 and at most 100.") % {"category": code}
            )
            continue
        if len(code) > 80 or len(source or "") > 200:
            problems.append(_("The category “%(category)s” or its source is too long.") % {"category": code})
            continue
        found[code] = (share.quantize(SHARE_PLACES), str(source or "").strip())
    if not problems:
        total = sum((share for share, _source in found.values()), Decimal(0))
        if abs(total - HUNDRED) > SUM_SLACK:
            problems.append(
                _("The shares add up to %(total)s%%. They must add up to 100%% (give or take 0.5).")
                % {"total": f"{total.normalize():f}"}
            )
    if problems:
        raise ValidationError(problems)
    return found


@transaction.atomic
def save_margins(
    *,
    plan: Plan,
    user: Any,
    variable: str,
    rows: Sequence[MarginRow],
    categories: Collection[str] | None = None,
) -> list[PopulationMargin]:
    """Replace the population shares of one segment, all or nothing. `rows` are (category, share in percent,
    source); the shares must be more than 0 and add up to 100 (give or take 0.5). `categories`, when given, are
    the only codes allowed (the options of the survey's segment question). No rows at all: the segment's shares
    are removed and it is no longer weighted on."""
    require(user, "insights.manage_insights", plan)
    if variable not in SEGMENTS:
        raise ValidationError(
            _("“%(variable)s” is not a segment surveys can be weighted by.") % {"variable": variable}
        )
    wanted = _checked(rows, categories) if rows else {}
    existing = {
        margin.category: margin
        for margin in PopulationMargin.objects.select_for_update().filter(plan=plan, variable=variable)
    }
    for code, margin in existing.items():
        if code not in wanted:
            record_change(margin, user, _("Removed from the population shares"))
            margin.delete()
    saved = []
    for code, (share, source) in wanted.items():
        margin = existing.get(code) or PopulationMargin(plan=plan, variable=variable, category=code)
        if margin.pk and margin.share == share and margin.source == source:
            saved.append(margin)
            continue
        reason = _("Population share changed") if margin.pk else _("Population share added")
        saved.append(
            apply_and_save(margin, user=user, data={"share": share, "source": source}, reason=reason)
        )
    return saved


def _finite(value: float, default: float) -> float:
    return value if math.isfinite(value) else default


@transaction.atomic
def weight_survey(
    *, survey: Survey, user: Any, trim: tuple[float, float] | None = DEFAULT_TRIM
) -> SurveyWeighting:
    """Rake the survey's counted responses to the plan's population shares of every segment the survey asks
    (and someone answered), and keep the weights as the weighting in force."""
    require(user, "insights.manage_insights", survey.plan)
    if survey.audience == Audience.EMPLOYEE:
        raise ValidationError(
            _("Employee survey answers are not weighted: their results follow the confidentiality rules.")
        )
    frame = answer_frame_of(survey)
    if not frame.height:
        raise ValidationError(_("The survey has no counted responses to weight yet."))
    stored = margins_of(survey.plan)
    margins = []
    for asked in segment_questions(survey, "en"):
        name = asked.question.segment
        shares = stored.get(name)
        if shares and segment_column(name) in frame.columns:
            margins.append(Margin(name, {code: float(m.share) for code, m in shares.items()}))
    if not margins:
        raise ValidationError(
            _(
                "No population shares match this survey's segment questions (or nobody answered them yet). "
                "Enter the population shares of at least one segment first."
            )
        )
    data = {margin.variable: frame[segment_column(margin.variable)].to_list() for margin in margins}
    try:
        result = rake(data, margins, trim=trim)
    except ValueError as error:
        raise ValidationError(
            _("The survey could not be weighted: %(problem)s") % {"problem": str(error)}
        ) from error
    ids = frame[RESPONSE].to_list()
    return SurveyWeighting.objects.create(
        survey=survey,
        weights={str(pk): float(weight) for pk, weight in zip(ids, result.weights.tolist(), strict=True)},
        margins={margin.variable: dict(margin.shares) for margin in margins},
        converged=result.converged,
        iterations=result.iterations,
        max_margin_error=_finite(result.max_margin_error, 1.0),
        design_effect=_finite(result.design_effect, 1.0),
        effective_n=_finite(result.effective_n, 0.0),
        trimmed=result.trimmed,
        report={
            "responses": len(ids),
            "missing": result.missing,
            "empty_categories": result.empty_categories,
            "trim": list(trim) if trim else None,
            "trim_rounds": result.trim_rounds,
        },
        created_by=user,
    )


@dataclass
class MarginFile:
    """A pasted or uploaded table of population shares, read and checked but not saved."""

    rows: dict[str, list[MarginRow]] = field(default_factory=dict)  # variable -> rows, in file order
    problems: list[str] = field(default_factory=list)


def read_margin_table(text: str, *, categories: dict[str, Collection[str]]) -> MarginFile:
    """`variable,category,share[,source]` lines (a header line is allowed; `,` `;` or tab). Every variable must
    be one of `categories` (the survey's segment questions) and its shares pass the same checks as typing them;
    every problem is reported with its line, nothing is saved here."""
    result = MarginFile()
    sample = text[:2000]
    delimiter = "\t" if "\t" in sample else (";" if sample.count(";") > sample.count(",") else ",")
    for number, cells in enumerate(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter), 1):
        cells = [cell.strip() for cell in cells]
        if not any(cells) or (number == 1 and cells[0].lower() in ("variable", "segment", "segmento")):
            continue
        if len(cells) < 3:
            result.problems.append(
                _("Line %(line)s: expected segment, category and share.") % {"line": number}
            )
            continue
        variable = cells[0]
        if variable not in categories:
            result.problems.append(
                _("Line %(line)s: “%(variable)s” is not a segment this survey asks (use one of: %(list)s).")
                % {"line": number, "variable": variable, "list": ", ".join(sorted(categories))}
            )
            continue
        result.rows.setdefault(variable, []).append((cells[1], cells[2], cells[3] if len(cells) > 3 else ""))
    for variable, rows in result.rows.items():
        try:
            _checked(rows, categories[variable])
        except ValidationError as error:
            result.problems.extend(f"{variable}: {message}" for message in error.messages)
    if not result.rows and not result.problems:
        result.problems.append(_("The table has no shares."))
    return result


@transaction.atomic
def import_margin_table(
    *, plan: Plan, user: Any, table: MarginFile, categories: dict[str, Collection[str]]
) -> int:
    """Save every segment of a checked table, all or nothing. Returns how many shares were saved."""
    if table.problems:
        raise ValidationError(table.problems)
    saved = 0
    for variable, rows in table.rows.items():
        saved += len(
            save_margins(plan=plan, user=user, variable=variable, rows=rows, categories=categories[variable])
        )
    return saved

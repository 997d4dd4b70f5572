"""The part of a survey import every tool shares: from a layout (which columns make which question, which hold the
response id, the date, the language) to questions and responses.

Two passes over the rows, so that a 100,000-response file is never held as a grid:

1. count each question column's distinct values (up to COUNT_LIMIT of them; past that only figures are kept);
2. guess each question's kind and options from those counts (the rules are at `guess_simple` and
   `guess_group`), then convert every row with lookups built from the counts.

The guesses are deliberately simple, so a person can check them in the preview: each rule says why.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

from django.utils.translation import gettext as _

from civicplan.engagement.answers import OTHER, Choice, QuestionKind, other_key, parse_decimal
from civicplan.engagement.importers.survey_model import (
    SLASH_DAY_FIRST,
    DetectedQuestion,
    ImportedResponse,
    ParsedSurveyFile,
    RowProblem,
    answers_fingerprint,
    clip,
    is_other_label,
    language_code,
    normalise_label,
    parse_datetime,
    slug,
    unique_key,
)
from civicplan.engagement.importers.survey_tables import Cells, Table
from civicplan.lib.spreadsheets import unsafe_cell

K = QuestionKind
COUNT_LIMIT = 20_000  # distinct values counted per column; more means free text
CHUNK = 4096  # rows counted at a time in the first pass
CHOICE_LIMIT = 40  # more distinct repeated values than this is no list of options
LONG_TEXT_LENGTH = 100
# A ticked or unticked cell of a split multiple choice column (LimeSurvey Y, Kobo 1/0, Qualtrics 1), compared
# after `normalise_label`.
TICKED = frozenset({"y", "yes", "si", "1", "true", "x", "checked", "selected", "verdadero"})
UNTICKED = frozenset({"n", "no", "0", "false", "unchecked", "not selected", "no seleccionado", "falso"})
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")  # a value that can be its own option code
_NUMBERED = re.compile(r"^([A-Za-z_-]*)(\d{1,9})$")  # codes sorted by their number: A2 before A10
_COUNT_WORDS = re.compile(r"\b(?:how many|number of|cu[aá]nt[oa]s|n[uú]mero de)\b", re.IGNORECASE)

Converter = Callable[[Cells, dict[str, Any], int, list[RowProblem]], None]


# --- What a tool's reader lays out ----------------------------------------------------------------------------


@dataclass
class Part:
    """One column of a question spread over several: the option it ticks, the matrix row it rates or the rank
    it holds (`choice`). `key`/`text` name the column as a question of its own, should it turn out to be one."""

    column: int
    heading: str
    choice: Choice
    key: str = ""
    text: str = ""
    other_column: int = -1  # its own "other" text, should it be a question of its own
    other_heading: str = ""


@dataclass
class Plan:
    """One question as a reader found it in the headings. What the headings cannot tell is guessed later."""

    key: str
    text: str
    column: int = -1  # the question's one column (a single answer, or a joined multiple choice)
    heading: str = ""
    parts: list[Part] = field(default_factory=list)  # or its columns, one per option or row
    other_column: int = -1  # the "other" text
    other_heading: str = ""
    kind: QuestionKind | None = None  # known from the headings
    text_only: bool = False  # known to be free text (short or long is still guessed)
    choice: bool = False  # known to be a choice question (it has an "other" text, say), never a rating
    labels: bool = False  # the values are labels, so options get codes made from them
    inline_other: bool = False  # a value that is none of the options is the "other" text (Google, MS Forms)
    # Casefolded values meaning "Other" (besides labels such as "Otro"): LimeSurvey `-oth-`, Kobo `other`.
    other_values: frozenset[str] = frozenset()
    separator: str = ""  # a multiple choice may come joined in one cell with this between the options
    ticked_label: bool = False  # parts: a ticked column holds its own label (SurveyMonkey)
    extra_headings: list[str] = field(default_factory=list)  # columns of the question that are not read

    def columns(self) -> list[int]:
        return [self.column] if self.column >= 0 else [part.column for part in self.parts]

    def headings(self) -> list[str]:
        own = [self.heading] if self.column >= 0 else [part.heading for part in self.parts]
        other = [self.other_heading] if self.other_column >= 0 else []
        return own + self.extra_headings + other


@dataclass
class Meta:
    """The columns that describe a response rather than answer a question."""

    id_column: int = -1
    time_columns: list[int] = field(default_factory=list)  # the first one filled gives `submitted_at`
    language_column: int = -1
    zone: tzinfo = UTC  # of dates written without an offset
    id_prefix: str = ""  # removed from ids (Kobo's `uuid:`)
    partial: Callable[[Cells], bool] | None = None
    preview: Callable[[Cells], bool] | None = None
    # Values meaning "submitted, time not recorded" (LimeSurvey's 1980-01-01).
    no_time: frozenset[str] = frozenset()


@dataclass
class Layout:
    format: str
    header_rows: int
    headings: list[str]  # per column, the heading a person sees (for messages)
    plans: list[Plan]
    meta: Meta
    title: str = ""
    formula_apostrophes: bool = False  # the tool writes `'=SUM(A1)` for the text `=SUM(A1)` (LimeSurvey)
    cell_filter: Callable[[Cells], Cells] | None = None  # undoes a tool's own escapes (LimeSurvey VV)


# --- Pass 1: what each column holds ---------------------------------------------------------------------------


class ColumnValues:
    """The non-empty values of one column: all of them with their counts while there are at most COUNT_LIMIT
    distinct ones, then only figures."""

    __slots__ = ("_maybe_numbers", "answers", "counts", "leading_zero", "longest", "newlines", "numbers")

    def __init__(self) -> None:
        self.counts: Counter[str] | None = Counter()
        self.answers = self.numbers = self.longest = 0
        self.newlines = self.leading_zero = False
        self._maybe_numbers = True

    def measure(self, value: str, times: int = 1) -> None:
        self.answers += times
        self.longest = max(self.longest, len(value))
        self.newlines = self.newlines or "\n" in value
        if len(value) > 1 and value[0] == "0" and value[1].isdigit():
            self.leading_zero = True
        # Parsing every value of a long text column would be wasted: stop once most are not numbers.
        if self._maybe_numbers:
            if parse_decimal(value) is not None:
                self.numbers += times
            elif self.answers > 20 and self.answers - self.numbers > self.answers // 5:
                self._maybe_numbers = False

    def free(self) -> None:
        counts, self.counts = self.counts or Counter(), None
        for value, times in counts.items():
            if value:
                self.measure(value, times)

    def finish(self) -> None:
        if self.counts is not None:
            self.counts.pop("", None)  # empty cells were counted with the rest, in C
            for value, times in self.counts.items():
                self.measure(value, times)

    def small_ints(self) -> dict[int, int]:
        """{whole number 0..10: count} of the values that are one (exact counts only)."""
        found: dict[int, int] = {}
        for value, times in (self.counts or {}).items():
            number = small_int(value)
            if number is not None:
                found[number] = found.get(number, 0) + times
        return found

    def distinct(self) -> list[str]:
        return list(self.counts or ())


def small_int(value: str) -> int | None:
    if value.isascii() and value.isdigit() and len(value) <= 2:
        number = int(value)
        return number if number <= 10 else None
    return None


def _rows(layout: Layout, table: Table) -> Iterator[tuple[int, Cells, bool]]:
    """(row number, cells, is a preview) of every data row."""
    cell_filter, preview = layout.cell_filter, layout.meta.preview
    for number, cells in table.data(layout.header_rows):
        if cell_filter is not None:
            cells = cell_filter(cells)
        yield number, cells, bool(preview and preview(cells))


def _first_pass(layout: Layout, table: Table) -> tuple[dict[int, ColumnValues], bool]:
    """Counts per question column, and whether the file writes dates day first (`14/03/2026`). Rows are taken
    CHUNK at a time and turned into columns (`zip`), so that counting runs in C (`Counter.update`), not cell by
    cell in Python."""
    tracked = sorted({column for plan in layout.plans for column in plan.columns()})
    values = {column: ColumnValues() for column in tracked}
    time_columns = layout.meta.time_columns
    day_first = False
    chunk: list[Cells] = []
    for _number, cells, preview in _rows(layout, table):
        if not preview:
            chunk.append(cells)
        if len(chunk) == CHUNK:
            day_first = _count_chunk(chunk, values, time_columns) or day_first
            chunk = []
    if chunk:
        day_first = _count_chunk(chunk, values, time_columns) or day_first
    for stats in values.values():
        stats.finish()
    return values, day_first


def _count_chunk(chunk: list[Cells], values: dict[int, ColumnValues], time_columns: list[int]) -> bool:
    columns = list(zip(*chunk, strict=True))
    for column, stats in values.items():
        if stats.counts is not None:
            stats.counts.update(columns[column])
            if len(stats.counts) > COUNT_LIMIT:
                stats.free()
        else:
            for value in columns[column]:
                if value:
                    stats.measure(value)
    # ISO dates (most files) have no "/", and cost one test each.
    return any("/" in value and _day_first(value) for column in time_columns for value in columns[column])


def _day_first(value: str) -> bool:
    match = SLASH_DAY_FIRST.match(value)
    return match is not None and int(match[1]) > 12


# --- Guessing kinds -------------------------------------------------------------------------------------------


def guess_simple(plan: Plan, values: ColumnValues) -> QuestionKind:
    """The kind of a one-column question, by the first rule that fits."""
    if plan.kind is not None:
        return plan.kind
    if plan.text_only:
        return text_kind(values)
    if values.answers == 0:
        return K.SINGLE if plan.choice else K.SHORT_TEXT
    # A joined multiple choice: cells listing several of a few options each seen often (`Parques, Calles`).
    joined = joined_kind(plan, values)
    if joined is not None:
        return joined
    # A choice: the reader knows it is one, or a value is the tool's "Other" code (LimeSurvey `-oth-`).
    if plan.choice or any(value.casefold() in plan.other_values for value in values.counts or ()):
        return K.SINGLE
    ints = values.small_ints()
    counted = sum(ints.values())
    # A rating: at least 4 in 5 answers are whole numbers 0..10 (the rest are reported as problems), unless the
    # question asks for a count ("How many ...?").
    if counted >= 2 and counted * 5 >= values.answers * 4 and not _COUNT_WORDS.search(plan.text):
        return K.RATING
    # A number: at least 4 in 5 answers are numbers, and none has a leading zero (postcodes, ids are text).
    if values.numbers >= 1 and values.numbers * 5 >= values.answers * 4 and not values.leading_zero:
        return K.NUMBER
    if _looks_like_choices(plan, values):
        return K.SINGLE
    return text_kind(values)


def text_kind(values: ColumnValues) -> QuestionKind:
    """Long text when any answer has a line break or more than LONG_TEXT_LENGTH characters."""
    return K.LONG_TEXT if values.newlines or values.longest > LONG_TEXT_LENGTH else K.SHORT_TEXT


def _looks_like_choices(plan: Plan, values: ColumnValues) -> bool:
    """A single choice: at most CHOICE_LIMIT short values that repeat, covering 2 in 3 answers or more (free text
    rarely repeats itself)."""
    if values.counts is None or values.longest > 2 * LONG_TEXT_LENGTH or values.newlines:
        return False
    repeated = [value for value, times in values.counts.items() if times >= 2]
    covered = sum(values.counts[value] for value in repeated)
    return 0 < len(repeated) <= CHOICE_LIMIT and covered * 3 >= values.answers * 2


def joined_kind(plan: Plan, values: ColumnValues) -> QuestionKind | None:
    """MULTIPLE when the column joins several options per cell, RANKING when every cell lists the same options
    in varying order (checkbox exports keep the options' order; only a ranking changes it), else None."""
    if not plan.separator or values.counts is None or values.newlines:
        return None
    cells = {value: split_joined(value, plan.separator) for value in values.counts}
    # MS Forms ends every list with its separator, even a list of one: that alone says "joined".
    mark = plan.separator.strip()
    trailing = bool(mark) and all(value.endswith(mark) for value in cells)
    tokens: Counter[str] = Counter()
    for value, parts in cells.items():
        tokens.update(dict.fromkeys(parts, values.counts[value]))
    repeated = {token for token, times in tokens.items() if times >= 2}
    several = any(sum(part in repeated for part in parts) >= 2 for parts in cells.values())
    common = sum(tokens[token] for token in repeated) * 3 >= sum(tokens.values()) * 2
    if not trailing and not (several and common and len(repeated) <= CHOICE_LIMIT):
        return None
    sets = {frozenset(parts) for parts in cells.values()}
    orders = {tuple(parts) for parts in cells.values()}
    if len(sets) == 1 and len(orders) > 1 and len(next(iter(sets))) >= 2:
        return K.RANKING
    return K.MULTIPLE


def split_joined(value: str, separator: str) -> list[str]:
    if separator == " ":
        return value.split()
    return [part.strip() for part in value.split(separator.strip() or separator) if part.strip()]


def guess_group(plan: Plan, parts: list[ColumnValues]) -> QuestionKind | None:
    """The kind of a question spread over columns, or None when the columns are separate questions after all."""
    if plan.kind is not None:
        return plan.kind
    if any(column.counts is None for column in parts):
        return None  # free text in one of them: not one question
    # A split multiple choice: every cell ticked or unticked (Y / 1 / 0 / empty), or holding its column's own
    # label (SurveyMonkey), and something ticked.
    if _all_ticks(plan, parts):
        return K.MULTIPLE
    ints = [column.small_ints() for column in parts]
    answered = [column for column in parts if column.answers]
    # A matrix: in every answered column 4 in 5 answers are whole numbers 0..10 (the rest are problems).
    if answered and all(
        sum(found.values()) * 5 >= column.answers * 4 for found, column in zip(ints, parts, strict=True)
    ):
        if sum(sum(found.values()) for found in ints) >= 2:
            return K.MATRIX
    # A ranking: columns numbered 1..n (LimeSurvey `Q6[1]`), each holding an option code that is not a number.
    positions = [part.choice.code for part in plan.parts]
    if positions == [str(n) for n in range(1, len(positions) + 1)] and len(positions) >= 2:
        if all(column.numbers == 0 for column in parts) and answered:
            return K.RANKING
    # An allocation is confirmed by the rows' totals (see `_confirm_allocations`): all whole numbers, some > 10.
    if (
        answered
        and all(_all_whole(column) for column in parts)
        and any(_over_ten(column) for column in parts)
    ):
        return K.ALLOCATION
    return None


def _all_ticks(plan: Plan, parts: list[ColumnValues]) -> bool:
    ticked = False
    for part, column in zip(plan.parts, parts, strict=True):
        for value in column.distinct():
            word = normalise_label(value)
            if plan.ticked_label and word == normalise_label(part.choice.label):
                ticked = True
            elif word in TICKED and not plan.ticked_label:
                ticked = True
            elif word not in UNTICKED:
                return False
    return ticked


def _all_whole(column: ColumnValues) -> bool:
    return all(value.isascii() and value.isdigit() for value in column.distinct())


def _over_ten(column: ColumnValues) -> bool:
    return any(int(value) > 10 for value in column.distinct())


def scale_of(ints: Iterable[int]) -> tuple[int, int]:
    """The scale a rating's answers come from: 0 or 1 up to the first of 5, 7 or 10 that holds them all."""
    seen = list(ints) or [1]
    low = 0 if min(seen) == 0 else 1
    high = next((top for top in (5, 7, 10) if max(seen) <= top), 10)
    return low, high


# --- Options --------------------------------------------------------------------------------------------------


@dataclass
class Options:
    """The options a question's values name, and a lookup from each value (or token) to its code. A value that
    maps to OTHER with `inline` set is itself the "other" text."""

    choices: list[Choice] = field(default_factory=list)
    lookup: dict[str, str] = field(default_factory=dict)
    inline: set[str] = field(default_factory=set)
    allows_other: bool = False

    def order(self) -> dict[str, int]:
        positions = {choice.code: n for n, choice in enumerate(self.choices)}
        positions[OTHER] = len(positions)
        return positions


def build_options(plan: Plan, counts: dict[str, int]) -> Options:
    """Options from the values seen, in their natural order (A2 before A10) when they are numbered, else in the
    order they first appear. Values are their own codes unless they are labels (then the code is a slug)."""
    options = Options(allows_other=plan.other_column >= 0)
    values = [value for value in counts if not _means_other(plan, value)]
    for value in counts:
        if _means_other(plan, value):
            options.lookup[value] = OTHER
            options.allows_other = True
    if plan.inline_other:
        # Google and MS Forms write the "other" text where an option would be: values seen once are taken for
        # it when the rest repeat (see `_looks_like_choices`).
        singles = [value for value in values if counts[value] == 1]
        if len(singles) < len(values):
            for value in singles:
                options.lookup[value] = OTHER
                options.inline.add(value)
                options.allows_other = True
            values = [value for value in values if counts[value] > 1]
    if values and all(_NUMBERED.match(value) for value in values):
        values.sort(key=_natural)
    _add_choices(plan, options, values)
    return options


def _add_choices(plan: Plan, options: Options, values: list[str]) -> None:
    taken = {OTHER}
    by_label: dict[str, str] = {}
    for value in values:
        word = normalise_label(value)
        if word in by_label:  # "Sí" and "si" are one option
            options.lookup[value] = by_label[word]
            continue
        code = value if not plan.labels and _CODE.match(value) and value not in taken else None
        code = unique_key(code, taken) if code else unique_key(slug(value), taken)
        by_label[word] = code
        options.lookup[value] = code
        options.choices.append(Choice(code, value))


def _means_other(plan: Plan, value: str) -> bool:
    return value.casefold() in plan.other_values or is_other_label(value)


def _natural(value: str) -> tuple[str, int]:
    match = _NUMBERED.match(value)
    return (match[1], int(match[2])) if match else (value, 0)


def joined_options(plan: Plan, counts: dict[str, int]) -> tuple[Options, int]:
    """The options of a joined column and the longest option in tokens. Labels may hold the separator
    themselves (`Bibliotecas, museos`): tokens that always follow each other, in every cell, are one label."""
    cells = [(split_joined(value, plan.separator), times) for value, times in counts.items()]
    tokens: Counter[str] = Counter()
    after: dict[str, set[str]] = {}
    before: dict[str, set[str]] = {}
    for parts, times in cells:
        tokens.update(dict.fromkeys(parts, times))  # in first-seen order: the options' order
        for left, right in zip([None, *parts], [*parts, None], strict=True):
            if left is not None:
                after.setdefault(left, set()).add(right or "")
            if right is not None:
                before.setdefault(right, set()).add(left or "")
    known = [
        token for token in tokens if not plan.inline_other or tokens[token] >= 2 or _means_other(plan, token)
    ]
    labels = _merge_runs(known, after, before, plan.separator) if plan.labels else known
    options = Options(allows_other=plan.other_column >= 0)
    plain = []
    for label in labels:
        if _means_other(plan, label):
            options.lookup[label] = OTHER
            options.allows_other = True
        else:
            plain.append(label)
    if plain and all(_NUMBERED.match(label) for label in plain):
        plain.sort(key=_natural)
    _add_choices(plan, options, plain)
    if plan.inline_other and len(known) < len(tokens):
        options.allows_other = True
    longest = max((len(split_joined(label, plan.separator)) for label in labels), default=1)
    return options, longest


def _merge_runs(
    known: list[str], after: dict[str, set[str]], before: dict[str, set[str]], separator: str
) -> list[str]:
    kept = set(known)
    starts = [
        token for token in known if not (len(before.get(token, ())) == 1 and _glued(before, after, token))
    ]
    labels = []
    for token in starts:
        run = [token]
        while True:
            following = after.get(run[-1], set())
            nxt = next(iter(following)) if len(following) == 1 else ""
            if not nxt or nxt not in kept or before.get(nxt) != {run[-1]}:
                break
            run.append(nxt)
        labels.append(separator.join(run) if separator != " " else " ".join(run))
    return labels


def _glued(before: dict[str, set[str]], after: dict[str, set[str]], token: str) -> bool:
    """Whether `token` always comes right after one token that is always followed by it."""
    previous = next(iter(before[token]))
    return bool(previous) and after.get(previous) == {token}


def read_joined(value: str, plan: Plan, options: Options, longest: int) -> tuple[list[str], str]:
    """The codes a joined cell names, in the cell's order, and the "other" text: known labels are matched first
    (longest first), whatever is left is the other text."""
    parts = split_joined(value, plan.separator)
    glue = " " if plan.separator == " " else plan.separator
    codes: list[str] = []
    rest: list[str] = []
    position = 0
    while position < len(parts):
        for size in range(min(longest, len(parts) - position), 0, -1):
            label = glue.join(parts[position : position + size])
            code = options.lookup.get(label)
            if code is not None and label not in options.inline:
                codes.append(code)
                position += size
                break
        else:
            rest.append(parts[position])
            position += 1
    if rest and OTHER not in codes:
        codes.append(OTHER)
    return codes, glue.join(rest)


# --- Compiling a plan into questions and converters -----------------------------------------------------------


@dataclass
class Compiled:
    question: DetectedQuestion
    convert: Converter


@dataclass
class Context:
    values: dict[int, ColumnValues]
    formula_apostrophes: bool
    allocations: set[str] = field(default_factory=set)  # plan keys whose rows all add up to one total


def compile_plan(plan: Plan, context: Context) -> list[Compiled]:
    if plan.column >= 0:
        return [_compile_simple(plan, context)]
    columns = [context.values[part.column] for part in plan.parts]
    kind = guess_group(plan, columns)
    if kind == K.ALLOCATION and plan.key not in context.allocations:
        kind = None
    if kind is None:
        return [_compile_simple(_part_plan(plan, part), context) for part in plan.parts]
    return [_compile_group(plan, kind, columns, context)]


def _part_plan(plan: Plan, part: Part) -> Plan:
    return Plan(
        key=part.key or f"{plan.key}_{part.choice.code}",
        text=part.text or f"{plan.text} [{part.choice.label}]",
        column=part.column,
        heading=part.heading,
        other_column=part.other_column,
        other_heading=part.other_heading,
        choice=part.other_column >= 0,
        labels=plan.labels,
        separator=plan.separator,
        inline_other=plan.inline_other,
        other_values=plan.other_values,
    )


def _question(plan: Plan, kind: QuestionKind, **more: Any) -> DetectedQuestion:
    return DetectedQuestion(key=plan.key, text=plan.text, kind=kind, columns=plan.headings(), **more)


def _compile_simple(plan: Plan, context: Context) -> Compiled:
    values = context.values[plan.column]
    kind = guess_simple(plan, values)
    if kind in (K.MULTIPLE, K.RANKING):
        return _compile_joined(plan, kind, values, context)
    if kind == K.SINGLE:
        options = build_options(plan, values.counts or {})
        question = _question(plan, kind, options=options.choices, allows_other=options.allows_other)
        return Compiled(question, _single_converter(plan, options, context))
    if kind == K.RATING:
        low, high = scale_of(values.small_ints())
        question = _question(plan, kind, scale_min=low, scale_max=high)
        return Compiled(question, _rating_converter(plan, values, low, high))
    if kind == K.NUMBER:
        return Compiled(_question(plan, kind), _number_converter(plan))
    return Compiled(_question(plan, kind), _text_converter(plan, context))


def _clean_text(context: Context) -> Callable[[str], str]:
    if not context.formula_apostrophes:
        return str
    return lambda value: unsafe_cell(value) if value[0] == "'" else value


def _single_converter(plan: Plan, options: Options, context: Context) -> Converter:
    column, key, other_column, other = plan.column, plan.key, plan.other_column, other_key(plan.key)
    lookup, inline, clean = options.lookup, options.inline, _clean_text(context)
    fallback = Options()

    def convert(cells: Cells, answers: dict[str, Any], number: int, problems: list[RowProblem]) -> None:
        value = cells[column]
        text = clean(cells[other_column]) if other_column >= 0 and cells[other_column] else ""
        if value:
            code = lookup.get(value) or fallback.lookup.setdefault(value, slug(value))
            answers[key] = code
            if code == OTHER:
                text = text or (clean(value) if value in inline else "")
                if text:
                    answers[other] = text
        elif text:  # the "other" text alone means "Other" was chosen (LimeSurvey leaves the choice empty)
            answers[key] = OTHER
            answers[other] = text

    return convert


def _rating_converter(plan: Plan, values: ColumnValues, low: int, high: int) -> Converter:
    column, key, heading = plan.column, plan.key, plan.heading
    scale = _scale_lookup(values, low, high)

    def convert(cells: Cells, answers: dict[str, Any], number: int, problems: list[RowProblem]) -> None:
        value = cells[column]
        if value:
            rating = scale.get(value)
            if rating is not None:
                answers[key] = rating
            else:
                problems.append(scale_problem(number, heading, value, low, high))

    return convert


def _scale_lookup(values: ColumnValues, low: int, high: int) -> dict[str, int]:
    """{value as written: its point on the scale}, for the values the first pass saw (a dict lookup a cell)."""
    found = {}
    for value in values.distinct():
        number = small_int(value)
        if number is not None and low <= number <= high:
            found[value] = number
    return found


def _number_converter(plan: Plan) -> Converter:
    column, key, heading = plan.column, plan.key, plan.heading

    def convert(cells: Cells, answers: dict[str, Any], number: int, problems: list[RowProblem]) -> None:
        value = cells[column]
        if value:
            parsed = parse_decimal(value)
            if parsed is None:
                problems.append(
                    RowProblem(
                        number,
                        heading,
                        _("Row %(row)s, column “%(column)s”: “%(value)s” is not a number.")
                        % {"row": number, "column": heading, "value": clip(value)},
                    )
                )
            else:
                answers[key] = format(parsed, "f")

    return convert


def _text_converter(plan: Plan, context: Context) -> Converter:
    column, key, clean = plan.column, plan.key, _clean_text(context)

    def convert(cells: Cells, answers: dict[str, Any], number: int, problems: list[RowProblem]) -> None:
        value = cells[column]
        if value:
            answers[key] = clean(value)

    return convert


def _compile_joined(plan: Plan, kind: QuestionKind, values: ColumnValues, context: Context) -> Compiled:
    options, longest = joined_options(plan, values.counts or {})
    question = _question(plan, kind, options=options.choices, allows_other=options.allows_other)
    column, key, other_column, other = plan.column, plan.key, plan.other_column, other_key(plan.key)
    order, clean = options.order(), _clean_text(context)
    memo: dict[str, tuple[list[str], str]] = {}  # a cell read once per distinct value: lists repeat a lot

    def convert(cells: Cells, answers: dict[str, Any], number: int, problems: list[RowProblem]) -> None:
        value = cells[column]
        text = clean(cells[other_column]) if other_column >= 0 and cells[other_column] else ""
        if value:
            found = memo.get(value)
            if found is None:
                found = memo[value] = read_joined(value, plan, options, longest)
            codes, rest = found
            codes = list(codes)
            if rest and not text:
                text = clean(rest)
        else:
            codes = []
        if text and OTHER not in codes:
            codes.append(OTHER)
        if codes:
            if kind == K.MULTIPLE:
                codes = sorted(dict.fromkeys(codes), key=lambda code: order.get(code, len(order)))
            answers[key] = codes
            if text and OTHER in codes:
                answers[other] = text

    return Compiled(question, convert)


def _compile_group(plan: Plan, kind: QuestionKind, columns: list[ColumnValues], context: Context) -> Compiled:
    value_columns = {part.choice.code: part.heading for part in plan.parts}
    if kind == K.MULTIPLE:
        # A column for the "other" choice itself (Kobo `q/other`) ticks OTHER; its text is in `other_column`.
        options = [part.choice for part in plan.parts if part.choice.code != OTHER]
        allows_other = plan.other_column >= 0 or len(options) < len(plan.parts)
        question = _question(
            plan, kind, options=options, allows_other=allows_other, value_columns=value_columns
        )
        return Compiled(question, _split_converter(plan, columns, context))
    if kind == K.MATRIX:
        low, high = scale_of(number for column in columns for number in column.small_ints())
        rows = [part.choice for part in plan.parts]
        question = _question(
            plan, kind, rows=rows, scale_min=low, scale_max=high, value_columns=value_columns
        )
        return Compiled(question, _matrix_converter(plan, columns, low, high))
    if kind == K.RANKING:
        counts: dict[str, int] = {}
        for column in columns:
            for value, times in (column.counts or {}).items():
                counts[value] = counts.get(value, 0) + times
        ranked = build_options(plan, counts)
        question = _question(plan, kind, options=ranked.choices, allows_other=ranked.allows_other)
        return Compiled(question, _ranking_converter(plan, ranked))
    shared = [part.choice for part in plan.parts]
    question = _question(plan, kind, options=shared, value_columns=value_columns)
    return Compiled(question, _allocation_converter(plan))


def _split_converter(plan: Plan, columns: list[ColumnValues], context: Context) -> Converter:
    parts = []
    for part, column in zip(plan.parts, columns, strict=True):
        label = normalise_label(part.choice.label)
        ticked = {
            value: (normalise_label(value) == label)
            if plan.ticked_label
            else normalise_label(value) in TICKED
            for value in column.distinct()
        }
        parts.append((part.column, part.choice.code, ticked))
    key, other_column, other, clean = plan.key, plan.other_column, other_key(plan.key), _clean_text(context)

    def convert(cells: Cells, answers: dict[str, Any], number: int, problems: list[RowProblem]) -> None:
        codes = [code for column, code, ticked in parts if ticked.get(cells[column], False)]
        if other_column >= 0 and cells[other_column]:
            if OTHER not in codes:
                codes.append(OTHER)
            answers[other] = clean(cells[other_column])
        if codes:
            answers[key] = codes

    return convert


def _matrix_converter(plan: Plan, columns: list[ColumnValues], low: int, high: int) -> Converter:
    parts = [
        (part.column, part.choice.code, part.heading, _scale_lookup(values, low, high))
        for part, values in zip(plan.parts, columns, strict=True)
    ]
    key = plan.key

    def convert(cells: Cells, answers: dict[str, Any], number: int, problems: list[RowProblem]) -> None:
        rated = {}
        for column, code, heading, scale in parts:
            value = cells[column]
            if value:
                rating = scale.get(value)
                if rating is not None:
                    rated[code] = rating
                else:
                    problems.append(scale_problem(number, heading, value, low, high))
        if rated:
            answers[key] = rated

    return convert


def _ranking_converter(plan: Plan, options: Options) -> Converter:
    columns = [part.column for part in plan.parts]
    key, lookup = plan.key, options.lookup

    def convert(cells: Cells, answers: dict[str, Any], number: int, problems: list[RowProblem]) -> None:
        ranked = [lookup.get(cells[column], slug(cells[column])) for column in columns if cells[column]]
        if ranked:
            answers[key] = ranked

    return convert


def _allocation_converter(plan: Plan) -> Converter:
    parts = [(part.column, part.choice.code) for part in plan.parts]
    key = plan.key

    def convert(cells: Cells, answers: dict[str, Any], number: int, problems: list[RowProblem]) -> None:
        points = {code: int(cells[column]) for column, code in parts if cells[column]}
        if points:
            answers[key] = points

    return convert


def scale_problem(number: int, heading: str, value: str, low: int, high: int) -> RowProblem:
    return RowProblem(
        number,
        heading,
        _("Row %(row)s, column “%(column)s”: “%(value)s” is not a whole number from %(min)s to %(max)s.")
        % {"row": number, "column": heading, "value": clip(value), "min": low, "max": high},
    )


def _confirm_allocations(layout: Layout, table: Table, values: dict[int, ColumnValues]) -> set[str]:
    """Groups of whole numbers (some over 10) whose every answered row adds up to the same total, 10 or more:
    points shared out (an allocation). Needs the rows again, so only when such a group exists."""
    candidates = [
        plan
        for plan in layout.plans
        if plan.column < 0
        and plan.kind is None
        and guess_group(plan, [values[part.column] for part in plan.parts]) == K.ALLOCATION
    ]
    if not candidates:
        return set()
    totals: dict[str, set[int]] = {plan.key: set() for plan in candidates}
    for _number, cells, preview in _rows(layout, table):
        if preview:
            continue
        for plan in candidates:
            filled = [cells[part.column] for part in plan.parts if cells[part.column]]
            if filled:
                totals[plan.key].add(sum(int(value) for value in filled))
    return {key for key, seen in totals.items() if len(seen) == 1 and min(seen) >= 10}


# --- Pass 2: the responses ------------------------------------------------------------------------------------


def run(layout: Layout, table: Table) -> ParsedSurveyFile:
    values, day_first = _first_pass(layout, table)
    context = Context(values, layout.formula_apostrophes)
    context.allocations = _confirm_allocations(layout, table, values)
    compiled = [item for plan in layout.plans for item in compile_plan(plan, context)]
    _make_keys_unique(compiled)
    converters = [item.convert for item in compiled]
    parsed = ParsedSurveyFile(layout.format, layout.title, [item.question for item in compiled], [])
    read_meta = _meta_reader(layout, day_first)
    problems = parsed.problems
    for number, cells, preview in _rows(layout, table):
        if preview:
            parsed.previews_skipped.append(number)
            continue
        answers: dict[str, Any] = {}
        for convert in converters:
            convert(cells, answers, number, problems)
        external_id, submitted_at, language, partial = read_meta(number, cells, problems)
        parsed.responses.append(
            ImportedResponse(
                number, external_id, submitted_at, language, partial, answers, answers_fingerprint(answers)
            )
        )
    problems.extend(_ragged_problems(table))
    problems.sort(key=lambda problem: problem.row)
    parsed.duplicates = find_duplicates(parsed.responses)
    return parsed


def _make_keys_unique(compiled: list[Compiled]) -> None:
    """Keys come from the file and are unique there; a key made from a text (or a split group) might not be."""
    taken: set[str] = set()
    for item in compiled:
        wanted = item.question.key
        item.question.key = unique_key(wanted, taken)
        if item.question.key != wanted:
            item.convert = _renamed(item.convert, wanted, item.question.key)


def _renamed(convert: Converter, old: str, new: str) -> Converter:
    def renamed(cells: Cells, answers: dict[str, Any], number: int, problems: list[RowProblem]) -> None:
        own: dict[str, Any] = {}
        convert(cells, own, number, problems)
        for key, value in own.items():
            answers[new if key == old else other_key(new) if key == other_key(old) else key] = value

    return renamed


def _meta_reader(
    layout: Layout, day_first: bool
) -> Callable[[int, Cells, list[RowProblem]], tuple[str, datetime | None, str, bool]]:
    meta, headings = layout.meta, layout.headings

    def read(number: int, cells: Cells, problems: list[RowProblem]) -> tuple[str, datetime | None, str, bool]:
        external_id = cells[meta.id_column] if meta.id_column >= 0 else ""
        if meta.id_prefix and external_id.startswith(meta.id_prefix):
            external_id = external_id[len(meta.id_prefix) :]
        submitted_at = None
        for column in meta.time_columns:
            if cells[column] in meta.no_time:
                break
            if cells[column]:
                submitted_at = parse_datetime(cells[column], zone=meta.zone, day_first=day_first)
                if submitted_at is None:
                    problems.append(date_problem(number, headings[column], cells[column]))
                break
        language = language_code(cells[meta.language_column]) if meta.language_column >= 0 else ""
        partial = bool(meta.partial and meta.partial(cells))
        return external_id, submitted_at, language, partial

    return read


def date_problem(number: int, heading: str, value: str) -> RowProblem:
    return RowProblem(
        number,
        heading,
        _("Row %(row)s, column “%(column)s”: “%(value)s” is not a date and time (such as 2026-03-14 19:05).")
        % {"row": number, "column": heading, "value": clip(value)},
    )


def _ragged_problems(table: Table) -> list[RowProblem]:
    return [
        RowProblem(
            number,
            "",
            _(
                "Row %(row)s has filled cells to the right of the last heading; its columns may have shifted. "
                "Check the row in the file."
            )
            % {"row": number},
        )
        for number in table.ragged
    ]


def find_duplicates(responses: list[ImportedResponse]) -> list[tuple[int, int]]:
    """(row, row of the first copy): the same response id twice, or, without ids, the same answers at the same
    time (a form submitted twice, or one export pasted into another)."""
    first: dict[Any, int] = {}
    found = []
    for response in responses:
        same = response.external_id or (response.fingerprint, response.submitted_at)
        if same in first:
            found.append((response.row, first[same]))
        else:
            first[same] = response.row
    return found


def heading_map(headings: list[str]) -> dict[str, int]:
    """{casefolded heading: first column index}, for readers that find metadata by name in any order."""
    found: dict[str, int] = {}
    for index, heading in enumerate(headings):
        found.setdefault(" ".join(heading.casefold().split()), index)
    return found

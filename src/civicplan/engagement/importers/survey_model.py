"""What the survey-file importers return (the dataclasses of `survey_files`), and the small pure helpers they all
share: label normalisation, slugs, dates as the tools write them, and the answers' fingerprint.

Nothing here reads a file; `survey_tables` reads, `survey_engine` guesses and converts, the tool modules
(`limesurvey`, `kobo`, `qualtrics`, `web_forms`) lay the columns out. `survey_files` is the entry point.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any

from civicplan.engagement.answers import Choice, QuestionKind, QuestionShape

FORMATS = (
    "limesurvey-csv",
    "limesurvey-vv",
    "kobo-csv",
    "kobo-xlsx",
    "qualtrics",
    "surveymonkey",
    "google-forms",
    "ms-forms",
)


class SurveyFileError(ValueError):
    """The whole file is unreadable or not a survey export we know; the message is for the person who sent it."""


@dataclass
class DetectedQuestion:
    """One question as the file shows it, with the importer's best guess of its kind.

    `text`, the options' and the rows' labels are in the file's language, or English when the file has several
    (an XLSForm). Spanish, when the file has it, is beside them: `text_es`, and `options_es` / `rows_es` keyed
    by the same codes as `options` / `rows`. So one question carries both languages and `shape("es")` gives the
    Spanish one; a file in one language leaves the `_es` fields empty."""

    key: str
    text: str
    kind: QuestionKind
    options: list[Choice] = field(default_factory=list)
    rows: list[Choice] = field(default_factory=list)
    allows_other: bool = False
    columns: list[str] = field(default_factory=list)
    scale_min: int | None = None
    scale_max: int | None = None
    # A question spread over several columns: option (split multiple choice) or row (matrix) code -> its column,
    # so a problem with one value can name the column a person should look at.
    value_columns: dict[str, str] = field(default_factory=dict)
    required: bool = False  # only an XLSForm says so
    text_es: str = ""
    options_es: dict[str, str] = field(default_factory=dict)
    rows_es: dict[str, str] = field(default_factory=dict)

    def shape(self, language: str = "en") -> QuestionShape:
        """The question in one language, as `answers.check_answer` and the results see it. Spanish falls back to
        the file's own text wherever the file has no Spanish."""
        spanish = language == "es"

        def label(choice: Choice, translated: dict[str, str]) -> Choice:
            return Choice(choice.code, translated.get(choice.code, choice.label) if spanish else choice.label)

        return QuestionShape(
            key=self.key,
            kind=self.kind,
            text=(self.text_es or self.text) if spanish else self.text,
            options=tuple(label(choice, self.options_es) for choice in self.options),
            rows=tuple(label(choice, self.rows_es) for choice in self.rows),
            scale_min=self.scale_min if self.scale_min is not None else 1,
            scale_max=self.scale_max if self.scale_max is not None else 5,
            allows_other=self.allows_other,
            required=self.required,
        )

    def label_index(self) -> dict[str, str]:
        """{normalised label, English or Spanish: code} for the options (a matrix: its rows), in the form
        `remap_answers` takes as `labels` for a survey created from this question."""
        index: dict[str, str] = {}
        matrix = self.kind == QuestionKind.MATRIX
        choices = self.rows if matrix else self.options
        spanish = self.rows_es if matrix else self.options_es
        for choice in choices:
            index.setdefault(normalise_label(choice.label), choice.code)
            if choice.code in spanish:
                index.setdefault(normalise_label(spanish[choice.code]), choice.code)
        return index


@dataclass(slots=True)  # slots: an import holds up to 200,000 of these at once
class ImportedResponse:
    row: int
    external_id: str
    submitted_at: datetime | None
    language: str
    partial: bool
    answers: dict[str, Any]
    fingerprint: str


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    message: str


@dataclass
class ParsedSurveyFile:
    format: str
    title: str
    questions: list[DetectedQuestion]
    responses: list[ImportedResponse]
    previews_skipped: list[int] = field(default_factory=list)
    duplicates: list[tuple[int, int]] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


@contextlib.contextmanager
def without_cyclic_gc() -> Iterator[None]:
    """Build many small containers without the cyclic garbage collector running over them again and again: an
    import's answers (a dict each, with lists and dicts inside) hold no reference cycles, and the collector's
    passes over 100,000 of them cost a quarter of the parse. It is turned back on, as it was, afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# --- Labels and keys ------------------------------------------------------------------------------------------


def normalise_label(text: str) -> str:
    """A label compared without case, accents or extra spaces: "  Él  Parque " and "el parque" are one label."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.casefold().split())


def slug(text: str, limit: int = 40) -> str:
    """A key made of a label or a question's text: `¿Qué servicios usa?` -> `que_servicios_usa`."""
    words = re.sub(r"[^a-z0-9]+", "_", normalise_label(text)).strip("_")
    if len(words) > limit:
        words = words[:limit].rsplit("_", 1)[0] or words[:limit]
    return words or "q"


def unique_key(wanted: str, taken: set[str]) -> str:
    key, number = wanted, 2
    while key in taken:
        key, number = f"{wanted}_{number}", number + 1
    taken.add(key)
    return key


# Labels that mean the "Other" choice itself, in the tools' English and Spanish ("Other (please specify)").
_OTHER_LABEL = re.compile(r"^(?:-oth-|other|otro|otra|otros|otras)(?:\s*[(:,-].*)?$")


def is_other_label(text: str) -> bool:
    return bool(_OTHER_LABEL.match(normalise_label(text)))


_CANONICAL = json.JSONEncoder(
    sort_keys=True, ensure_ascii=False, separators=(",", ":")
)  # made once: 20 % faster


def answers_fingerprint(answers: dict[str, Any]) -> str:
    """sha256 of the answers written canonically (keys sorted, no spaces), so two responses with the same answers
    have the same fingerprint whatever the column order. Callers may fingerprint stored answers the same way."""
    return hashlib.sha256(_CANONICAL.encode(answers).encode("utf-8")).hexdigest()


def clip(value: str, limit: int = 60) -> str:
    """A value short enough to quote in a message."""
    value = " ".join(str(value).split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


# --- Dates as the tools write them ----------------------------------------------------------------------------

# `3/14/2026 19:05:12`, `14/03/2026 7:05 p. m.`, `2026/03/14 7:05:12 PM GMT-7`, `2026-03-14 19:05 UTC`.
_WRITTEN = re.compile(
    r"^(?P<a>\d{1,4})[/.-](?P<b>\d{1,2})[/.-](?P<c>\d{2,4})"
    r"(?:[ T,]+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,]\d+)?)?"
    r"\s*(?P<half>[ap]\.?\s?m\.?)?)?"
    r"\s*(?P<zone>(?:gmt|utc)\s*(?:[+-]\d{1,2}(?::?\d{2})?)?|[+-]\d{1,2}(?::?\d{2})?|z)?$",
    re.IGNORECASE,
)
_ZONE = re.compile(r"([+-])(\d{1,2})(?::?(\d{2}))?")
SLASH_DAY_FIRST = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.]\d{4}")


def parse_datetime(text: str, *, zone: tzinfo = UTC, day_first: bool = False) -> datetime | None:
    """A timezone-aware datetime in UTC, or None when `text` is no date and time we can read. A value without an
    offset is in `zone` (UTC unless the file says otherwise). `day_first` reads `03/04/2026` as 3 April."""
    text = text.strip()
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        written = _parse_written(text, day_first)
        if written is None:
            return None
        value = written
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def _parse_written(text: str, day_first: bool) -> datetime | None:
    match = _WRITTEN.match(text)
    if not match:
        return None
    a, b, c = int(match["a"]), int(match["b"]), int(match["c"])
    if len(match["a"]) == 4:
        year, month, day = a, b, c
    else:
        year = c + 2000 if c < 100 else c
        # The first number is the day when it cannot be a month, or when the file's dates are day-first.
        month, day = (b, a) if a > 12 or (day_first and b <= 12) else (a, b)
    hour, minute = int(match["hour"] or 0), int(match["minute"] or 0)
    second = int(match["second"] or 0)
    half = (match["half"] or "").replace(".", "").replace(" ", "").lower()
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=_zone_of(match["zone"]))
    except ValueError:
        return None


def _zone_of(written: str | None) -> tzinfo | None:
    if not written:
        return None
    offset = _ZONE.search(written)
    if not offset:
        return UTC  # "GMT", "UTC" or "Z" alone
    sign = -1 if offset[1] == "-" else 1
    return timezone(sign * timedelta(hours=int(offset[2]), minutes=int(offset[3] or 0)))


@functools.lru_cache(maxsize=256)  # called once a row with a handful of distinct values
def language_code(value: str) -> str:
    """ "en" or "es" from `es`, `ES-ES`, `es_MX`, `English`, `Español`; "" for anything else."""
    word = normalise_label(value)
    code = re.split(r"[-_ ]", word, maxsplit=1)[0] if word else ""
    if code in ("en", "english", "ingles"):
        return "en"
    if code in ("es", "spanish", "espanol", "castellano"):
        return "es"
    return ""

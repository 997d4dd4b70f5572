"""A Gantt-like timeline drawn as SVG from plain data: one row per action, a bar from its start to its due date,
its milestones as markers and a line for today. Pure: the caller passes translated labels and gets a string; the
page puts the same data in a table (the SVG is one image for screen readers, described by its title and desc).

No inline style (the Content-Security-Policy forbids it): presentation attributes and classes only. Every text is
escaped with `html.escape`, so the result is well-formed XML."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

__all__ = [
    "Tick",
    "TimelineLabels",
    "TimelineMilestone",
    "TimelineRow",
    "date_range",
    "render_timeline",
    "ticks",
]

ENGLISH_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Geometry of the viewBox (the SVG scales to its container's width; these are its own units).
WIDTH = 960
LABEL_WIDTH = 250
RIGHT_PAD = 16
AXIS_HEIGHT = 34
ROW_HEIGHT = 30
LEGEND_HEIGHT = 34
MIN_LABEL_GAP = 84  # the fewest units between two tick labels
LABEL_CHARS = 34

BAR_FILL = "#dfe1e2"
PROGRESS_FILL = "#005ea2"
DONE_FILL = "#00a91c"
PENDING_STROKE = "#1b1b1b"
OVERDUE_FILL = "#b50909"
TODAY_STROKE = "#d54309"
GRID_STROKE = "#a9aeb1"


@dataclass(frozen=True)
class TimelineMilestone:
    title: str
    due: dt.date
    done: bool = False
    overdue: bool = False


@dataclass(frozen=True)
class TimelineRow:
    code: str
    title: str
    start: dt.date | None = None
    due: dt.date | None = None
    progress: float | None = None  # 0-100
    milestones: Sequence[TimelineMilestone] = field(default_factory=tuple)

    @property
    def overdue_count(self) -> int:
        return sum(1 for milestone in self.milestones if milestone.overdue)


@dataclass(frozen=True)
class TimelineLabels:
    """Every word the chart shows, already translated. `overdue` takes `%(count)s`."""

    title: str
    desc: str
    today: str = "Today"
    no_dates: str = "no dates"
    overdue: str = "%(count)s overdue"
    done: str = "done"
    pending: str = "due"
    overdue_marker: str = "overdue"
    months: Sequence[str] = ENGLISH_MONTHS


@dataclass(frozen=True)
class Tick:
    day: dt.date
    label: str  # empty when the tick is too close to the previous label


def date_range(
    rows: Sequence[TimelineRow], today: dt.date, fallback: tuple[dt.date, dt.date] | None = None
) -> tuple[dt.date, dt.date]:
    """From the first day of the month of the earliest date to the last day of the month of the latest one."""
    days = [day for row in rows for day in (row.start, row.due) if day]
    days += [milestone.due for row in rows for milestone in row.milestones]
    if not days:
        first, last = fallback or (today, today)
    else:
        first, last = min(days), max(days)
    first = first.replace(day=1)
    last = _add_months(last.replace(day=1), 1) - dt.timedelta(days=1)
    return first, last


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def ticks(start: dt.date, end: dt.date, months: Sequence[str] = ENGLISH_MONTHS) -> list[Tick]:
    """Month ticks for up to two years, quarter ticks (Jan, Apr, Jul, Oct) beyond; labels thinned to fit."""
    span_months = (end.year - start.year) * 12 + end.month - start.month + 1
    step = 1 if span_months <= 24 else 3
    day = start.replace(day=1)
    if step == 3:
        while (day.month - 1) % 3:
            day = _add_months(day, 1)
    elif day < start:
        day = _add_months(day, 1)
    days = []
    while day <= end:
        days.append(day)
        day = _add_months(day, step)
    scale = _Scale(start, end)
    result = []
    last_label_x: float | None = None
    for day in days:
        x = scale.x(day)
        if last_label_x is None or x - last_label_x >= MIN_LABEL_GAP:
            result.append(Tick(day, f"{months[day.month - 1]} {day.year}"))
            last_label_x = x
        else:
            result.append(Tick(day, ""))
    return result


class _Scale:
    def __init__(self, start: dt.date, end: dt.date) -> None:
        self.start = start
        self.days = max(1, (end - start).days + 1)
        self.width = WIDTH - LABEL_WIDTH - RIGHT_PAD

    def x(self, day: dt.date) -> float:
        offset = min(max((day - self.start).days, 0), self.days)
        return LABEL_WIDTH + self.width * offset / self.days


def _fmt(number: float) -> str:
    return f"{number:.1f}".rstrip("0").rstrip(".")


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _diamond(cx: float, cy: float, r: float) -> str:
    return f"{_fmt(cx)},{_fmt(cy - r)} {_fmt(cx + r)},{_fmt(cy)} {_fmt(cx)},{_fmt(cy + r)} {_fmt(cx - r)},{_fmt(cy)}"


def _marker(milestone: TimelineMilestone, cx: float, cy: float, labels: TimelineLabels) -> str:
    status = labels.overdue_marker if milestone.overdue else labels.done if milestone.done else labels.pending
    tip = f"<title>{escape(milestone.title)} ({escape(status)} {milestone.due.isoformat()})</title>"
    if (
        milestone.overdue
    ):  # a different shape, not only a different colour: a triangle pointing down, with a bar
        r = 7.0
        points = f"{_fmt(cx - r)},{_fmt(cy - r)} {_fmt(cx + r)},{_fmt(cy - r)} {_fmt(cx)},{_fmt(cy + r)}"
        return (
            f'<g class="cp-timeline__milestone cp-timeline__milestone--overdue">{tip}'
            f'<polygon points="{points}" fill="{OVERDUE_FILL}" stroke="{PENDING_STROKE}" stroke-width="1"/>'
            f'<line x1="{_fmt(cx)}" y1="{_fmt(cy - r + 2)}" x2="{_fmt(cx)}" y2="{_fmt(cy + 1)}" '
            f'stroke="#ffffff" stroke-width="2"/></g>'
        )
    fill = DONE_FILL if milestone.done else "#ffffff"
    kind = "done" if milestone.done else "pending"
    return (
        f'<g class="cp-timeline__milestone cp-timeline__milestone--{kind}">{tip}'
        f'<polygon points="{_diamond(cx, cy, 6)}" fill="{fill}" stroke="{PENDING_STROKE}" stroke-width="1.5"/></g>'
    )


def render_timeline(
    rows: Sequence[TimelineRow],
    *,
    start: dt.date,
    end: dt.date,
    today: dt.date,
    labels: TimelineLabels,
    id_prefix: str = "timeline",
) -> str:
    """The chart as an `<svg role="img">` string, labelled by its `<title>` and `<desc>`."""
    scale = _Scale(start, end)
    chart_top = AXIS_HEIGHT
    chart_bottom = chart_top + ROW_HEIGHT * max(len(rows), 1)
    height = chart_bottom + LEGEND_HEIGHT
    ident = escape(id_prefix)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="cp-timeline__svg" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" font-family="Source Sans Pro, Helvetica, Arial, sans-serif" '
        f'font-size="13">',
        f'<title id="{ident}-title">{escape(labels.title)}</title>',
        f'<desc id="{ident}-desc">{escape(labels.desc)}</desc>',
    ]
    # Axis: ticks, labels and a light grid line per tick.
    parts.append('<g class="cp-timeline__axis">')
    for tick in ticks(start, end, labels.months):
        x = _fmt(scale.x(tick.day))
        parts.append(
            f'<line x1="{x}" y1="{chart_top - 6}" x2="{x}" y2="{chart_bottom}" stroke="{GRID_STROKE}" '
            f'stroke-width="0.5"/>'
        )
        if tick.label:
            parts.append(f'<text x="{x}" y="{chart_top - 10}" fill="#1b1b1b">{escape(tick.label)}</text>')
    parts.append(
        f'<line x1="{LABEL_WIDTH}" y1="{chart_top}" x2="{WIDTH - RIGHT_PAD}" y2="{chart_top}" '
        f'stroke="{PENDING_STROKE}" stroke-width="1"/></g>'
    )
    # Rows.
    for index, row in enumerate(rows):
        top = chart_top + index * ROW_HEIGHT
        middle = top + ROW_HEIGHT / 2
        overdue = row.overdue_count
        row_class = "cp-timeline__row cp-timeline__row--overdue" if overdue else "cp-timeline__row"
        parts.append(f'<g class="{row_class}">')
        if index % 2:
            parts.append(
                f'<rect x="0" y="{top}" width="{WIDTH}" height="{ROW_HEIGHT}" fill="#f0f0f0" opacity="0.6"/>'
            )
        label = f"{row.code} {_short(row.title, LABEL_CHARS - len(row.code))}"
        parts.append(f'<text x="4" y="{_fmt(middle + 4)}" fill="#1b1b1b">{escape(label)}</text>')
        if row.start and row.due:
            x1, x2 = scale.x(min(row.start, row.due)), scale.x(max(row.start, row.due))
            width = max(x2 - x1, 2.0)
            parts.append(
                f'<rect class="cp-timeline__bar" x="{_fmt(x1)}" y="{_fmt(top + 8)}" width="{_fmt(width)}" '
                f'height="{ROW_HEIGHT - 16}" rx="3" fill="{BAR_FILL}" stroke="#71767a" stroke-width="0.5"/>'
            )
            if row.progress:
                done_width = width * max(0.0, min(100.0, row.progress)) / 100
                parts.append(
                    f'<rect x="{_fmt(x1)}" y="{_fmt(top + 11)}" width="{_fmt(done_width)}" '
                    f'height="{ROW_HEIGHT - 22}" rx="2" fill="{PROGRESS_FILL}"/>'
                )
        elif not row.milestones:
            parts.append(
                f'<text x="{LABEL_WIDTH + 6}" y="{_fmt(middle + 4)}" fill="#3d4551" font-style="italic">'
                f"{escape(labels.no_dates)}</text>"
            )
        for milestone in row.milestones:
            parts.append(_marker(milestone, scale.x(milestone.due), middle, labels))
        if overdue:
            text = labels.overdue % {"count": overdue}
            pill = 8.2 * len(text) + 14  # a white pill so the words stay readable over a bar
            parts.append(
                f'<rect x="{_fmt(WIDTH - RIGHT_PAD - pill)}" y="{top + 5}" width="{_fmt(pill)}" '
                f'height="{ROW_HEIGHT - 10}" rx="4" fill="#ffffff" stroke="{OVERDUE_FILL}" stroke-width="1"/>'
                f'<text x="{WIDTH - RIGHT_PAD - 5}" y="{_fmt(middle + 4)}" text-anchor="end" '
                f'fill="{OVERDUE_FILL}" font-weight="bold">{escape(text)}</text>'
            )
        parts.append("</g>")
    # Today.
    if start <= today <= end:
        x = _fmt(scale.x(today))
        parts.append(
            f'<g class="cp-timeline__today"><line x1="{x}" y1="{chart_top - 4}" x2="{x}" y2="{chart_bottom}" '
            f'stroke="{TODAY_STROKE}" stroke-width="2" stroke-dasharray="4 3"/>'
            f'<text x="{x}" y="{chart_bottom + 14}" text-anchor="middle" fill="{TODAY_STROKE}" '
            f'font-weight="bold">{escape(labels.today)}</text></g>'
        )
    # Legend: the three marker shapes with their words.
    legend_y = chart_bottom + LEGEND_HEIGHT - 8
    sample = [
        TimelineMilestone(labels.done, today, done=True),
        TimelineMilestone(labels.pending, today),
        TimelineMilestone(labels.overdue_marker, today, overdue=True),
    ]
    parts.append('<g class="cp-timeline__legend">')
    legend_x = 12.0
    for milestone, word in zip(sample, (labels.done, labels.pending, labels.overdue_marker), strict=True):
        parts.append(_marker(milestone, legend_x, legend_y - 4, labels))
        parts.append(f'<text x="{_fmt(legend_x + 12)}" y="{legend_y}" fill="#1b1b1b">{escape(word)}</text>')
        legend_x += 24 + 8 * len(word)
    parts.append("</g></svg>")
    return "".join(parts)

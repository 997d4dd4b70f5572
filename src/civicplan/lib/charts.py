"""Server-rendered SVG charts: pure functions from plain values to an SVG string.

Every chart is an accessible image (`role="img"`, `aria-labelledby` naming its `<title>` and `<desc>`), scales with
its `viewBox` (the page sizes it through a CSS class; no inline style, so the Content-Security-Policy stays strict),
uses only presentation attributes (so it prints and converts to PDF as it shows), and escapes every text.
The words (title, description, legend, axis labels) come in already translated and formatted: this module knows
nothing of languages, units or Django. The page shows a `<table>` of the same numbers next to each chart.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

ACTUAL_COLOR = "#005ea2"
BASELINE_COLOR = "#565c65"
TARGET_COLOR = "#2e8540"
BAND_COLOR = "#2e8540"
GRID_COLOR = "#dfe1e2"
TEXT_COLOR = "#1b1b1b"


@dataclass(frozen=True)
class ChartPoint:
    """One actual value: `x` is the first day of its period, `label` the period's name for the x-axis."""

    x: dt.date
    y: float
    label: str = ""


@dataclass(frozen=True)
class TargetStep:
    """A target in force from `start` to `end` (inclusive): a value, or a band from `low` to `high`."""

    start: dt.date
    end: dt.date
    value: float | None = None
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class Legend:
    actual: str = "Actual"
    baseline: str = "Baseline"
    target: str = "Target"
    band: str = "Target range"


def _attr(value: object) -> str:
    return escape(str(value), quote=True)


def _num(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high]: steps of 1, 2, 2.5 or 5 times a power of ten."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return [0.0]
    if high < low:
        low, high = high, low
    if high == low:
        spread = abs(high) * 0.1 or 1.0
        low, high = low - spread, high + spread
    raw = (high - low) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def line_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    points: Sequence[ChartPoint],
    baseline: float | None = None,
    targets: Sequence[TargetStep] = (),
    x_start: dt.date | None = None,
    x_end: dt.date | None = None,
    format_value: Callable[[float], str] = _num,
    legend: Legend | None = None,
    x_labels: Sequence[tuple[dt.date, str]] | None = None,
    css_class: str = "cp-chart",
    width: int = 640,
    height: int = 280,
) -> str:
    """A line chart of actual values with point markers, the baseline as a dashed line and the targets as a
    stepped line (one step per period a target was in force, so a change during a year shows as a step).

    `x_labels` default to the first and last points' labels. `format_value` writes the y-axis ticks (with the unit).
    """
    legend = legend or Legend()
    chart_id = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in chart_id) or "chart"
    left, right, top, bottom = 72, 16, 16, 56
    plot_w, plot_h = width - left - right, height - top - bottom

    dates = [p.x for p in points] + [t.start for t in targets] + [t.end for t in targets]
    if x_start:
        dates.append(x_start)
    if x_end:
        dates.append(x_end)
    first_day = x_start or (min(dates) if dates else dt.date.today())
    last_day = x_end or (max(dates) if dates else first_day)
    if last_day <= first_day:
        last_day = first_day + dt.timedelta(days=30)
    span = (last_day - first_day).days

    values = [p.y for p in points]
    values += [v for t in targets for v in (t.value, t.low, t.high) if v is not None]
    if baseline is not None:
        values.append(baseline)
    values = [v for v in values if math.isfinite(v)]
    ticks = nice_ticks(min(values), max(values)) if values else [0.0, 1.0]
    y_low, y_high = ticks[0], ticks[-1]
    if y_high == y_low:
        y_high = y_low + 1

    def sx(day: dt.date) -> float:
        return left + plot_w * min(max((day - first_day).days / span, 0.0), 1.0)

    def sy(value: float) -> float:
        return top + plot_h * (1 - (value - y_low) / (y_high - y_low))

    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{_attr(css_class)}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{title_id} {desc_id}" focusable="false" '
        f'font-family="Source Sans Pro, Helvetica, Arial, sans-serif" font-size="12">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(desc)}</desc>',
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#ffffff"/>',
    ]
    # Horizontal grid and y-axis ticks with their units.
    parts.append('<g class="cp-chart__y" aria-hidden="true">')
    for tick in ticks:
        y = sy(tick)
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{_num(y)}" y2="{_num(y)}" stroke="{GRID_COLOR}"/>'
            f'<text x="{left - 6}" y="{_num(y + 4)}" text-anchor="end" fill="{TEXT_COLOR}">'
            f"{escape(format_value(tick))}</text>"
        )
    parts.append("</g>")
    # X-axis labels.
    labels = list(x_labels) if x_labels is not None else []
    if x_labels is None and points:
        labels = [(points[0].x, points[0].label)]
        if len(points) > 1:
            labels.append((points[-1].x, points[-1].label))
    parts.append('<g class="cp-chart__x" aria-hidden="true">')
    parts.append(
        f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="{TEXT_COLOR}"/>'
    )
    for index, (day, text) in enumerate(labels):
        x = sx(day)
        anchor = (
            "start" if index == 0 and len(labels) > 1 else ("end" if index == len(labels) - 1 else "middle")
        )
        if len(labels) == 1:
            anchor = "middle"
        parts.append(
            f'<line x1="{_num(x)}" x2="{_num(x)}" y1="{top + plot_h}" y2="{top + plot_h + 5}" stroke="{TEXT_COLOR}"/>'
            f'<text x="{_num(x)}" y="{top + plot_h + 18}" text-anchor="{anchor}" fill="{TEXT_COLOR}">'
            f"{escape(text)}</text>"
        )
    parts.append("</g>")
    # Targets: a band as a shaded area, a value as a stepped line.
    for step in targets:
        x1, x2 = sx(step.start), sx(step.end)
        if step.low is not None or step.high is not None:
            low = step.low if step.low is not None else y_low
            high = step.high if step.high is not None else y_high
            parts.append(
                f'<rect class="cp-chart__band" x="{_num(x1)}" y="{_num(sy(high))}" width="{_num(max(x2 - x1, 1))}" '
                f'height="{_num(max(sy(low) - sy(high), 1))}" fill="{BAND_COLOR}" fill-opacity="0.15"/>'
            )
        if step.value is not None:
            y = sy(step.value)
            parts.append(
                f'<line class="cp-chart__target" x1="{_num(x1)}" x2="{_num(x2)}" y1="{_num(y)}" y2="{_num(y)}" '
                f'stroke="{TARGET_COLOR}" stroke-width="2"/>'
            )
    if baseline is not None and math.isfinite(baseline):
        y = sy(baseline)
        parts.append(
            f'<line class="cp-chart__baseline" x1="{left}" x2="{left + plot_w}" y1="{_num(y)}" y2="{_num(y)}" '
            f'stroke="{BASELINE_COLOR}" stroke-width="1.5" stroke-dasharray="6 4"/>'
        )
    # Actual values.
    if points:
        coords = " ".join(f"{_num(sx(p.x))},{_num(sy(p.y))}" for p in points)
        parts.append(
            f'<polyline class="cp-chart__actual" points="{coords}" fill="none" stroke="{ACTUAL_COLOR}" '
            f'stroke-width="2.5" stroke-linejoin="round"/>'
        )
        for p in points:
            parts.append(
                f'<circle class="cp-chart__point" cx="{_num(sx(p.x))}" cy="{_num(sy(p.y))}" r="3.5" '
                f'fill="{ACTUAL_COLOR}"><title>{escape(p.label)}: {escape(format_value(p.y))}</title></circle>'
            )
    # Legend (patterns differ, so it never relies on colour alone).
    ly = height - 14
    entries = [(legend.actual, f'stroke="{ACTUAL_COLOR}" stroke-width="2.5"')]
    if baseline is not None:
        entries.append(
            (legend.baseline, f'stroke="{BASELINE_COLOR}" stroke-width="1.5" stroke-dasharray="6 4"')
        )
    if any(t.value is not None for t in targets):
        entries.append((legend.target, f'stroke="{TARGET_COLOR}" stroke-width="2"'))
    if any(t.low is not None or t.high is not None for t in targets):
        entries.append((legend.band, f'stroke="{BAND_COLOR}" stroke-opacity="0.3" stroke-width="8"'))
    parts.append('<g class="cp-chart__legend" aria-hidden="true">')
    x = left
    for text, stroke in entries:
        parts.append(
            f'<line x1="{x}" x2="{x + 24}" y1="{ly - 4}" y2="{ly - 4}" {stroke}/>'
            f'<text x="{x + 30}" y="{ly}" fill="{TEXT_COLOR}">{escape(text)}</text>'
        )
        x += 40 + 7 * len(text)
    parts.append("</g></svg>")
    return "".join(parts)


def sparkline(
    *,
    chart_id: str,
    title: str,
    values: Sequence[float],
    target: float | None = None,
    css_class: str = "cp-sparkline",
    width: int = 120,
    height: int = 32,
) -> str:
    """A tiny trend line for lists: the values in order and, if given, the target as a thin line."""
    chart_id = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in chart_id) or "spark"
    title_id = f"{chart_id}-title"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{_attr(css_class)}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{title_id}" focusable="false">',
        f'<title id="{title_id}">{escape(title)}</title>',
    ]
    finite = [v for v in values if math.isfinite(v)]
    scale = finite + ([target] if target is not None else [])
    if finite:
        low, high = min(scale), max(scale)
        if high == low:
            low, high = low - 1, high + 1
        pad = 3

        def sy(v: float) -> float:
            return pad + (height - 2 * pad) * (1 - (v - low) / (high - low))

        count = len(finite)

        def sx(i: int) -> float:
            return pad + (width - 2 * pad) * (i / (count - 1) if count > 1 else 0.5)

        if target is not None:
            parts.append(
                f'<line x1="{pad}" x2="{width - pad}" y1="{_num(sy(target))}" y2="{_num(sy(target))}" '
                f'stroke="{TARGET_COLOR}" stroke-width="1" stroke-dasharray="3 2"/>'
            )
        coords = " ".join(f"{_num(sx(i))},{_num(sy(v))}" for i, v in enumerate(finite))
        parts.append(f'<polyline points="{coords}" fill="none" stroke="{ACTUAL_COLOR}" stroke-width="1.5"/>')
        parts.append(
            f'<circle cx="{_num(sx(count - 1))}" cy="{_num(sy(finite[-1]))}" r="2.5" fill="{ACTUAL_COLOR}"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class Bar:
    """One bar of a bar chart: its label, its value and its colour (the label and value are always drawn as text,
    so the colour is never the only carrier of meaning)."""

    label: str
    value: float
    color: str = ACTUAL_COLOR


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    bars: Sequence[Bar],
    value_text: Callable[[float], str] = lambda v: _num(v),
    css_class: str = "cp-chart",
    width: int = 640,
    row_height: int = 28,
    label_width: int = 220,
    labels_above: bool = False,
) -> str:
    """Horizontal bars, one row each, the label on the left and the value after the bar. With `labels_above`
    each label sits on its own line above its bar, so a narrow chart (a phone) keeps whole labels and big text."""
    if labels_above:
        return _bar_chart_labels_above(chart_id, title, description, bars, value_text, css_class, width)
    chart_id = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in chart_id) or "bars"
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    height = max(row_height * len(bars), row_height) + 8
    high = max((bar.value for bar in bars if math.isfinite(bar.value)), default=0.0) or 1.0
    room = width - label_width - 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{_attr(css_class)}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{title_id} {desc_id}" focusable="false">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(description)}</desc>',
    ]
    for index, bar in enumerate(bars):
        top = 4 + index * row_height
        middle = top + row_height / 2
        length = max(0.0, room * (bar.value / high)) if math.isfinite(bar.value) else 0.0
        label = bar.label if len(bar.label) <= 32 else bar.label[:31] + "…"
        parts.append(
            f'<text x="{label_width - 8}" y="{_num(middle)}" text-anchor="end" dominant-baseline="middle" '
            f'font-size="13" fill="{TEXT_COLOR}">{escape(label)}</text>'
        )
        parts.append(
            f'<rect x="{label_width}" y="{_num(top + 4)}" width="{_num(length)}" height="{row_height - 8}" '
            f'rx="2" fill="{_attr(bar.color)}" stroke="{TEXT_COLOR}" stroke-width="0.5"/>'
        )
        parts.append(
            f'<text x="{_num(label_width + length + 6)}" y="{_num(middle)}" dominant-baseline="middle" '
            f'font-size="13" fill="{TEXT_COLOR}">{escape(value_text(bar.value))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _bar_chart_labels_above(
    chart_id: str,
    title: str,
    description: str,
    bars: Sequence[Bar],
    value_text: Callable[[float], str],
    css_class: str,
    width: int,
) -> str:
    chart_id = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in chart_id) or "bars"
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    row_height = 46
    height = max(row_height * len(bars), row_height) + 4
    high = max((bar.value for bar in bars if math.isfinite(bar.value)), default=0.0) or 1.0
    room = width - 80
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{_attr(css_class)}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{title_id} {desc_id}" focusable="false">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(description)}</desc>',
    ]
    characters = max(12, width // 8)
    for index, bar in enumerate(bars):
        top = 2 + index * row_height
        length = max(0.0, room * (bar.value / high)) if math.isfinite(bar.value) else 0.0
        label = bar.label if len(bar.label) <= characters else bar.label[: characters - 1] + "…"
        parts.append(
            f'<text x="0" y="{_num(top + 15)}" font-size="15" fill="{TEXT_COLOR}">{escape(label)}</text>'
        )
        parts.append(
            f'<rect x="0" y="{_num(top + 22)}" width="{_num(length)}" height="16" rx="2" '
            f'fill="{_attr(bar.color)}" stroke="{TEXT_COLOR}" stroke-width="0.5"/>'
        )
        parts.append(
            f'<text x="{_num(length + 6)}" y="{_num(top + 35)}" font-size="15" fill="{TEXT_COLOR}">'
            f"{escape(value_text(bar.value))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)

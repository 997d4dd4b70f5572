"""The timeline SVG: well-formed XML, labelled for screen readers, one row per action, overdue said in words."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from defusedxml import ElementTree as DefusedET

from civicplan.lib.timeline import (
    TimelineLabels,
    TimelineMilestone,
    TimelineRow,
    date_range,
    render_timeline,
    ticks,
)

NS = "{http://www.w3.org/2000/svg}"
TODAY = dt.date(2026, 3, 15)
LABELS = TimelineLabels(title="Timeline of goal 1.1", desc="2 actions; 1 milestone is overdue.")


def _rows():
    return [
        TimelineRow(
            code="1.1.1.1",
            title='Repave Main Street <fast> & "safe"',
            start=dt.date(2025, 7, 1),
            due=dt.date(2027, 6, 30),
            progress=40.0,
            milestones=(
                TimelineMilestone("Design", dt.date(2025, 12, 1), done=True),
                TimelineMilestone("Bids", dt.date(2026, 2, 1), overdue=True),
                TimelineMilestone("Build", dt.date(2026, 9, 1)),
            ),
        ),
        TimelineRow(code="1.1.1.2", title="Plant trees"),
    ]


def _svg(rows=None, **kwargs):
    rows = _rows() if rows is None else rows
    start, end = date_range(rows, TODAY)
    return render_timeline(rows, start=start, end=end, today=TODAY, labels=LABELS, **kwargs)


def _parse(svg: str) -> ET.Element:
    return DefusedET.fromstring(svg)


def _texts(root):
    return ["".join(node.itertext()) for node in root.iter(f"{NS}text")]


def test_it_renders_well_formed_svg_labelled_by_its_title_and_desc():
    root = _parse(_svg())
    assert root.tag == f"{NS}svg"
    assert root.get("role") == "img"
    title, desc = root.find(f"{NS}title"), root.find(f"{NS}desc")
    assert title.text == LABELS.title and desc.text == LABELS.desc
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"


def test_it_scales_to_its_container_without_inline_style():
    svg = _svg()
    root = _parse(svg)
    assert root.get("width") == "100%" and root.get("viewBox").startswith("0 0 ")
    assert " style=" not in svg  # presentation attributes only (font-style is one)


def test_it_has_a_row_label_for_every_action_and_escapes_text():
    svg = _svg()
    texts = _texts(_parse(svg))
    assert any(text.startswith("1.1.1.1 Repave Main Street <fast>") for text in texts)
    assert any(text.startswith("1.1.1.2 Plant trees") for text in texts)
    assert "<fast>" not in svg  # escaped in the markup


def test_an_action_without_dates_has_no_bar_and_says_so():
    root = _parse(_svg([TimelineRow(code="3.1.1.1", title="Someday")]))
    assert not list(root.iter(f"{NS}rect")) or all(
        "cp-timeline__bar" not in (rect.get("class") or "") for rect in root.iter(f"{NS}rect")
    )
    assert LABELS.no_dates in _texts(root)


def test_an_action_with_dates_gets_a_bar():
    root = _parse(_svg())
    bars = [rect for rect in root.iter(f"{NS}rect") if rect.get("class") == "cp-timeline__bar"]
    assert len(bars) == 1


def test_overdue_milestones_have_their_own_shape_and_the_word_overdue_in_the_row():
    root = _parse(_svg())
    groups = {g.get("class") for g in root.iter(f"{NS}g")}
    assert "cp-timeline__milestone cp-timeline__milestone--overdue" in groups
    assert "cp-timeline__milestone cp-timeline__milestone--done" in groups
    assert "cp-timeline__milestone cp-timeline__milestone--pending" in groups
    assert "1 overdue" in _texts(root)
    overdue = [g for g in root.iter(f"{NS}g") if g.get("class", "").endswith("milestone--overdue")]
    assert all(g.find(f"{NS}polygon").get("points").count(",") == 3 for g in overdue)  # a triangle
    done = [g for g in root.iter(f"{NS}g") if g.get("class", "").endswith("milestone--done")]
    assert all(g.find(f"{NS}polygon").get("points").count(",") == 4 for g in done)  # a diamond


def test_it_draws_a_today_line_only_when_today_is_in_range():
    assert "cp-timeline__today" in _svg()
    rows = [TimelineRow(code="1", title="Old", start=dt.date(2020, 1, 1), due=dt.date(2020, 6, 30))]
    start, end = date_range(rows, TODAY)
    svg = render_timeline(rows, start=start, end=end, today=TODAY, labels=LABELS)
    assert "cp-timeline__today" not in svg


def test_the_range_runs_from_the_first_to_the_last_month_and_falls_back_when_there_are_no_dates():
    assert date_range(_rows(), TODAY) == (dt.date(2025, 7, 1), dt.date(2027, 6, 30))
    fallback = (dt.date(2025, 7, 1), dt.date(2030, 6, 30))
    assert date_range([TimelineRow(code="1", title="x")], TODAY, fallback) == fallback


def test_ticks_are_months_for_short_ranges_and_quarters_for_long_ones():
    short = ticks(dt.date(2025, 7, 1), dt.date(2026, 6, 30))
    assert [tick.day.month for tick in short[:3]] == [7, 8, 9]
    long = ticks(dt.date(2025, 7, 1), dt.date(2030, 6, 30))
    assert {tick.day.month for tick in long} == {1, 4, 7, 10}
    assert long[0].label == "Jul 2025"
    assert any(tick.label == "" for tick in long)  # thinned so labels never overlap


def test_tick_labels_use_the_month_names_given():
    spanish = ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic")
    assert ticks(dt.date(2025, 7, 1), dt.date(2025, 12, 31), spanish)[0].label == "jul 2025"


def test_ids_follow_the_prefix_so_two_charts_can_share_a_page():
    root = _parse(_svg(id_prefix="dept-3"))
    assert root.find(f"{NS}title").get("id") == "dept-3-title"

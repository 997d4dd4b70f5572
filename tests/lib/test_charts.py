"""SVG charts: valid XML, accessible names, escaped text, targets drawn as steps."""

from __future__ import annotations

import datetime as dt

from defusedxml import ElementTree

from civicplan.lib.charts import ChartPoint, TargetStep, line_chart, nice_ticks, sparkline

SVG = "{http://www.w3.org/2000/svg}"


def _chart(**overrides):
    arguments = {
        "chart_id": "c1",
        "title": "Trees <planted>",
        "desc": "Latest value: 12 & rising",
        "points": [
            ChartPoint(dt.date(2025, 7, 1), 10.0, "July 2025"),
            ChartPoint(dt.date(2025, 8, 1), 12.0, "August 2025"),
        ],
        "baseline": 8.0,
        "targets": [
            TargetStep(dt.date(2025, 7, 1), dt.date(2025, 12, 31), value=15.0),
            TargetStep(dt.date(2026, 1, 1), dt.date(2026, 6, 30), value=18.0),
        ],
    }
    return line_chart(**{**arguments, **overrides})


def test_it_is_valid_xml_with_a_title_and_description():
    root = ElementTree.fromstring(_chart())
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{SVG}title").text == "Trees <planted>"
    assert root.find(f"{SVG}desc").text == "Latest value: 12 & rising"
    assert root.get("viewBox") == "0 0 640 280"
    assert "style" not in _chart()


def test_it_draws_one_marker_per_value_named_with_its_period():
    root = ElementTree.fromstring(_chart())
    markers = [circle.find(f"{SVG}title").text for circle in root.iter(f"{SVG}circle")]
    assert markers == ["July 2025: 10", "August 2025: 12"]


def test_it_draws_a_mid_year_target_change_as_two_steps_and_a_dashed_baseline():
    root = ElementTree.fromstring(_chart())
    lines = list(root.iter(f"{SVG}line"))
    targets = [line for line in lines if line.get("class") == "cp-chart__target"]
    assert len(targets) == 2
    assert targets[0].get("y1") != targets[1].get("y1")
    baseline = [line for line in lines if line.get("class") == "cp-chart__baseline"]
    assert baseline and baseline[0].get("stroke-dasharray")


def test_it_draws_a_band_as_an_area():
    svg = _chart(targets=[TargetStep(dt.date(2025, 7, 1), dt.date(2026, 6, 30), low=9.0, high=14.0)])
    root = ElementTree.fromstring(svg)
    assert [rect for rect in root.iter(f"{SVG}rect") if rect.get("class") == "cp-chart__band"]


def test_it_draws_an_empty_chart_without_values():
    root = ElementTree.fromstring(_chart(points=[], baseline=None, targets=[]))
    assert not list(root.iter(f"{SVG}polyline"))


def test_it_escapes_labels_and_tick_units():
    svg = _chart(format_value=lambda v: f"{v:.0f} <u>", x_labels=[(dt.date(2025, 7, 1), "FY <25>")])
    ElementTree.fromstring(svg)
    assert "<u>" not in svg and "FY &lt;25&gt;" in svg


def test_ticks_are_round_and_cover_the_values():
    ticks = nice_ticks(3.2, 97.5)
    assert ticks[0] <= 3.2 and ticks[-1] >= 97.5
    assert ticks == [0, 25, 50, 75, 100]
    assert nice_ticks(5, 5)[0] < 5 < nice_ticks(5, 5)[-1]


def test_a_sparkline_is_valid_xml_with_a_title():
    root = ElementTree.fromstring(sparkline(chart_id="s", title="Trend & more", values=[1, 3, 2], target=2.5))
    assert root.find(f"{SVG}title").text == "Trend & more"
    assert root.get("aria-labelledby") == "s-title"


def test_a_bar_chart_names_every_bar_and_value_in_text():
    from civicplan.lib.charts import Bar, bar_chart

    svg = bar_chart(
        chart_id="status",
        title="Actions by status",
        description="On track 12, <Delayed> 3",
        bars=[Bar("On track", 12, "#00a91c"), Bar("<Delayed>", 3, "#ffbe2e"), Bar("Not started", 0)],
    )
    root = ElementTree.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.find(f"{ns}title").text == "Actions by status"
    assert root.find(f"{ns}desc").text == "On track 12, <Delayed> 3"
    texts = [t.text for t in root.iter(f"{ns}text")]
    assert texts == ["On track", "12", "<Delayed>", "3", "Not started", "0"]
    widths = [float(r.get("width")) for r in root.iter(f"{ns}rect")]
    assert widths[0] > widths[1] > widths[2] == 0


def test_a_bar_chart_for_phones_puts_each_whole_label_above_its_bar():
    from civicplan.lib.charts import Bar, bar_chart

    svg = bar_chart(
        chart_id="money",
        title="Money",
        description="Two priorities",
        bars=[Bar("1 Safe and Healthy Community", 10.0), Bar("2 Economic <Vitality>", 5.0)],
        width=420,
        labels_above=True,
    )
    assert svg.count("<rect") == 2
    assert "1 Safe and Healthy Community</text>" in svg
    assert "2 Economic &lt;Vitality&gt;" in svg
    assert 'aria-labelledby="money-title money-desc"' in svg

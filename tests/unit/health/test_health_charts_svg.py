"""themes.charts: values → coordinates, accessibility, determinism, template tag."""

import re
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from django.template import Context, Template

from themes import charts

NS = {"svg": "http://www.w3.org/2000/svg"}


def parse(svg: str):
    return ElementTree.fromstring(str(svg))


def test_nice_steps_for_counts_and_amounts():
    assert [charts.nice_step(v / 4, integer=True) for v in (2, 5, 10, 26, 5_000_000)] == [
        1,
        2,
        5,
        10,
        2_000_000,
    ]
    assert [charts.nice_step(v / 4) for v in (1, 6, 10)] == [0.25, 2, 2.5]
    axis = parse(charts.bar_chart(["a", "b"], [("n", [3, 5])], title="counts"))
    ticks = [t.text for t in axis.findall(".//svg:g[@class='chart-axis chart-y']/svg:text", NS)]
    assert ticks == ["0", "2", "4", "6"]  # whole numbers for counts


def test_nice_ceiling():
    assert [charts.nice_ceiling(v) for v in (0, 0.7, 1, 3, 7, 12, 26, 99, 101, 4800)] == [
        1.0,
        1.0,
        1,
        5,
        10,
        20,
        50,
        100,
        200,
        5000,
    ]


def test_line_points_map_values_to_the_plot_area():
    points = charts.line_points([0, 50, 100, None], x0=10, width=300, y0=20, height=200, y_min=0, y_max=100)
    assert points == [(10, 220), (110, 120), (210, 20), None]
    assert charts.line_points([5], x0=0, width=100, y0=0, height=10, y_min=0, y_max=10) == [(50, 5)]


def test_line_chart_is_accessible_with_paths_legend_and_goal():
    svg = charts.line_chart(
        ["2026-07", "2026-08", "2026-09"],
        [{"name": "倍数", "values": [Decimal("2.5"), None, 3.5]}],
        title="生态倍数",
        goal=6,
        goal_label="Goal 1:6",
        width=400,
        height=200,
    )
    root = parse(svg)
    assert root.get("role") == "img"
    chart_id = root.get("id")
    assert root.get("aria-labelledby") == f"{chart_id}-title {chart_id}-desc"
    assert root.find("svg:title", NS).text == "生态倍数"
    desc = root.find("svg:desc", NS).text
    assert "2026-07: 2.5" in desc and "2026-08: –" in desc and "Goal 1:6: 6" in desc
    # y axis 0..6 in steps of 2 (the goal is the highest value); plot top 12, height 200-12-56=132
    assert [t.text for t in root.findall(".//svg:g[@class='chart-axis chart-y']/svg:text", NS)] == [
        "0",
        "2",
        "4",
        "6",
    ]
    paths = root.findall(".//svg:g[@class='chart-series']/svg:path", NS)
    assert len(paths) == 2  # the None splits the line
    assert paths[0].get("d") == "M56,89"  # x = 48 + 8; y = 12 + 132 - 132 * 2.5 / 6
    assert paths[1].get("d") == "M368,67"  # x = 56 + (400 - 48 - 24 - 16); y = 144 - 132 * 3.5 / 6
    goal = root.find(".//svg:g[@class='chart-goal']/svg:line", NS)
    assert goal.get("y1") == goal.get("y2") == "12"
    assert "Goal 1:6" in svg and "倍数" in svg  # legend


def test_bar_chart_grouped_and_stacked_heights():
    svg = charts.bar_chart(["a", "b"], [("x", [10, 20]), ("y", [5, 0])], title="t", width=248, height=152)
    root = parse(svg)
    rects = root.findall(".//svg:g[@class='chart-group']/svg:rect", NS)
    # y max 20; plot: left 48, right 24 → width 176; top 12, bottom 40+16 → height 84
    heights = [float(r.get("height")) for r in rects]
    assert heights == [42, 21, 84, 0]
    stacked = parse(charts.bar_chart(["a"], [("x", [10]), ("y", [10])], title="s", stacked=True))
    rects = stacked.findall(".//svg:g[@class='chart-group']/svg:rect", NS)
    assert float(rects[0].get("y")) + float(rects[0].get("height")) == pytest.approx(
        float(rects[1].get("y")) + float(rects[1].get("height")) + float(rects[0].get("height"))
    )  # the second bar sits on the first


def test_funnel_shows_share_of_first_stage():
    svg = charts.funnel_chart([("Trials", 200), ("Paid", 50)], title="Funnel")
    assert "Paid: 50 (25.0%)" in parse(svg).find("svg:desc", NS).text
    assert "50 · 25.0%" in svg
    widths = [float(r.get("width")) for r in parse(svg).findall(".//svg:rect", NS)]
    assert widths[1] == pytest.approx(widths[0] / 4)


@pytest.mark.parametrize(
    ("value", "large", "end"), [(25, 0, (110, 60)), (50, 0, (60, 110)), (75, 1, (10, 60))]
)
def test_gauge_arc(value, large, end):
    x, y, flag = charts.gauge_arc(value, cx=60, cy=60, r=50)
    assert (round(x, 1), round(y, 1), flag) == (*end, large)


def test_gauge_colours_and_text():
    assert 'stroke="#dc2626"' in charts.gauge_chart(35, title="g")
    assert 'stroke="#0f9d73"' in charts.gauge_chart(85, title="g")
    empty = charts.gauge_chart(None, title="g", label="健康分")
    assert "chart-gauge-value" not in empty and ">–<" in empty and "健康分: – / 100" in empty
    assert "<circle" in charts.gauge_chart(100, title="full")


def test_sparkline_and_escaping():
    svg = charts.sparkline([1, 2, 3], title='<b>"x"</b>')
    assert "&lt;b&gt;&quot;x&quot;&lt;/b&gt;" in svg
    assert parse(svg).find(".//svg:path", NS).get("d") == "M2,22 L48,12 L94,2"


def test_output_is_deterministic_and_ids_differ_per_chart():
    spec = {"type": "line", "labels": ["a", "b"], "series": [{"name": "s", "values": [1, 2]}], "title": "T"}
    assert charts.render_chart(spec) == charts.render_chart(dict(spec))
    other = charts.render_chart({**spec, "title": "U"})
    ids = {parse(charts.render_chart(spec)).get("id"), parse(other).get("id")}
    assert len(ids) == 2
    with pytest.raises(ValueError):
        charts.render_chart({"type": "pie"})


def test_template_tag_renders_safe_svg():
    html = Template("{% load charts %}{% chart spec %}|{% gauge 72.5 title='H' %}").render(
        Context(
            {"spec": {"type": "bar", "labels": ["a"], "series": [{"name": "x", "values": [3]}], "title": "B"}}
        )
    )
    assert html.count("<svg") == 2 and "&lt;svg" not in html
    assert re.search(r">72\.5<", html)

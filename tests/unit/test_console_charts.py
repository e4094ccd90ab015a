"""The dashboard's server-drawn bar chart: scaled bars, whole-number grid steps, escaped labels."""

from __future__ import annotations

from xml.etree.ElementTree import fromstring

from flowport.web.charts import Bar, bar_chart

SVG = "{http://www.w3.org/2000/svg}"


def test_bars_are_scaled_to_the_highest_value() -> None:
    svg = fromstring(bar_chart("Chart", ("started", "completed"), [Bar("a", (10, 5)), Bar("b", (0, 2))]))
    heights = {r.find(f"{SVG}title").text: float(r.get("height")) for r in svg.iter(f"{SVG}rect")}  # type: ignore[union-attr]
    assert heights["a: 10 started"] > heights["a: 5 completed"] > heights["b: 2 completed"] > 0
    assert heights["b: 0 started"] == 0
    assert abs(heights["a: 10 started"] - 2 * heights["a: 5 completed"]) < 0.2


def test_grid_labels_are_whole_numbers() -> None:
    svg = fromstring(bar_chart("Chart", ("started",), [Bar("a", (7,))]))
    labels = [t.text for t in svg.iter(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert labels == ["0", "2", "4", "6", "8"]


def test_an_empty_chart_still_draws() -> None:
    svg = fromstring(bar_chart("Nothing yet", ("started",), []))
    assert svg.find(f"{SVG}title").text == "Nothing yet"  # type: ignore[union-attr]


def test_labels_are_escaped() -> None:
    out = bar_chart("<script>x</script>", ("started",), [Bar("<b>", (1,))])
    assert "<script>" not in out and "<b>" not in out
    assert "&lt;script&gt;" in out

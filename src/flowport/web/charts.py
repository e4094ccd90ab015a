"""Small server-drawn SVG charts for the console (no chart library, no script: the CSP allows none inline)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.etree.ElementTree import Element, SubElement, tostring

_WIDTH, _HEIGHT = 720.0, 220.0
_LEFT, _BOTTOM, _TOP = 36.0, 28.0, 12.0


@dataclass(frozen=True)
class Bar:
    """One labelled group of bars: ``values`` in the order of the chart's series."""

    label: str
    values: tuple[int, ...]


def bar_chart(title: str, series: Sequence[str], bars: Sequence[Bar]) -> str:
    """Grouped bars with a y scale; each series is a CSS class (``.chart .<series>`` colours it).

    The chart is an image with a title for screen readers; pages show the same figures as a table.
    """
    root = Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "class": "chart",
            "role": "img",
            "viewBox": f"0 0 {_WIDTH:g} {_HEIGHT:g}",
            "aria-label": title,
        },
    )
    SubElement(root, "title").text = title
    top = max((v for bar in bars for v in bar.values), default=0)
    scale_max = _nice(top)
    plot_h = _HEIGHT - _BOTTOM - _TOP
    for step in range(5):  # horizontal grid lines with their value
        value = scale_max * step / 4
        y = _TOP + plot_h - plot_h * step / 4
        SubElement(
            root,
            "line",
            {"x1": f"{_LEFT:g}", "x2": f"{_WIDTH:g}", "y1": f"{y:g}", "y2": f"{y:g}", "class": "gridline"},
        )
        label = SubElement(root, "text", {"x": f"{_LEFT - 4:g}", "y": f"{y + 4:g}", "text-anchor": "end"})
        label.text = f"{value:g}"
    slot = (_WIDTH - _LEFT) / max(len(bars), 1)
    width = slot * 0.8 / max(len(series), 1)
    for index, bar in enumerate(bars):
        x0 = _LEFT + index * slot + slot * 0.1
        for position, (name, value) in enumerate(zip(series, bar.values, strict=True)):
            height = plot_h * value / scale_max if scale_max else 0.0
            rect = SubElement(
                root,
                "rect",
                {
                    "class": name,
                    "x": f"{x0 + position * width:.1f}",
                    "y": f"{_TOP + plot_h - height:.1f}",
                    "width": f"{max(width - 1, 1):.1f}",
                    "height": f"{height:.1f}",
                },
            )
            SubElement(rect, "title").text = f"{bar.label}: {value} {name}"
        if len(bars) <= 16 or index % 2 == 0:
            text = SubElement(
                root,
                "text",
                {"x": f"{x0 + slot * 0.4:.1f}", "y": f"{_HEIGHT - 10:g}", "text-anchor": "middle"},
            )
            text.text = bar.label
    return tostring(root, encoding="unicode")


def _nice(value: int) -> float:
    """The top of the y scale: the first of 4, 8, 16, 32, 40, 80, 160, 320, 400, ... at or above
    ``value`` (a multiple of four, so the four grid steps are whole numbers)."""
    magnitude = 1
    while True:
        for factor in (4, 8, 16, 32):
            if factor * magnitude >= value:
                return float(factor * magnitude)
        magnitude *= 10

"""SVG primitives for the BPMN renderer: one drawing per BPMN element kind, from plain facts.

Kept apart from ``diagram.py`` so the drawing knows nothing of XML parsing: it gets numbers and
names, and builds ElementTree nodes, which escape every text and attribute value on output.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from xml.etree.ElementTree import Element, SubElement

from flowport.web.diagram_glyphs import (
    COLLAPSED,
    EVENT_GLYPHS,
    GATEWAY_GLYPHS,
    LOOP_GLYPHS,
    TASK_GLYPHS,
    Glyph,
)

TASKS = frozenset(
    {
        "task",
        "userTask",
        "serviceTask",
        "scriptTask",
        "sendTask",
        "receiveTask",
        "manualTask",
        "businessRuleTask",
        "callActivity",
    }
)
SUBPROCESSES = frozenset({"subProcess", "transaction", "adHocSubProcess"})
GATEWAYS = frozenset(
    {"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway"}
)
EVENTS = frozenset(
    {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"}
)
CONTAINERS = frozenset({"participant", "lane"})

# Average glyph width of the 12px sans-serif labels: enough to wrap without measuring fonts.
_CHAR_WIDTH = 6.0
_LINE_HEIGHT = 14.0
_EXTERNAL_LABEL_WIDTH = 90.0
_HEADER_BAND = 30.0


@dataclass(frozen=True)
class Box:
    """A rectangle in diagram coordinates (dc:Bounds)."""

    x: float
    y: float
    width: float
    height: float

    @property
    def cx(self) -> float:
        return self.x + self.width / 2

    @property
    def cy(self) -> float:
        return self.y + self.height / 2


@dataclass(frozen=True)
class Facts:
    """What the drawing needs to know of a semantic BPMN element."""

    kind: str
    name: str = ""
    event_kinds: tuple[str, ...] = ()
    interrupting: bool = True
    loop: str | None = None  # "parallel", "sequential" or "standard"
    triggered_by_event: bool = False


@dataclass(frozen=True)
class Shape:
    """One BPMNShape: the element it draws, where, and how DI says to show it."""

    element_id: str
    facts: Facts
    bounds: Box
    label: Box | None = None
    expanded: bool = False
    horizontal: bool = True


@dataclass(frozen=True)
class Edge:
    """One BPMNEdge: the element it draws and its waypoints."""

    element_id: str
    facts: Facts
    points: tuple[tuple[float, float], ...]
    label: Box | None = None


def num(value: float) -> str:
    """Write a coordinate compactly (two decimals at most), as SVG wants it."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def external_label_box(shape: Shape) -> Box:
    """Where a label outside its shape goes: at DI's label bounds, else centred below the shape."""
    if shape.label is not None:
        return free_label_box(shape.facts.name, shape.label.cx, shape.label.y)
    return free_label_box(shape.facts.name, shape.bounds.cx, shape.bounds.y + shape.bounds.height + 5)


def free_label_box(name: str, cx: float, top: float, width: float = 0) -> Box:
    """The box a label outside any shape fills: as many lines as its name wraps to.

    DI's label bounds are measured by the modeler in its own font, often one tight line, so
    only their position is kept: wrapping to them with estimated glyph widths would cut words.
    """
    width = max(width, _EXTERNAL_LABEL_WIDTH)
    height = max(1, len(wrap(name, width))) * _LINE_HEIGHT
    return Box(cx - width / 2, top, width, height)


def has_external_label(kind: str) -> bool:
    """Events, gateways and data are labelled outside their shape; tasks and containers inside."""
    return kind in EVENTS or kind in GATEWAYS or kind in ("dataObjectReference", "dataStoreReference")


def wrap(text: str, width: float) -> list[str]:
    """Break a name into lines that fit ``width`` pixels."""
    columns = max(1, int(width / _CHAR_WIDTH))
    return textwrap.wrap(" ".join(text.split()), columns, break_long_words=True) if text.strip() else []


def body(parent: Element, tag: str, **attrs: str) -> Element:
    """The element's outline: the part the active/completed highlight recolours."""
    node = SubElement(parent, tag, {"class": "fp-body", **attrs})
    return node


def path(parent: Element, d: str, css: str = "fp-mark") -> Element:
    return SubElement(parent, "path", {"class": css, "d": d})


def circle(parent: Element, cx: float, cy: float, r: float, css: str = "fp-mark") -> Element:
    return SubElement(parent, "circle", {"class": css, "cx": num(cx), "cy": num(cy), "r": num(r)})


def text_block(
    parent: Element,
    lines: list[str],
    box: Box,
    *,
    anchor_top: bool = False,
    size: int = 12,
    clip: bool = True,
) -> None:
    """Write lines centred in ``box`` (or from its top), clipped to the lines that fit if asked."""
    fitting = (
        max(1, int(box.height / _LINE_HEIGHT)) if anchor_top else max(1, int((box.height + 4) / _LINE_HEIGHT))
    )
    if clip and len(lines) > fitting:
        lines = [*lines[: fitting - 1], lines[fitting - 1][:-1] + "…"] if fitting > 0 else []
    top = box.y + _LINE_HEIGHT - 3 if anchor_top else box.cy - (len(lines) - 1) * _LINE_HEIGHT / 2 + 4
    node = SubElement(parent, "text", {"class": "fp-label", "text-anchor": "middle", "font-size": str(size)})
    for index, line in enumerate(lines):
        span = SubElement(node, "tspan", {"x": num(box.cx), "y": num(top + index * _LINE_HEIGHT)})
        span.text = line


def vertical_name(parent: Element, name: str, band: Box) -> None:
    """A pool's or lane's name, written bottom-to-top in its header band."""
    if not name.strip():
        return
    node = SubElement(
        parent,
        "text",
        {
            "class": "fp-label",
            "text-anchor": "middle",
            "font-size": "12",
            "x": num(band.cx),
            "y": num(band.cy + 4),
            "transform": f"rotate(-90 {num(band.cx)} {num(band.cy)})",
        },
    )
    node.text = " ".join(name.split())


def draw_shape(group: Element, shape: Shape) -> None:
    """Draw one shape into its group, dispatching on the BPMN element kind."""
    kind, box = shape.facts.kind, shape.bounds
    if kind in CONTAINERS:
        _container(group, shape)
    elif kind in SUBPROCESSES and shape.expanded:
        _expanded_subprocess(group, shape)
    elif kind in TASKS or kind in SUBPROCESSES:
        _activity(group, shape)
    elif kind in EVENTS:
        _event(group, shape.facts, box)
    elif kind in GATEWAYS:
        _gateway(group, kind, box)
    elif kind in ("dataObjectReference", "dataObject"):
        _data_object(group, box)
    elif kind == "dataStoreReference":
        _data_store(group, box)
    elif kind == "textAnnotation":
        _text_annotation(group, shape)
    elif kind == "group":
        rect(group, box, "fp-body fp-group", rx=10)
    else:  # an element this renderer does not know: still shown, so every DI shape is visible
        rect(group, box, "fp-body")
    if has_external_label(kind):
        label = external_label_box(shape)
        text_block(group, wrap(shape.facts.name, label.width), label, anchor_top=True, size=11)


def rect(group: Element, box: Box, css: str, *, rx: float = 0, **extra: str) -> Element:
    attrs = {
        "class": css,
        "x": num(box.x),
        "y": num(box.y),
        "width": num(box.width),
        "height": num(box.height),
    }
    if rx:
        attrs["rx"] = num(rx)
    return SubElement(group, "rect", {**attrs, **extra})


def _data_object(group: Element, box: Box) -> None:
    """A page with a folded corner."""
    fold = min(12.0, box.width / 3)
    right, bottom = box.x + box.width, box.y + box.height
    outline = f"M{num(box.x)},{num(box.y)} H{num(right - fold)} L{num(right)},{num(box.y + fold)}"
    body(group, "path", d=f"{outline} V{num(bottom)} H{num(box.x)} Z")
    path(group, f"M{num(right - fold)},{num(box.y)} V{num(box.y + fold)} H{num(right)}")


def _data_store(group: Element, box: Box) -> None:
    """A cylinder: two arcs of the top rim show it is a store, not a page."""
    x, y, w, h = box.x, box.y, box.width, box.height
    ry = min(8.0, h / 6)
    down, up = f"a{num(w / 2)},{num(ry)} 0 0 0 {num(w)},0", f"a{num(w / 2)},{num(ry)} 0 0 1 {num(-w)},0"
    top = f"a{num(w / 2)},{num(ry)} 0 0 1 {num(w)},0"
    body(group, "path", d=f"M{num(x)},{num(y + ry)} {top} V{num(y + h - ry)} {up} Z")
    path(group, f"M{num(x)},{num(y + ry)} {down} m{num(-w)},{num(ry / 1.5)} {down}", "fp-line fp-open")


def _text_annotation(group: Element, shape: Shape) -> None:
    """An open bracket with the note beside it."""
    box = shape.bounds
    bracket = f"M{num(box.x + 10)},{num(box.y)} H{num(box.x)} V{num(box.y + box.height)} H{num(box.x + 10)}"
    path(group, bracket, "fp-body fp-open")
    inner = Box(box.x + 5, box.y + 2, box.width - 5, box.height)
    text_block(group, wrap(shape.facts.name, box.width - 10), inner, anchor_top=True, clip=False)


def _container(group: Element, shape: Shape) -> None:
    box = shape.bounds
    body(group, "rect", x=num(box.x), y=num(box.y), width=num(box.width), height=num(box.height))
    if shape.horizontal:
        band = Box(box.x, box.y, _HEADER_BAND, box.height)
        path(group, f"M{num(box.x + _HEADER_BAND)},{num(box.y)} V{num(box.y + box.height)}", "fp-line")
        vertical_name(group, _fit(shape.facts.name, box.height), band)
    else:
        band = Box(box.x, box.y, box.width, _HEADER_BAND)
        path(group, f"M{num(box.x)},{num(box.y + _HEADER_BAND)} H{num(box.x + box.width)}", "fp-line")
        text_block(group, [_fit(shape.facts.name, box.width)], band)


def _fit(name: str, length: float) -> str:
    """Shorten a header name to the band's length (a band holds one line)."""
    name = " ".join(name.split())
    columns = max(1, int((length - 10) / _CHAR_WIDTH))
    return name if len(name) <= columns else name[: columns - 1] + "…"


def _expanded_subprocess(group: Element, shape: Shape) -> None:
    """A large rounded box with its name top-left; dashed for an event subprocess."""
    box, facts = shape.bounds, shape.facts
    extra = {"stroke-dasharray": "4 3"} if facts.triggered_by_event else {}
    rect(group, box, "fp-body", rx=10, **extra)
    if facts.kind == "transaction":  # a transaction's border is doubled
        rect(group, Box(box.x + 3, box.y + 3, box.width - 6, box.height - 6), "fp-line", rx=8)
    title = Box(box.x + 10, box.y + 4, box.width - 20, _LINE_HEIGHT * 2)
    text_block(group, wrap(facts.name, box.width - 20), title, anchor_top=True)
    _loop_marker(group, facts.loop, box)


def _activity(group: Element, shape: Shape) -> None:
    """A task (or collapsed subprocess): rounded box, type icon, loop marker, name inside."""
    box, facts = shape.bounds, shape.facts
    rect(group, box, "fp-body fp-call" if facts.kind == "callActivity" else "fp-body", rx=10)
    if facts.kind in TASK_GLYPHS:
        glyph(group, TASK_GLYPHS[facts.kind], box.x + 6, box.y + 6)
    if facts.kind in SUBPROCESSES:  # collapsed: the + square at the bottom
        glyph(group, COLLAPSED, box.cx - 7, box.y + box.height - 18)
    _loop_marker(group, facts.loop, box)
    inner = Box(box.x + 6, box.y + 4, box.width - 12, box.height - 8)
    text_block(group, wrap(facts.name, box.width - 12), inner)


def glyph(
    group: Element, shapes: Glyph, x: float, y: float, scale: float = 1.0, *, fill: str = "fp-mark"
) -> None:
    """Place a fixed glyph at (x, y), scaled; its "fill" parts take the given class."""
    transform = f"translate({num(x)} {num(y)})" + (f" scale({num(scale)})" if scale != 1.0 else "")
    node = SubElement(group, "g", {"transform": transform})
    for d, css in shapes:
        path(node, d, fill if css == "fill" else css)


def _loop_marker(group: Element, loop: str | None, box: Box) -> None:
    """Multi-instance bars or the loop arrow, at the bottom centre as the modelers put them."""
    if loop in LOOP_GLYPHS:
        glyph(group, LOOP_GLYPHS[loop], box.cx - 6, box.y + box.height - 16)


def _event(group: Element, facts: Facts, box: Box) -> None:
    r = min(box.width, box.height) / 2
    dashed = {"stroke-dasharray": "5 3"} if not facts.interrupting else {}
    css = {"startEvent": "fp-body fp-start", "endEvent": "fp-body fp-end"}.get(facts.kind, "fp-body")
    SubElement(group, "circle", {"class": css, "cx": num(box.cx), "cy": num(box.cy), "r": num(r), **dashed})
    if facts.kind not in ("startEvent", "endEvent"):
        inner = {
            "class": "fp-line",
            "cx": num(box.cx),
            "cy": num(box.cy),
            "r": num(max(0.0, r - 3)),
            **dashed,
        }
        SubElement(group, "circle", inner)
    throwing = facts.kind in ("endEvent", "intermediateThrowEvent")
    # Several definitions (a multiple event): the first tells most. Glyphs are drawn for 36px events.
    for event_kind in facts.event_kinds[:1]:
        if event_kind in EVENT_GLYPHS:
            fill = "fp-mark fp-filled" if throwing else "fp-mark"
            glyph(group, EVENT_GLYPHS[event_kind], box.cx, box.cy, r / 18, fill=fill)


def _gateway(group: Element, kind: str, box: Box) -> None:
    cx, cy, hw, hh = box.cx, box.cy, box.width / 2, box.height / 2
    points = (
        f"{num(cx)},{num(box.y)} {num(cx + hw)},{num(cy)} {num(cx)},{num(cy + hh)} {num(cx - hw)},{num(cy)}"
    )
    body(group, "polygon", points=points)
    if kind in GATEWAY_GLYPHS:  # drawn for the modelers' 50px gateways
        glyph(group, GATEWAY_GLYPHS[kind], cx, cy, min(hw, hh) / 25)

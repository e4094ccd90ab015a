"""Server-side rendering of a BPMN diagram to SVG, from the document's Diagram Interchange (bpmndi).

The XML is attacker-controlled. It is parsed by the engine's hardened parser (no DTDs, entities or
network; bounded size) and the SVG is built with ElementTree, so every name and id is escaped on
output. The SVG holds no scripts, no external references and no foreignObject, so a page may
inline it; each element's group carries ``data-element-id`` for the page to link it.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterator
from xml.etree.ElementTree import Element, SubElement, tostring

from lxml import etree

from flowport.engine.xml_safety import parse_untrusted_xml
from flowport.errors import InvalidDefinition, PayloadTooLarge
from flowport.web.diagram_shapes import (
    CONTAINERS,
    SUBPROCESSES,
    Box,
    Edge,
    Facts,
    Shape,
    draw_shape,
    external_label_box,
    free_label_box,
    has_external_label,
    num,
    text_block,
    wrap,
)

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
SVG = "http://www.w3.org/2000/svg"

DEFAULT_MAX_BYTES = 5 * 1024 * 1024  # the server's default max_bpmn_bytes
NO_LAYOUT = "This diagram has no layout information"
_MARGIN = 20.0
_MAX_COORDINATE = 1e7  # far beyond any real diagram; bounds a viewBox an attacker could blow up

# Fixed styling: the highlight is a class, so a page may restyle it without touching the SVG. A page
# that inlines the SVG under a Content-Security-Policy without inline styles links it instead
# (``embed_style=False``; the console serves it as ``diagram.css``).
STYLESHEET = """
.fp-diagram{font-family:Arial,Helvetica,sans-serif}
.fp-body{fill:#fff;stroke:#222;stroke-width:2}
.fp-call{stroke-width:4}.fp-start{stroke-width:1.5}.fp-end{stroke-width:4}
.fp-participant .fp-body{stroke-width:1.5}.fp-lane .fp-body{fill:none;stroke-width:1}
.fp-mark{fill:none;stroke:#222;stroke-width:1.5}.fp-filled{fill:#222}
.fp-line{fill:none;stroke:#222;stroke-width:1.5}.fp-bold{stroke-width:3.5}.fp-open{fill:none}
.fp-label{fill:#222;stroke:none}
.fp-edge .fp-body{fill:none;stroke-width:1.5}
.fp-messageFlow .fp-body{stroke-dasharray:8 5}
.fp-association .fp-body,.fp-dataInputAssociation .fp-body,
.fp-dataOutputAssociation .fp-body{stroke-dasharray:2 4}
.fp-group{fill:none;stroke-dasharray:8 3 1 3}.fp-fold{stroke:#fff}
.completed .fp-body{stroke:#15803d;fill:#dcfce7}.completed.fp-edge .fp-body{fill:none}
.active .fp-body{stroke:#1d4ed8;fill:#dbeafe;stroke-width:3}.active.fp-edge .fp-body{fill:none}
"""


class DiagramError(InvalidDefinition, ValueError):
    """A BPMN document that cannot be drawn: malformed, too large, or with unusable coordinates.

    An InvalidDefinition, so the edges report it as any bad BPMN; a ValueError, so a caller
    outside Flowport's error handling can still catch it plainly.
    """


def render_svg(
    bpmn_xml: bytes,
    *,
    active: Collection[str] = (),
    completed: Collection[str] = (),
    max_bytes: int = DEFAULT_MAX_BYTES,
    embed_style: bool = True,
    label: str = "BPMN diagram",
) -> str:
    """Draw the document's first diagram as an SVG string; ``active``/``completed`` ids are highlighted.

    ``embed_style=False`` leaves out the ``<style>`` element (the page links :data:`STYLESHEET`);
    ``label`` is the image's accessible name (``aria-label``).

    A document without layout gets a small placeholder SVG rather than an error: deploying
    such BPMN is allowed, so the console must still show something.
    """
    root = _parse(bpmn_xml, max_bytes)
    plane = next(root.iter(f"{{{BPMNDI}}}BPMNPlane"), None)
    if plane is None:
        return _placeholder(label)
    facts = _semantic_facts(root)
    shapes = list(_shapes(plane, facts))
    edges = list(_edges(plane, facts))
    if not shapes and not edges:
        return _placeholder(label)
    return _svg(shapes, edges, frozenset(active), frozenset(completed), embed_style, label)


def _parse(data: bytes, max_bytes: int) -> etree._Element:
    try:
        root = parse_untrusted_xml(data, max_bytes)
    except (InvalidDefinition, PayloadTooLarge) as exc:
        raise DiagramError(exc.detail, **exc.extra) from exc
    if root.tag != f"{{{BPMN}}}definitions":
        raise DiagramError("The document is not BPMN: its root is not bpmn:definitions")
    return root


def _semantic_facts(root: etree._Element) -> dict[str, Facts]:
    """What each BPMN model element is, by id, as far as the drawing needs to know."""
    facts: dict[str, Facts] = {}
    for node in root.iter(f"{{{BPMN}}}*"):
        element_id = node.get("id")
        if element_id is not None:
            facts[element_id] = _facts(node)
    return facts


def _facts(node: etree._Element) -> Facts:
    kind = etree.QName(node).localname
    children = [etree.QName(child).localname for child in node if isinstance(child.tag, str)]
    name = node.get("name") or ""
    if kind == "textAnnotation":  # its words are in a child, not a name
        name = node.findtext(f"{{{BPMN}}}text") or ""
    interrupting = node.get("isInterrupting") != "false" and node.get("cancelActivity") != "false"
    return Facts(
        kind=kind,
        name=name,
        event_kinds=tuple(child for child in children if child.endswith("EventDefinition")),
        interrupting=interrupting,
        loop=_loop(node),
        triggered_by_event=node.get("triggeredByEvent") == "true",
    )


def _loop(node: etree._Element) -> str | None:
    multi = node.find(f"{{{BPMN}}}multiInstanceLoopCharacteristics")
    if multi is not None:
        return "sequential" if multi.get("isSequential") == "true" else "parallel"
    return "standard" if node.find(f"{{{BPMN}}}standardLoopCharacteristics") is not None else None


def _shapes(plane: etree._Element, facts: dict[str, Facts]) -> Iterator[Shape]:
    for node in plane.iter(f"{{{BPMNDI}}}BPMNShape"):
        element_id, bounds = node.get("bpmnElement"), node.find(f"{{{DC}}}Bounds")
        if element_id is None or bounds is None:
            continue  # nothing to draw, or nowhere to draw it
        box = _box(bounds)
        fact = facts.get(element_id, Facts(kind="unknown"))
        yield Shape(
            element_id=element_id,
            facts=fact,
            bounds=box,
            label=_label(node),
            expanded=_expanded(node, fact, box),
            horizontal=node.get("isHorizontal") != "false",
        )


def _expanded(node: etree._Element, facts: Facts, box: Box) -> bool:
    """Whether a subprocess is drawn open. Without isExpanded, a box larger than a task is."""
    if facts.kind not in SUBPROCESSES:
        return False
    flag = node.get("isExpanded")
    return flag == "true" if flag is not None else (box.width > 150 or box.height > 120)


def _edges(plane: etree._Element, facts: dict[str, Facts]) -> Iterator[Edge]:
    for node in plane.iter(f"{{{BPMNDI}}}BPMNEdge"):
        element_id = node.get("bpmnElement")
        points = tuple(
            (_coordinate(point, "x"), _coordinate(point, "y")) for point in node.iter(f"{{{DI}}}waypoint")
        )
        if element_id is None or len(points) < 2:
            continue  # a line needs two points
        fact = facts.get(element_id, Facts(kind="unknown"))
        yield Edge(element_id=element_id, facts=fact, points=points, label=_label(node))


def _label(node: etree._Element) -> Box | None:
    bounds = node.find(f"{{{BPMNDI}}}BPMNLabel/{{{DC}}}Bounds")
    return _box(bounds) if bounds is not None else None


def _box(bounds: etree._Element) -> Box:
    box = Box(*(_coordinate(bounds, name) for name in ("x", "y", "width", "height")))
    if box.width < 0 or box.height < 0:
        raise DiagramError("A dc:Bounds has a negative width or height")
    return box


def _coordinate(node: etree._Element, name: str) -> float:
    raw = node.get(name)
    try:
        value = float(raw) if raw is not None else math.nan
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or abs(value) > _MAX_COORDINATE:
        local = etree.QName(node).localname
        raise DiagramError(f"A {local} has no usable {name!r} coordinate: {raw!r}", line=node.sourceline)
    return value


def _svg(
    shapes: list[Shape],
    edges: list[Edge],
    active: frozenset[str],
    completed: frozenset[str],
    embed_style: bool,
    label: str,
) -> str:
    box = _extent(shapes, edges)
    root = Element(
        "svg",
        {
            "xmlns": SVG,
            "class": "fp-diagram",
            "role": "img",
            "aria-label": label,
            "viewBox": " ".join(num(v) for v in (box.x, box.y, box.width, box.height)),
            "width": num(box.width),
            "height": num(box.height),
        },
    )
    if embed_style:
        SubElement(root, "style").text = STYLESHEET
    _markers(SubElement(root, "defs"))
    # Outer containers first so inner ones lie on top; then the nodes (boundary events over their
    # activity), the flows over them as the modelers draw them, and the artifacts last.
    containers = sorted(filter(_is_container, shapes), key=lambda s: -(s.bounds.width * s.bounds.height))
    nodes = [s for s in shapes if not _is_container(s) and s.facts.kind not in _ON_TOP]
    nodes.sort(key=lambda s: s.facts.kind == "boundaryEvent")
    for shape in [*containers, *nodes]:
        draw_shape(_group(root, shape.element_id, shape.facts, active, completed), shape)
    for edge in edges:
        _draw_edge(_group(root, edge.element_id, edge.facts, active, completed, "fp-edge"), edge)
    for shape in shapes:
        if shape.facts.kind in _ON_TOP and not _is_container(shape):
            draw_shape(_group(root, shape.element_id, shape.facts, active, completed), shape)
    return tostring(root, encoding="unicode")


def _is_container(shape: Shape) -> bool:
    return shape.facts.kind in CONTAINERS or shape.expanded


def _group(
    root: Element,
    element_id: str,
    facts: Facts,
    active: frozenset[str],
    completed: frozenset[str],
    css: str = "fp-shape",
) -> Element:
    """The element's group: the page's handle on it (data-element-id) and its hover title."""
    classes = [css, f"fp-{facts.kind}"]
    classes += ["completed"] if element_id in completed else []
    classes += ["active"] if element_id in active else []
    group = SubElement(root, "g", {"class": " ".join(classes), "data-element-id": element_id})
    SubElement(group, "title").text = facts.name or element_id
    return group


_ON_TOP = frozenset({"group", "textAnnotation"})  # artifacts: drawn over flows, never hidden
_SOLID = {"fill": "#222", "stroke": "none"}
_OPEN = {"fill": "#fff", "stroke": "#222", "stroke-width": "1.5", "stroke-dasharray": "none"}


def _markers(defs: Element) -> None:
    """Arrow heads and the message flow's start circle (internal references only).

    Styled by attributes, not the stylesheet: renderers differ in how far CSS reaches into markers.
    """
    for marker_id, tag, attrs in (
        ("fp-arrow", "path", {"d": "M1,1 L11,6 L1,11 Z", **_SOLID}),
        ("fp-arrow-open", "path", {"d": "M1,1 L11,6 L1,11 Z", **_OPEN}),
        ("fp-circle", "circle", {"cx": "6", "cy": "6", "r": "4.5", **_OPEN}),
    ):
        marker = SubElement(
            defs,
            "marker",
            {
                "id": marker_id,
                "viewBox": "0 0 12 12",
                "refX": "11" if tag == "path" else "6",
                "refY": "6",
                "markerWidth": "10",
                "markerHeight": "10",
                "orient": "auto",
                "markerUnits": "userSpaceOnUse",
            },
        )
        SubElement(marker, tag, attrs)


def _draw_edge(group: Element, edge: Edge) -> None:
    points = " ".join(f"{num(x)},{num(y)}" for x, y in edge.points)
    attrs = {"class": "fp-body", "points": points}
    kind = edge.facts.kind
    if kind == "sequenceFlow":
        attrs["marker-end"] = "url(#fp-arrow)"
    elif kind == "messageFlow":
        attrs |= {"marker-start": "url(#fp-circle)", "marker-end": "url(#fp-arrow-open)"}
    elif kind in ("dataInputAssociation", "dataOutputAssociation"):
        attrs["marker-end"] = "url(#fp-arrow-open)"
    SubElement(group, "polyline", attrs)
    if edge.facts.name.strip():
        label = _edge_label_box(edge)
        text_block(group, wrap(edge.facts.name, label.width), label, anchor_top=True, size=11)


def _edge_label_box(edge: Edge) -> Box:
    """At DI's label bounds, else just above the middle of the edge's middle segment."""
    name = edge.facts.name
    if edge.label is not None:
        return free_label_box(name, edge.label.cx, edge.label.y)
    middle = len(edge.points) // 2
    (x1, y1), (x2, y2) = edge.points[middle - 1], edge.points[middle]
    box = free_label_box(name, (x1 + x2) / 2, 0)
    return free_label_box(name, box.cx, (y1 + y2) / 2 - 4 - box.height)


def _extent(shapes: list[Shape], edges: list[Edge]) -> Box:
    """The diagram's bounds with a margin: every shape, label and waypoint lies inside."""
    boxes = [s.bounds for s in shapes]
    boxes += [external_label_box(s) for s in shapes if has_external_label(s.facts.kind) and s.facts.name]
    boxes += [Box(x, y, 0, 0) for edge in edges for x, y in edge.points]
    boxes += [_edge_label_box(e) for e in edges if e.facts.name.strip()]
    left = min(b.x for b in boxes) - _MARGIN
    top = min(b.y for b in boxes) - _MARGIN
    right = max(b.x + b.width for b in boxes) + _MARGIN
    bottom = max(b.y + b.height for b in boxes) + _MARGIN
    return Box(left, top, right - left, bottom - top)


def _placeholder(label: str) -> str:
    attributes = {
        "xmlns": SVG,
        "class": "fp-diagram",
        "role": "img",
        "aria-label": label,
        "viewBox": "0 0 320 40",
    }
    root = Element("svg", attributes)
    root.set("width", "320")
    root.set("height", "40")
    text = SubElement(
        root,
        "text",
        {
            "x": "160",
            "y": "24",
            "text-anchor": "middle",
            "font-family": "Arial,sans-serif",
            "font-size": "13",
        },
    )
    text.text = NO_LAYOUT
    return tostring(root, encoding="unicode")

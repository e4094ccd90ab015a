"""The web console's BPMN-to-SVG renderer: what a user sees, drawn from the document's DI."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from flowport.web.diagram import NO_LAYOUT, DiagramError, render_svg
from tests.helpers import FIXTURES

SVG = "{http://www.w3.org/2000/svg}"
BPMNDI = "{http://www.omg.org/spec/BPMN/20100524/DI}"
DC = "{http://www.omg.org/spec/DD/20100524/DC}"
DI = "{http://www.omg.org/spec/DD/20100524/DI}"
EXAMPLES = Path(__file__).parents[2] / "src" / "flowport" / "examples"

CAMUNDA = FIXTURES / "diagram_camunda.bpmn"
BPMNIO = FIXTURES / "diagram_bpmnio.bpmn"
WITH_DI = sorted(
    path
    for path in [*EXAMPLES.glob("*.bpmn"), *FIXTURES.glob("*.bpmn")]
    if not path.name.startswith("bad_") and b"BPMNShape" in path.read_bytes()
)


def _draw(path: Path, **highlight: list[str]) -> tuple[str, ET.Element]:
    svg = render_svg(path.read_bytes(), **highlight)
    return svg, ET.fromstring(svg)  # parsing it back proves it well-formed


def _groups(root: ET.Element) -> dict[str, ET.Element]:
    return {g.attrib["data-element-id"]: g for g in root.iter(f"{SVG}g") if "data-element-id" in g.attrib}


def _di(path: Path) -> ET.Element:
    return ET.parse(path).getroot()


def _label(group: ET.Element) -> str:
    return " ".join(span.text or "" for span in group.iter(f"{SVG}tspan")) or "".join(
        text.text or "" for text in group.iter(f"{SVG}text")
    )


def test_the_repository_has_diagrams_in_both_styles() -> None:
    assert CAMUNDA in WITH_DI and BPMNIO in WITH_DI
    assert len(WITH_DI) > 10


@pytest.mark.parametrize("path", WITH_DI, ids=lambda p: p.name)
def test_every_di_element_is_drawn_once_with_its_id(path: Path) -> None:
    _, root = _draw(path)
    di = _di(path)
    expected = Counter(
        node.attrib["bpmnElement"] for tag in ("BPMNShape", "BPMNEdge") for node in di.iter(f"{BPMNDI}{tag}")
    )
    drawn = Counter(
        g.attrib["data-element-id"] for g in root.iter(f"{SVG}g") if "data-element-id" in g.attrib
    )
    assert drawn == expected


@pytest.mark.parametrize("path", WITH_DI, ids=lambda p: p.name)
def test_the_view_box_holds_every_bound_and_waypoint(path: Path) -> None:
    _, root = _draw(path)
    left, top, width, height = (float(v) for v in root.attrib["viewBox"].split())
    di = _di(path)
    for bounds in di.iter(f"{DC}Bounds"):
        x, y = float(bounds.attrib["x"]), float(bounds.attrib["y"])
        assert left <= x and x + float(bounds.attrib["width"]) <= left + width
        assert top <= y and y + float(bounds.attrib["height"]) <= top + height
    for point in di.iter(f"{DI}waypoint"):
        assert left <= float(point.attrib["x"]) <= left + width
        assert top <= float(point.attrib["y"]) <= top + height


@pytest.mark.parametrize("path", WITH_DI, ids=lambda p: p.name)
def test_sequence_flows_have_as_many_points_as_waypoints(path: Path) -> None:
    _, root = _draw(path)
    groups = _groups(root)
    for edge in _di(path).iter(f"{BPMNDI}BPMNEdge"):
        polyline = groups[edge.attrib["bpmnElement"]].find(f"{SVG}polyline")
        assert polyline is not None
        assert len(polyline.attrib["points"].split()) == len(edge.findall(f"{DI}waypoint"))


def test_names_are_written_and_titled() -> None:
    _, root = _draw(CAMUNDA)
    groups = _groups(root)
    assert _label(groups["start"]) == "Claim received"
    assert _label(groups["Lane_clerks"]) == "Clerks"
    assert _label(groups["Flow_yes"]) == "yes"
    assert _label(groups["Participant_insurer"]) == "Insurer"
    customer = groups["Participant_customer"]
    assert _label(customer).startswith("Custom") and _label(customer).endswith("…")  # cut to its 60px band
    assert customer.find(f"{SVG}title").text == 'Customer & "friends"'  # type: ignore[union-attr]
    title = groups["gw_ok"].find(f"{SVG}title")
    assert title is not None and title.text == "Covered?"


def test_a_long_task_name_is_wrapped_into_lines_inside_the_task() -> None:
    _, root = _draw(BPMNIO)
    task = _groups(root)["Activity_label"]
    lines = [span.text for span in task.iter(f"{SVG}tspan")]
    assert len(lines) > 1 and " ".join(lines) == "Print a shipping label for the parcel"  # type: ignore[arg-type]
    for span in task.iter(f"{SVG}tspan"):
        assert 170 <= float(span.attrib["x"]) <= 270 and 60 <= float(span.attrib["y"]) <= 140


def test_without_label_bounds_an_event_is_labelled_below_it() -> None:
    _, root = _draw(BPMNIO)
    span = next(_groups(root)["StartEvent_1"].iter(f"{SVG}tspan"))
    assert span.text == "Order paid" and float(span.attrib["y"]) > 182 + 36


def test_label_bounds_place_the_label() -> None:
    _, root = _draw(CAMUNDA)
    span = next(_groups(root)["gw_ok"].iter(f"{SVG}tspan"))
    assert 105 <= float(span.attrib["y"]) <= 105 + 14


def test_a_script_in_a_name_is_only_text() -> None:
    svg, root = _draw(CAMUNDA)
    assert "<script" not in svg.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert _label(_groups(root)["assess"]).replace(" ", "") == "<script>alert(1)</script>"  # lines joined
    for node in root.iter():
        assert node.tag.split("}")[-1] not in ("script", "foreignObject", "a", "image", "use")
        assert not any(name.startswith("on") or "href" in name for name in node.attrib)
        assert not any("javascript:" in value.lower() for value in node.attrib.values())


def test_an_id_is_escaped_in_its_attribute() -> None:
    xml = CAMUNDA.read_bytes().replace(b'"gw_ok"', b'"gw&quot;&gt;&lt;script&gt;"')
    svg = render_svg(xml)
    assert "<script" not in svg
    assert 'gw"><script>' in _groups(ET.fromstring(svg))


def test_active_and_completed_elements_get_their_classes() -> None:
    _, root = _draw(CAMUNDA, active=["assess"], completed=["start", "Flow_start_assess"])
    groups = _groups(root)
    assert "active" in groups["assess"].attrib["class"].split()
    assert "completed" in groups["start"].attrib["class"].split()
    assert "completed" in groups["Flow_start_assess"].attrib["class"].split()
    for element_id in ("gw_ok", "end", "Flow_yes"):
        assert not {"active", "completed"} & set(groups[element_id].attrib["class"].split())


def test_pools_and_lanes_write_their_name_vertically_in_the_header() -> None:
    _, root = _draw(CAMUNDA)
    text = _groups(root)["Lane_system"].find(f"{SVG}text")
    assert text is not None and text.attrib["transform"].startswith("rotate(-90")
    assert 190 <= float(text.attrib["x"]) <= 220  # the lane's 30px header band


def test_a_message_flow_is_dashed_from_a_circle_to_an_open_arrow() -> None:
    svg, root = _draw(CAMUNDA)
    group = _groups(root)["Flow_notify"]
    polyline = group.find(f"{SVG}polyline")
    assert "fp-messageFlow" in group.attrib["class"] and polyline is not None
    assert polyline.attrib["marker-start"] == "url(#fp-circle)"
    assert polyline.attrib["marker-end"] == "url(#fp-arrow-open)"
    assert ".fp-messageFlow .fp-body{stroke-dasharray" in svg


def test_a_sequence_flow_ends_in_an_arrow() -> None:
    _, root = _draw(CAMUNDA)
    polyline = _groups(root)["Flow_no"].find(f"{SVG}polyline")
    assert polyline is not None and polyline.attrib["marker-end"] == "url(#fp-arrow)"


def test_a_boundary_event_is_drawn_over_its_task() -> None:
    _, root = _draw(CAMUNDA)
    order = [g.attrib["data-element-id"] for g in root.iter(f"{SVG}g") if "data-element-id" in g.attrib]
    assert order.index("timeout") > order.index("assess")
    assert len(_groups(root)["timeout"].findall(f"{SVG}circle")) == 2  # an intermediate: double ring


def test_kinds_have_their_shapes() -> None:
    _, root = _draw(BPMNIO)
    groups = _groups(root)
    assert groups["Gateway_split"].find(f"{SVG}polygon") is not None
    assert groups["Activity_pack"].find(f"{SVG}rect") is not None
    assert float(groups["Activity_pack"].find(f"{SVG}rect").attrib["width"]) == 260  # type: ignore[union-attr]
    assert groups["Event_end"].find(f"{SVG}circle").attrib["class"] == "fp-body fp-end"  # type: ignore[union-attr]
    for element_id in ("Activity_label", "Event_end", "Gateway_split", "StartEvent_1"):
        assert groups[element_id].find(f"{SVG}g") is not None, f"{element_id} has no marker"
    assert _label(groups["TextAnnotation_1"]) == "Labels are printed at the dock"


def test_a_document_without_layout_gets_the_placeholder() -> None:
    path = FIXTURES / "manual_task.bpmn"
    assert b"BPMNShape" not in path.read_bytes()
    svg, root = _draw(path)
    assert root.tag == f"{SVG}svg" and NO_LAYOUT in svg
    assert not _groups(root)


@pytest.mark.parametrize("name", ["bad_malformed.bpmn", "bad_xxe.bpmn", "bad_billion_laughs.bpmn"])
def test_bad_xml_raises_a_value_error(name: str) -> None:
    with pytest.raises(ValueError) as raised:
        render_svg((FIXTURES / name).read_bytes())
    assert isinstance(raised.value, DiagramError) and str(raised.value)


@pytest.mark.parametrize(
    "xml",
    [b"", b"<svg xmlns='http://www.w3.org/2000/svg'/>", b"<bpmn:definitions"],
    ids=["empty", "not-bpmn", "truncated"],
)
def test_what_is_not_bpmn_raises(xml: bytes) -> None:
    with pytest.raises(DiagramError):
        render_svg(xml)


@pytest.mark.parametrize("value", ["wide", "nan", "inf", "1e300"])
def test_unusable_coordinates_raise(value: str) -> None:
    xml = CAMUNDA.read_bytes().replace(b'x="475"', f'x="{value}"'.encode())
    with pytest.raises(DiagramError, match="coordinate"):
        render_svg(xml)


def test_a_document_over_the_size_limit_raises() -> None:
    with pytest.raises(DiagramError):
        render_svg(CAMUNDA.read_bytes(), max_bytes=1024)

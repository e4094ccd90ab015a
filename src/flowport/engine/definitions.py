"""Parse and validate BPMN 2.0 deployments into storable process specs (SpiffWorkflow behind the facade)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.defaults import ServiceTask
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.exceptions import SpiffWorkflowException

from flowport.engine.model import ElementInfo, ParsedProcess, StartTrigger
from flowport.engine.serialization import dump_specs
from flowport.engine.specs import use_flowport_specs
from flowport.engine.start_timers import KINDS as TIMER_KINDS
from flowport.engine.start_timers import check_start_timer
from flowport.engine.task_facts import declared_commands, declared_form_fields
from flowport.engine.xml_safety import parse_untrusted_xml
from flowport.errors import InvalidDefinition

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
_NS = {"bpmn": BPMN_NS, "camunda": CAMUNDA_NS}

_EVENT_TAGS = {
    full_tag(t)
    for t in ("startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent")
}


class FlowportParser(CamundaParser):  # type: ignore[misc]
    """Camunda Modeler dialect, but with BPMN's own event parsers.

    Camunda's message events wrap a payload under a result variable; BPMN's merge the message
    variables into the process data, which is what API callers sending ``variables`` expect.
    """

    OVERRIDE_PARSER_CLASSES = {
        tag: parsers
        for tag, parsers in CamundaParser.OVERRIDE_PARSER_CLASSES.items()
        if tag not in _EVENT_TAGS
    }


@functools.cache
def _validator() -> BpmnValidator:
    """The compiled BPMN XSD (immutable): compiling takes a noticeable moment, so once per process."""
    return BpmnValidator()


def process_ids(data: bytes, max_bytes: int) -> list[str]:
    """The executable process ids a document declares (cheap pre-check before a full parse)."""
    root = parse_untrusted_xml(data, max_bytes)
    return [p.get("id", "") for p in root.iterfind("bpmn:process", _NS) if _is_executable(p)]


def called_process_keys(data: bytes, max_bytes: int) -> set[str]:
    """Process ids referenced by call activities in a document."""
    root = parse_untrusted_xml(data, max_bytes)
    return {c.get("calledElement", "") for c in root.iterfind(".//bpmn:callActivity", _NS)} - {""}


def parse_deployment(
    data: bytes,
    max_bytes: int,
    resolve_called: Callable[[str], bytes | None] = lambda key: None,
) -> list[ParsedProcess]:
    """Validate a BPMN document and turn each executable process into a :class:`ParsedProcess`.

    ``resolve_called`` returns the XML of an already deployed process so call activities can reach
    processes deployed in other files.
    """
    root = parse_untrusted_xml(data, max_bytes)
    parser = FlowportParser(validator=_validator())
    try:
        parser.add_bpmn_xml(root, filename="deployment.bpmn")
    except ValidationException as exc:
        raise _invalid(exc) from exc
    except SpiffWorkflowException as exc:
        raise InvalidDefinition(f"Invalid BPMN: {exc}") from exc

    own_ids = [p.get("id", "") for p in root.iterfind("bpmn:process", _NS) if _is_executable(p)]
    if not own_ids:
        raise InvalidDefinition('The document declares no executable process (isExecutable="true")')
    _add_called_documents(parser, root, resolve_called, max_bytes)

    results = []
    for pid in own_ids:
        node = root.find(f"bpmn:process[@id='{pid}']", _NS)
        assert node is not None
        try:
            spec = parser.get_spec(pid)
            subprocess_specs = parser.get_subprocess_specs(pid)
        except ValidationException as exc:
            raise _invalid(exc) from exc
        except SpiffWorkflowException as exc:
            raise InvalidDefinition(f"Invalid BPMN in process '{pid}': {exc}", elementId=pid) from exc
        except KeyError as exc:
            raise InvalidDefinition(
                f"Process '{pid}' calls process {exc} which is neither in this file nor deployed",
                elementId=pid,
            ) from exc
        for s in [spec, *subprocess_specs.values()]:
            _mark_service_tasks_external(s)
            _quote_literal_timers(s)
            use_flowport_specs(s)
        spec_json = dump_specs(spec, subprocess_specs)
        results.append(
            ParsedProcess(
                key=pid,
                name=node.get("name") or None,
                spec_json=spec_json,
                elements=_element_infos(node),
                start_triggers=_checked(tuple(_start_triggers(node, root))),
                called_keys=tuple(sorted(subprocess_specs)),
            )
        )
    return results


def _add_called_documents(
    parser: FlowportParser,
    root: etree._Element,
    resolve_called: Callable[[str], bytes | None],
    max_bytes: int,
) -> None:
    known = set(parser.get_process_ids())
    pending = [c.get("calledElement", "") for c in root.iterfind(".//bpmn:callActivity", _NS)]
    while pending:
        key = pending.pop()
        if not key or key in known:
            continue
        xml = resolve_called(key)
        if xml is None:
            raise InvalidDefinition(
                f"A call activity calls process '{key}', which is neither in this file nor deployed",
                elementId=key,
            )
        other = parse_untrusted_xml(xml, max_bytes)
        parser.add_bpmn_xml(other, filename=f"{key}.bpmn")
        known = set(parser.get_process_ids())
        pending.extend(c.get("calledElement", "") for c in other.iterfind(".//bpmn:callActivity", _NS))


def _mark_service_tasks_external(spec: object) -> None:
    # SpiffWorkflow runs service tasks itself; Flowport hands them to external workers as jobs,
    # so they must wait like user tasks until a worker completes them.
    for task_spec in spec.task_specs.values():  # type: ignore[attr-defined]
        if isinstance(task_spec, ServiceTask):
            task_spec.manual = True


def _quote_literal_timers(spec: object) -> None:
    # SpiffWorkflow evaluates timer definitions as Python expressions; BPMN 2.0 (section 10.5.4,
    # tFormalExpression) and modelers write ISO 8601 literals (PT1H, R3/PT10M, 2030-01-01T00:00:00Z)
    # or Camunda's ${expression}. Literals become Python strings, ${x} becomes x.
    for task_spec in spec.task_specs.values():  # type: ignore[attr-defined]
        for definition in _timer_definitions(getattr(task_spec, "event_definition", None)):
            definition.expression = timer_expression(definition.expression)


def _timer_definitions(definition: object) -> list[TimerEventDefinition]:
    if isinstance(definition, TimerEventDefinition):
        return [definition]
    if isinstance(definition, MultipleEventDefinition):
        return [t for d in definition.event_definitions for t in _timer_definitions(d)]
    return []


_ISO_LITERAL = re.compile(
    r"^(R\d*/.*|P[0-9TYMWDHS.,]+|\d{4}-\d{2}-\d{2}([T ][0-9:.]+)?(Z|[+-]\d{2}:?\d{2})?)$", re.I
)
_PLACEHOLDER = re.compile(r"^\$\{(.+)\}$", re.S)


def timer_expression(text: str | None) -> str | None:
    """A timer definition as the Python expression SpiffWorkflow evaluates."""
    if text is None:
        return None
    stripped = text.strip()
    placeholder = _PLACEHOLDER.match(stripped)
    if placeholder:
        return placeholder.group(1).strip()
    if _ISO_LITERAL.match(stripped):
        return repr(stripped)
    return stripped


def _checked(triggers: tuple[StartTrigger, ...]) -> tuple[StartTrigger, ...]:
    """Refuse timer start events the scheduler could not plan (checked at deploy, not when due)."""
    for trigger in triggers:
        if trigger.kind == "timer":
            try:
                check_start_timer(trigger.name)
            except ValueError as exc:
                raise InvalidDefinition(
                    f"Timer start event '{trigger.element_id}': {exc}", elementId=trigger.element_id
                ) from exc
    return triggers


def _invalid(exc: ValidationException) -> InvalidDefinition:
    message = str(exc).split("\n")[0]
    line = getattr(exc, "line_number", None) or getattr(exc, "sourceline", None)
    element_id = getattr(exc, "id", None) or None
    return InvalidDefinition(
        f"Invalid BPMN: {message}",
        elementId=element_id,
        line=int(line) if isinstance(line, int | str) and str(line).isdigit() else None,
    )


def _is_executable(node: etree._Element) -> bool:
    return node.get("isExecutable", "true").lower() == "true"


def _split(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(v.strip() for v in value.split(",") if v.strip())


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _element_infos(process: etree._Element) -> dict[str, ElementInfo]:
    lanes: dict[str, str] = {}
    for lane_node in process.iterfind(".//bpmn:lane", _NS):
        lane_name = lane_node.get("name") or lane_node.get("id") or ""
        for ref in lane_node.iterfind("bpmn:flowNodeRef", _NS):
            if ref.text:
                lanes[ref.text.strip()] = lane_name
    infos: dict[str, ElementInfo] = {}
    for el in process.iter():
        element_id = el.get("id") if isinstance(el.tag, str) else None
        if not element_id or etree.QName(el.tag).namespace != BPMN_NS:
            continue
        kind = _local(el.tag)
        if kind in {"process", "sequenceFlow", "lane", "laneSet", "extensionElements", "messageFlow"}:
            continue
        c = f"{{{CAMUNDA_NS}}}"
        topic = (
            el.get(f"{c}topic") or el.get("implementation") if kind in {"serviceTask", "sendTask"} else None
        )
        if kind in {"serviceTask", "sendTask"} and not topic:
            topic = el.get(f"{c}type") or element_id
        lane = lanes.get(element_id)
        groups = _split(el.get(f"{c}candidateGroups"))
        if lane and kind == "userTask" and lane not in groups:
            groups = (*groups, lane)
        commands, command_field = declared_commands(el) if kind == "userTask" else ((), None)
        infos[element_id] = ElementInfo(
            id=element_id,
            type=kind,
            name=el.get("name") or None,
            assignee=el.get(f"{c}assignee") or None,
            candidate_users=_split(el.get(f"{c}candidateUsers")),
            candidate_groups=groups,
            due_date=el.get(f"{c}dueDate") or None,
            topic=topic,
            lane=lane,
            commands=commands,
            command_field=command_field,
            form_fields=declared_form_fields(el) if kind == "userTask" else (),
        )
    return infos


def _start_triggers(process: etree._Element, root: etree._Element) -> Iterable[StartTrigger]:
    messages = {m.get("id"): m.get("name") or m.get("id") for m in root.iterfind("bpmn:message", _NS)}
    signals = {s.get("id"): s.get("name") or s.get("id") for s in root.iterfind("bpmn:signal", _NS)}
    for start in process.iterfind("bpmn:startEvent", _NS):
        element_id = start.get("id", "")
        for md in start.iterfind("bpmn:messageEventDefinition", _NS):
            ref = md.get("messageRef")
            yield StartTrigger(element_id, "message", str(messages.get(ref, ref) or ""))
        for sd in start.iterfind("bpmn:signalEventDefinition", _NS):
            ref = sd.get("signalRef")
            yield StartTrigger(element_id, "signal", str(signals.get(ref, ref) or ""))
        for td in start.iterfind("bpmn:timerEventDefinition", _NS):
            for child in td:
                if _local(child.tag) in TIMER_KINDS and child.text and child.text.strip():
                    yield StartTrigger(element_id, "timer", f"{_local(child.tag)}:{child.text.strip()}")

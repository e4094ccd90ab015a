"""Facts about SpiffWorkflow tasks that the run-time facade reports (history, variables, errors)."""

from __future__ import annotations

from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.specs.mixins.unstructured_join import UnstructuredJoin
from SpiffWorkflow.util.task import TaskState

from flowport.engine.model import FormField

# Flowport's own BPMN extension attributes (``xmlns:flowport="https://flowport.dev/schema/bpmn"``).
FLOWPORT_NS = "https://flowport.dev/schema/bpmn"
_CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
_FORM_FIELDS = f"{{*}}extensionElements/{{{_CAMUNDA_NS}}}formData/{{{_CAMUNDA_NS}}}formField"


def declared_commands(element: etree._Element) -> tuple[tuple[tuple[str, str], ...], str | None]:
    """The commands (named outcomes) a user task declares, as ``(name, label)`` pairs, and their field.

    ``flowport:commands="Approve,Reject"`` names them directly; otherwise the first Camunda
    ``enum`` form field offers its values (``camunda:value id=... name=...``), and the chosen one is
    also that field's value. A task that declares neither has none (callers offer one named after it).
    """
    listed = element.get(f"{{{FLOWPORT_NS}}}commands")
    if listed is not None:
        names = [n.strip() for n in listed.split(",") if n.strip()]
        return tuple((n, n) for n in dict.fromkeys(names)), None
    for field in element.iterfind(_FORM_FIELDS):
        if field.get("type") == "enum" and field.get("id"):
            values = [
                (str(v.get("id")), str(v.get("name") or v.get("id")))
                for v in field.iterfind(f"{{{_CAMUNDA_NS}}}value")
                if v.get("id")
            ]
            if values:
                return tuple(values), str(field.get("id"))
    return (), None


# Camunda constraints that carry a value (``<camunda:constraint name="min" config="1" />``).
_VALUED_CONSTRAINTS = ("minlength", "maxlength", "min", "max")


def declared_form_fields(element: etree._Element) -> tuple[FormField, ...]:
    """The Camunda form fields a user task declares (``camunda:formData``), in document order."""
    found: list[FormField] = []
    for field in element.iterfind(_FORM_FIELDS):
        field_id = (field.get("id") or "").strip()
        if not field_id:
            continue
        names: dict[str, str] = {}
        for constraint in field.iterfind(f"{{{_CAMUNDA_NS}}}validation/{{{_CAMUNDA_NS}}}constraint"):
            name = (constraint.get("name") or "").strip().lower()
            if name:
                names[name] = constraint.get("config") or ""
        found.append(
            FormField(
                id=field_id,
                label=field.get("label") or None,
                type=(field.get("type") or "string").strip() or "string",
                default=field.get("defaultValue"),
                required="required" in names,
                readonly="readonly" in names,
                options=tuple(
                    (str(v.get("id")), str(v.get("name") or v.get("id")))
                    for v in field.iterfind(f"{{{_CAMUNDA_NS}}}value")
                    if v.get("id")
                ),
                constraints=tuple((k, names[k].strip()) for k in _VALUED_CONSTRAINTS if names.get(k)),
            )
        )
    return tuple(found)


def failure_message(exc: BaseException) -> str:
    """A one-line, human-readable reason for an engine error (no traceback, no Spiff punctuation)."""
    text = str(exc.args[0]) if exc.args else ""
    first = text.strip().split("\n")[0].strip().rstrip(".") or type(exc).__name__
    notes = [str(n).strip().rstrip(".") for n in getattr(exc, "notes", []) if str(n).strip()]
    cause = exc.__cause__
    if cause is not None and str(cause) and str(cause) not in first:
        notes.append(str(cause))
    return "; ".join([first, *[n for n in notes if n not in first]])


def visible(task: Any) -> bool:
    """False for SpiffWorkflow's plumbing around boundary events, which shares element ids."""
    return (
        not isinstance(task.task_spec, BoundaryEventSplit)
        and type(task.task_spec).__name__ != "BoundaryEventJoin"
    )


def merged_join(task: Any) -> bool:
    """A join's earlier arrival, canceled by SpiffWorkflow when the last one passes on the merged token."""
    spec = task.task_spec
    return isinstance(spec, UnstructuredJoin) and any(
        t.task_spec is spec and t.state != TaskState.CANCELLED for t in task.workflow.tasks.values()
    )


def is_loop_instance(task: Any) -> bool:
    """True for one instance of a multi-instance (or standard loop) activity (BPMN 2.0 section 10.3.7)."""
    parent = task.parent
    return (
        parent is not None
        and isinstance(parent.task_spec, LoopTask)
        and parent.task_spec.task_spec == task.task_spec.name
    )


def element_type(spec: Any) -> str:
    description = getattr(spec, "description", None)
    return str(description or type(spec).__name__)


def plain(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if not callable(v)}

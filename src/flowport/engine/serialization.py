"""Instance state (de)serialisation without a copy of the process spec in every instance.

Specs are stored once per definition; an instance's state holds only its task tree and data, and is
restored around spec objects that are cached in memory per definition.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.config import DEFAULT_CONFIG
from SpiffWorkflow.bpmn.serializer.default.task_spec import BpmnTaskSpecConverter, EventJoinConverter
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.serializer.helpers.encoder import create_encoder
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.defaults import ServiceTask
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.camunda.specs.event_definitions import (
    MessageEventDefinition as CamundaMessageEventDefinition,
)

from flowport.engine.specs import BoundaryEventJoin


class _StateOnlyWorkflowConverter(BpmnWorkflowConverter):  # type: ignore[misc]
    """Converts a workflow without its specs, and restores it around spec objects given by the caller."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct: dict[str, Any] = super(BpmnWorkflowConverter, self).to_dict(workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any]) -> BpmnWorkflow:
        workflow = self.target_class(dct.pop("spec"), dct.pop("subprocess_specs"), deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _config() -> dict[Any, Any]:
    """Camunda task specs, but BPMN's own message events (see ``FlowportParser``), plus service tasks.

    The registry keys converters by bare class name, so Camunda's ``MessageEventDefinition`` converter
    would otherwise be used for BPMN message events, which lack its ``expression``/``result_var``.
    SpiffWorkflow ships no converter for the plain BPMN ``ServiceTask``; Flowport's service tasks are
    external jobs with no extra attributes, so the generic task converter suffices.
    """
    config = {k: v for k, v in CAMUNDA_CONFIG.items() if k is not CamundaMessageEventDefinition}
    config[MessageEventDefinition] = DEFAULT_CONFIG[MessageEventDefinition]
    config[ServiceTask] = BpmnTaskSpecConverter
    # Same class name as SpiffWorkflow's: registered last, it is what stored specs restore to.
    config[BoundaryEventJoin] = EventJoinConverter
    config[BpmnWorkflow] = _StateOnlyWorkflowConverter
    return config


_REGISTRY = BpmnWorkflowSerializer.configure(_config())
_ENCODER = create_encoder(_REGISTRY)
VERSION_KEY = BpmnWorkflowSerializer.VERSION_KEY
_SERIALIZER = BpmnWorkflowSerializer(_REGISTRY)


def dump_specs(spec: Any, subprocess_specs: dict[str, Any]) -> str:
    """Serialise a process spec and the specs it calls, for storage with the definition."""
    return json.dumps(
        {
            "spec": _REGISTRY.convert(spec),
            "subprocess_specs": {k: _REGISTRY.convert(v) for k, v in subprocess_specs.items()},
        },
        separators=(",", ":"),
    )


def load_specs(spec_json: str) -> tuple[Any, dict[str, Any]]:
    """Restore a definition's top-level spec and the specs of its subprocesses/called processes."""
    data = json.loads(spec_json)
    spec = _REGISTRY.restore(data["spec"])
    subs = {k: _REGISTRY.restore(v) for k, v in data["subprocess_specs"].items()}
    return spec, subs


def dump_workflow(workflow: BpmnWorkflow) -> str:
    """Serialise a workflow's run-time state (no specs) to compact JSON."""
    _REGISTRY._encoder_mode = True
    try:
        dct = _REGISTRY.convert(workflow)
    finally:
        _REGISTRY._encoder_mode = False
    dct[VERSION_KEY] = _SERIALIZER.VERSION
    return json.dumps(dct, cls=_ENCODER, separators=(",", ":"))


def restore_workflow(
    state: str, spec: Any, subprocess_specs: dict[str, Any], script_engine: Any
) -> BpmnWorkflow:
    """Rebuild a workflow from stored state around shared, already restored specs."""
    dct = json.loads(state)
    _SERIALIZER.migrate(dct)
    dct["spec"] = spec
    dct["subprocess_specs"] = subprocess_specs
    workflow: BpmnWorkflow = _REGISTRY.restore(dct)
    workflow.script_engine = script_engine
    return workflow

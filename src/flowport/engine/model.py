"""Flowport's own view of engine state: no SpiffWorkflow type crosses the engine boundary."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class FormField:
    """One Camunda form field of a user task (``camunda:formData/camunda:formField``), as declared.

    ``type`` is Camunda's (string, long, double, boolean, date, enum, or a custom name);
    ``default`` is the declared ``defaultValue`` text; ``options`` are an enum's ``(id, name)``
    values; ``constraints`` are the ``camunda:validation`` constraints with a value
    (minlength, maxlength, min, max), ``required`` and ``readonly`` the ones without.
    """

    id: str
    label: str | None = None
    type: str = "string"
    default: str | None = None
    required: bool = False
    readonly: bool = False
    options: tuple[tuple[str, str], ...] = ()
    constraints: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> FormField:
        return cls(
            **{
                **raw,
                "options": tuple((str(i), str(n)) for i, n in raw.get("options", ())),
                "constraints": tuple((str(k), str(v)) for k, v in raw.get("constraints", ())),
            }
        )


@dataclass(frozen=True)
class ElementInfo:
    """Static facts about one BPMN element that the server indexes (tasks, jobs, events)."""

    id: str
    type: str
    name: str | None = None
    assignee: str | None = None
    candidate_users: tuple[str, ...] = ()
    candidate_groups: tuple[str, ...] = ()
    due_date: str | None = None
    topic: str | None = None
    lane: str | None = None
    # The named outcomes a person may choose when completing a user task: (name, label) pairs.
    commands: tuple[tuple[str, str], ...] = ()
    # The form field whose value the chosen command is (a Camunda enum field), if it came from one.
    command_field: str | None = None
    # A user task's Camunda form fields, in declaration order.
    form_fields: tuple[FormField, ...] = ()

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ElementInfo:
        """From the JSON form it is stored in (``dataclasses.asdict``); older rows lack newer keys."""
        return cls(
            **{
                **raw,
                "candidate_users": tuple(raw.get("candidate_users", ())),
                "candidate_groups": tuple(raw.get("candidate_groups", ())),
                "commands": tuple((str(n), str(label)) for n, label in raw.get("commands", ())),
                "form_fields": tuple(FormField.from_dict(f) for f in raw.get("form_fields", ())),
            }
        )


@dataclass(frozen=True)
class StartTrigger:
    """A start event that a message, signal or timer fires from outside (BPMN 2.0 section 10.5.2)."""

    element_id: str
    kind: str  # "message" | "signal" | "timer"
    name: str  # message/signal name, or the timer expression


@dataclass(frozen=True)
class ParsedProcess:
    """One executable process parsed from a deployment, ready to be stored."""

    key: str
    name: str | None
    spec_json: str
    elements: dict[str, ElementInfo]
    start_triggers: tuple[StartTrigger, ...]
    called_keys: tuple[str, ...]


@dataclass(frozen=True)
class OpenTask:
    """A READY user (or manual) task waiting for a person."""

    id: str
    element_id: str


@dataclass(frozen=True)
class OpenJob:
    """A READY service task waiting for an external worker."""

    id: str
    element_id: str


@dataclass(frozen=True)
class WaitingTimer:
    """A timer event that is armed, with the moment it becomes due (UTC)."""

    id: str
    element_id: str
    due_at: datetime


@dataclass(frozen=True)
class WaitingEvent:
    """A catch event waiting for a message or signal."""

    id: str
    element_id: str
    kind: str  # "message" | "signal"
    name: str
    correlation_key: str | None = None


@dataclass(frozen=True)
class StepRecord:
    """One thing the engine did during a command (feeds history)."""

    element_id: str
    element_type: str
    element_name: str | None
    event: str


@dataclass(frozen=True)
class EngineFailure:
    """A task that raised an error while the engine ran it (becomes an incident)."""

    task_id: str
    element_id: str
    message: str


@dataclass(frozen=True)
class ThrownEvent:
    """A message or signal an instance threw that nothing inside it caught (BPMN 2.0 section 10.5.5).

    It is meant for other instances: signals for every instance waiting for them, messages for the
    one(s) they correlate with.
    """

    kind: str  # "message" | "signal"
    name: str
    payload: dict[str, Any]


@dataclass
class Snapshot:
    """Everything the persistence layer indexes about an instance after a command."""

    completed: bool
    variables: dict[str, Any]
    active_element_ids: list[str]
    tasks: list[OpenTask] = field(default_factory=list)
    jobs: list[OpenJob] = field(default_factory=list)
    timers: list[WaitingTimer] = field(default_factory=list)
    events: list[WaitingEvent] = field(default_factory=list)
    steps: list[StepRecord] = field(default_factory=list)
    failures: list[EngineFailure] = field(default_factory=list)
    thrown: list[ThrownEvent] = field(default_factory=list)

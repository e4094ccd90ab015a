"""Flowport's views in OptimaJet's shapes and names (and OptimaJet's filters as Flowport's).

The concepts (see the README, "Coming from OptimaJet Workflow Server"): a scheme is a process
definition (``SchemeCode`` = BPMN process id); a state and an activity are a BPMN activity or
event (``ActivityName`` its id, ``StateName`` its name); a command is a named outcome of a ready
user task; a role is a group of Flowport users.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from enum import IntEnum
from typing import Any

from flowport.engine.model import ElementInfo
from flowport.errors import InvalidRequest
from flowport.services.commands import CommandView
from flowport.services.instance_queries import InstanceFilter
from flowport.services.users import UserView
from flowport.services.views import DefinitionView, HistoryEntry, InstanceView, TaskView
from flowport.states import InstanceStatus


class ProcessStatus(IntEnum):
    """OptimaJet's ``InstanceStatus`` numbers."""

    INITIALIZED = 0
    RUNNING = 1
    IDLED = 2
    FINALIZED = 3
    TERMINATED = 4
    ERROR = 5


# Flowport runs an instance within the request that moves it, so between requests one is never
# "Initialized" or "Running": it waits (Idled), has ended, or is held (suspended: Terminated, which
# OptimaJet also resumes).
_FILTERS: dict[ProcessStatus, InstanceFilter] = {
    ProcessStatus.INITIALIZED: InstanceFilter(statuses=()),
    ProcessStatus.RUNNING: InstanceFilter(statuses=()),
    ProcessStatus.IDLED: InstanceFilter(statuses=(InstanceStatus.RUNNING,), has_incidents=False),
    ProcessStatus.FINALIZED: InstanceFilter(statuses=(InstanceStatus.COMPLETED,)),
    ProcessStatus.TERMINATED: InstanceFilter(statuses=(InstanceStatus.CANCELED, InstanceStatus.SUSPENDED)),
    ProcessStatus.ERROR: InstanceFilter(statuses=(InstanceStatus.RUNNING,), has_incidents=True),
}
# OptimaJet's sort names -> Flowport's (see services.instance_queries.SORT_FIELDS)
SORTS = {"creationdate": "started_at", "schemecode": "definition_key", "id": "id", "processid": "id"}


def status_of(view: InstanceView) -> ProcessStatus:
    if view.status is InstanceStatus.COMPLETED:
        return ProcessStatus.FINALIZED
    if view.status in (InstanceStatus.CANCELED, InstanceStatus.SUSPENDED):
        return ProcessStatus.TERMINATED
    return ProcessStatus.ERROR if view.has_incidents else ProcessStatus.IDLED


def instance_filter(
    status: int | None, text: str | None, created_from: datetime | None, created_to: datetime | None
) -> InstanceFilter:
    """``getinstances``' filter: an OptimaJet status number, a text, a creation-date range."""
    base = InstanceFilter()
    if status is not None:
        try:
            base = _FILTERS[ProcessStatus(status)]
        except ValueError:
            raise InvalidRequest("The parameter 'status' must be 0 to 5", parameter="status") from None
    return InstanceFilter(base.statuses, base.has_incidents, text, created_from, created_to)


def sort_of(text: str | None) -> tuple[str, bool]:
    """``CreationDate``, ``CreationDate desc``, ``-SchemeCode``: the field and whether descending."""
    if not text:
        return "started_at", False
    words = text.strip().split()
    name, descending = words[0], len(words) > 1 and words[1].lower() == "desc"
    if name.startswith("-"):
        name, descending = name[1:], True
    if (
        len(words) > 2
        or (len(words) == 2 and words[1].lower() not in ("asc", "desc"))
        or name.lower() not in SORTS
    ):
        raise InvalidRequest(
            "The parameter 'sort' is a field (CreationDate, SchemeCode or Id), then asc or desc",
            parameter="sort",
        )
    return SORTS[name.lower()], descending


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _current(view: InstanceView, elements: Mapping[str, ElementInfo]) -> tuple[str | None, str | None]:
    """(ActivityName, StateName): where the instance waits (its first token, in element order)."""
    if not view.active_element_ids:
        return None, None
    element_id = view.active_element_ids[0]
    info = elements.get(element_id)
    return element_id, (info.name if info and info.name else element_id)


def parameters(variables: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Process variables as OptimaJet's process parameters (all of them persisted)."""
    return [{"Name": name, "Value": value, "Purpose": "Persistence"} for name, value in variables.items()]


def instance_summary(view: InstanceView, elements: Mapping[str, ElementInfo]) -> dict[str, Any]:
    activity, state = _current(view, elements)
    return {
        "Id": view.id,
        "SchemeId": view.definition_id,
        "SchemeCode": view.definition_key,
        "StateName": state,
        "ActivityName": activity,
        "InstanceStatus": int(status_of(view)),
        "CreationDate": _iso(view.started_at),
        "EndDate": _iso(view.ended_at),
        "StartingIdentityId": view.started_by,
        "IsSubprocess": False,
        "RootProcessId": view.id,
        "ParentProcessId": None,
    }


def process_instance(
    view: InstanceView,
    elements: Mapping[str, ElementInfo],
    commands: Iterable[CommandView],
    history: Iterable[HistoryEntry],
) -> dict[str, Any]:
    """``getinstanceinfo``: the summary plus parameters, the commands open now, and the history."""
    return {
        **instance_summary(view, elements),
        "ProcessParameters": parameters(view.variables),
        "Transitions": [transition(c) for c in commands],
        "History": [history_item(view.id, i, entry) for i, entry in enumerate(history, start=1)],
    }


def transition(command: CommandView) -> dict[str, Any]:
    """A command open now, as the transition it triggers out of its activity."""
    return {
        "Name": command.name,
        "From": command.element_id,
        "Classifier": "Direct",
        "Trigger": {"Type": "Command", "NameRef": command.name},
    }


def history_item(process_id: str, order: int, entry: HistoryEntry) -> dict[str, Any]:
    return {
        "Order": order,
        "ProcessId": process_id,
        "IdentityId": entry.actor,
        "ActivityName": entry.element_id,
        "StateName": entry.element_name or entry.element_id,
        "Event": entry.event,
        "TransitionTime": _iso(entry.at),
    }


def command(view: CommandView) -> dict[str, Any]:
    return {
        "CommandName": view.name,
        "LocalizedName": view.label,
        "ValidForActivityName": view.element_id,
        "ValidForStateName": view.element_name or view.element_id,
        "Identities": view.identities,
        "Groups": view.candidate_groups,
        "Parameters": [],
    }


def state(element: ElementInfo, scheme_code: str) -> dict[str, Any]:
    return {"Name": element.id, "VisibleName": element.name or element.id, "SchemeCode": scheme_code}


def folder_items(identity: str, items: Iterable[TaskView], *, done: bool) -> list[dict[str, Any]]:
    """Inbox (``done`` False) or outbox: one line per instance, its first (or latest) task."""
    seen: dict[str, dict[str, Any]] = {}
    for task in items:
        seen.setdefault(
            task.instance_id,
            {
                "ProcessId": task.instance_id,
                "IdentityId": identity,
                "SchemeCode": task.definition_key,
                "ActivityName": task.element_id,
                "StateName": task.name or task.element_id,
                "AddingDate": _iso(task.ended_at if done else task.created_at),
            },
        )
    return list(seen.values())


def scheme(view: DefinitionView) -> dict[str, Any]:
    return {
        "Code": view.key,
        "Name": view.name or view.key,
        "Id": view.id,
        "Version": view.version,
        "CreationDate": _iso(view.deployed_at),
    }


def user(view: UserView) -> dict[str, Any]:
    return {
        "Id": view.id,
        "Login": view.username,
        "Name": view.username,
        "Roles": view.groups,
        "IsLocked": view.locked,
        "CreationDate": _iso(view.created_at),
    }

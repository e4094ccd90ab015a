"""More ways to find and remove process instances: offset pages, existence, several at once, move targets.

The native API pages with cursors (:func:`flowport.services.instances.search`); products whose clients
page with take/skip (OptimaJet's ``getinstances``) use :func:`list_page`. Every read takes the caller's
scope, as everywhere: an ``own`` caller finds only the instances it started.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flowport.engine.model import ElementInfo
from flowport.errors import InvalidRequest, NotFound
from flowport.persistence.db import read_transaction, write_transaction
from flowport.persistence.repositories import definitions as definition_repo
from flowport.persistence.repositories import instances as repo
from flowport.services.context import Actor, Services
from flowport.services.views import InstanceView
from flowport.states import InstanceStatus

MAX_TAKE = 1000
SORT_FIELDS = tuple(repo.SORTABLE)
# Elements a token can be moved to (BPMN 2.0 activities and intermediate events; see engine.token_moves).
MOVABLE_TYPES = frozenset(
    {
        "task",
        "userTask",
        "manualTask",
        "serviceTask",
        "scriptTask",
        "sendTask",
        "receiveTask",
        "businessRuleTask",
        "subProcess",
        "callActivity",
        "intermediateCatchEvent",
        "intermediateThrowEvent",
    }
)


@dataclass(frozen=True)
class InstanceFilter:
    """What :func:`list_page` matches: any of ``statuses`` (None: all), incidents, a text, a start range."""

    statuses: Sequence[InstanceStatus] | None = None
    has_incidents: bool | None = None
    text: str | None = None
    started_after: datetime | None = None
    started_before: datetime | None = None


def list_page(
    services: Services,
    actor: Actor,
    matching: InstanceFilter,
    *,
    sort: str = "started_at",
    descending: bool = False,
    skip: int = 0,
    take: int = 50,
) -> list[InstanceView]:
    """A page of visible instances by offset, ordered by ``sort`` (one of :data:`SORT_FIELDS`)."""
    if sort not in repo.SORTABLE:
        raise InvalidRequest(f"Cannot sort by '{sort}'; use one of {', '.join(SORT_FIELDS)}")
    if skip < 0 or not 1 <= take <= MAX_TAKE:
        raise InvalidRequest(f"skip must be 0 or more and take between 1 and {MAX_TAKE}")
    if matching.statuses is not None and not matching.statuses:
        return []
    with read_transaction(services.db) as conn:
        rows = repo.list_offset(
            conn,
            actor.scope,
            statuses=list(matching.statuses) if matching.statuses is not None else None,
            has_incidents=matching.has_incidents,
            text=matching.text,
            started_after=matching.started_after,
            started_before=matching.started_before,
            sort=sort,
            descending=descending,
            skip=skip,
            take=take,
        )
    return [InstanceView.of_row(r) for r in rows]


def exists(services: Services, actor: Actor, instance_id: str) -> bool:
    """Whether the caller can see an instance with this id."""
    with read_transaction(services.db) as conn:
        return repo.get(conn, actor.scope, instance_id) is not None


def delete_many(services: Services, actor: Actor, instance_ids: Sequence[str]) -> list[str]:
    """Delete several instances at once: all of them, or (one not visible) none; returns the ids deleted."""
    unique = list(dict.fromkeys(instance_ids))
    if not unique:
        raise InvalidRequest("Name at least one process instance to delete")
    with write_transaction(services.db) as conn:
        for instance_id in unique:
            if repo.get(conn, actor.scope, instance_id) is None:
                raise NotFound(f"Process instance {instance_id} does not exist; nothing was deleted")
        for instance_id in unique:
            repo.delete_instance(conn, instance_id)
    services.metrics.inc(
        "flowport_instances_deleted_total", float(len(unique)), help_text="Process instances deleted"
    )
    return unique


def movable_elements(services: Services, actor: Actor, instance_id: str) -> list[ElementInfo]:
    """The elements of the instance's process a token can be moved to (see ``instances.move``)."""
    with read_transaction(services.db) as conn:
        row = repo.get(conn, actor.scope, instance_id)
        if row is None:
            raise NotFound(f"Process instance {instance_id} does not exist")
        definition = definition_repo.get(conn, row.env, row.definition_id)
    raw = definition.elements if definition is not None else {}
    elements = [ElementInfo.from_dict(value) for value in raw.values()]
    return [e for e in elements if e.type in MOVABLE_TYPES]


# A bound on the history read to mark completed elements: far beyond a real instance's, so a
# looping instance with a huge history still draws quickly (the marks then cover its first lines).
PROGRESS_HISTORY_LINES = 20_000
_HISTORY_BATCH = 1000


@dataclass(frozen=True)
class ElementProgress:
    """Where an instance stands, by BPMN element id: what waits now, and what has completed."""

    active: list[str]  # open tasks, jobs, timers and message or signal catches
    completed: list[str]


def element_progress(services: Services, actor: Actor, instance_id: str) -> ElementProgress:
    """The instance's active elements (as the engine left it) and those its history shows completed."""
    completed: dict[str, None] = {}
    with read_transaction(services.db) as conn:
        row = repo.get(conn, actor.scope, instance_id)
        if row is None:
            raise NotFound(f"Process instance {instance_id} does not exist")
        after, read = 0, 0
        while read < PROGRESS_HISTORY_LINES:
            lines = repo.list_history(conn, instance_id, after, _HISTORY_BATCH)
            for line in lines[:_HISTORY_BATCH]:
                if line["event"] == "completed" and line["element_id"]:
                    completed[line["element_id"]] = None
            if len(lines) <= _HISTORY_BATCH:
                break
            after, read = lines[_HISTORY_BATCH - 1]["id"], read + _HISTORY_BATCH
    active = [] if InstanceStatus(row.status).ended else list(row.active_element_ids)
    return ElementProgress(active, list(completed))

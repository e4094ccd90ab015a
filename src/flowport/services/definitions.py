"""Use cases for process definitions: deploy, list, read, delete."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import asdict, dataclass

from sqlalchemy import Connection

from flowport.engine.definitions import parse_deployment
from flowport.engine.model import ParsedProcess
from flowport.errors import Conflict, InvalidRequest, NotFound
from flowport.persistence.db import read_transaction, write_transaction
from flowport.persistence.repositories import definitions as repo
from flowport.persistence.repositories.definitions import DefinitionRow
from flowport.services import start_timers
from flowport.services.context import Actor, Services
from flowport.services.paging import Page, make_page
from flowport.services.views import DefinitionView


@dataclass(frozen=True)
class Deployed:
    """A process of a deployment; ``created`` False when identical XML was already deployed."""

    definition: DefinitionView
    created: bool


def deploy(services: Services, actor: Actor, xml: bytes) -> list[Deployed]:
    """Deploy a BPMN document; each changed process gets version N+1, identical ones keep theirs.

    A new version's timer start events are scheduled (and the previous versions' unscheduled).
    """
    results: list[Deployed] = []
    with write_transaction(services.db) as conn:
        parsed = parse_deployment(
            xml,
            services.settings.max_bpmn_bytes,
            resolve_called=lambda key: repo.latest_xml(conn, actor.env, key),
        )
        for process in parsed:
            fingerprint = hashlib.sha256(process.spec_json.encode()).hexdigest()
            latest = repo.latest(conn, actor.env, process.key)
            if latest is not None and latest.xml_hash == fingerprint:
                results.append(Deployed(DefinitionView.of_row(latest), created=False))
                continue
            row = _insert(
                conn, services, actor, process, xml, fingerprint, latest.version + 1 if latest else 1
            )
            results.append(Deployed(DefinitionView.of_row(row), created=True))
            # Timer start events schedule starts, not instances; this version's replace the older ones'.
            start_timers.schedule(conn, services, row, process.start_triggers)
    for item in results:
        if item.created:
            services.metrics.inc(
                "flowport_definitions_deployed_total", help_text="Process definitions deployed"
            )
    return results


def _insert(
    conn: Connection,
    services: Services,
    actor: Actor,
    process: ParsedProcess,
    xml: bytes,
    fingerprint: str,
    version: int,
) -> DefinitionRow:
    definition_id = str(uuid.uuid4())
    now = services.clock()
    elements = {k: asdict(v) for k, v in process.elements.items()}
    repo.insert_definition(
        conn,
        id=definition_id,
        env=actor.env,
        key=process.key,
        version=version,
        name=process.name,
        xml_hash=fingerprint,
        xml=xml,
        spec=process.spec_json,
        elements=elements,
        start_triggers=[asdict(t) for t in process.start_triggers],
        deployed_at=now,
        deployed_by=actor.subject,
    )
    repo.insert_start_triggers(
        conn,
        [
            {
                "env": actor.env,
                "definition_id": definition_id,
                "definition_key": process.key,
                "element_id": t.element_id,
                "kind": t.kind,
                "name": t.name,
            }
            for t in process.start_triggers
            if t.kind in ("message", "signal")
        ],
    )
    return DefinitionRow(
        definition_id,
        actor.env,
        process.key,
        version,
        process.name,
        fingerprint,
        now,
        actor.subject,
        elements,
    )


def resolve(
    conn: Connection, actor: Actor, definition_id: str | None, key: str | None, version: int | None
) -> DefinitionRow:
    """Find the definition a start request names: by id, or by key (latest or a given version)."""
    if definition_id:
        row = repo.get(conn, actor.env, definition_id)
        if row is None:
            raise NotFound(f"Process definition {definition_id} does not exist")
        return row
    if not key:
        raise InvalidRequest("Give definitionKey or definitionId")
    row = repo.by_version(conn, actor.env, key, version) if version else repo.latest(conn, actor.env, key)
    if row is None:
        suffix = f" version {version}" if version else ""
        raise NotFound(f"No process definition with key '{key}'{suffix} is deployed")
    return row


def list_definitions(
    services: Services,
    actor: Actor,
    key: str | None,
    latest_only: bool,
    cursor: str | None,
    limit: int,
    *,
    text: str | None = None,
) -> Page[DefinitionView]:
    """Newest first; ``text`` keeps the versions whose key or name contains it (the console's filter)."""
    with read_transaction(services.db) as conn:
        rows = repo.search(conn, actor.env, key, latest_only, cursor, limit, text)
    return make_page(rows, limit, lambda r: (r.deployed_at, r.id)).map(DefinitionView.of_row)


def count_definitions(services: Services, actor: Actor, key: str | None) -> int:
    """How many versions are deployed (of ``key``, when given): the total product searches report."""
    with read_transaction(services.db) as conn:
        return repo.count(conn, actor.env, key)


def version_counts(services: Services, actor: Actor, keys: list[str]) -> dict[str, int]:
    """How many versions of each key are deployed: a list of latest versions shows it per row."""
    with read_transaction(services.db) as conn:
        return repo.version_counts(conn, actor.env, keys)


def get(services: Services, actor: Actor, definition_id: str) -> DefinitionView:
    with read_transaction(services.db) as conn:
        row = repo.get(conn, actor.env, definition_id)
    if row is None:
        raise NotFound(f"Process definition {definition_id} does not exist")
    return DefinitionView.of_row(row)


def get_xml(services: Services, actor: Actor, definition_id: str) -> bytes:
    with read_transaction(services.db) as conn:
        xml = repo.xml(conn, actor.env, definition_id)
    if xml is None:
        raise NotFound(f"Process definition {definition_id} does not exist")
    return xml


def delete(services: Services, actor: Actor, definition_id: str, cascade: bool) -> None:
    """Delete a definition and its scheduled timer starts; refused while instances run unless
    ``cascade`` deletes them too."""
    with write_transaction(services.db) as conn:
        row = repo.get(conn, actor.env, definition_id)
        if row is None:
            raise NotFound(f"Process definition {definition_id} does not exist")
        running = repo.count_instances(conn, definition_id, running_only=True)
        if running and not cascade:
            raise Conflict(
                f"{running} instance(s) of this definition are still running; "
                "pass cascade=true to delete them too"
            )
        repo.delete_definition(conn, definition_id, with_instances=True)

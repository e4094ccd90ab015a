"""Use cases that address a process by its key, across its versions (SAP's workflow definition id).

The native API addresses one deployed version by its id (:mod:`flowport.services.definitions`);
SAP Workflow's clients name the process and mean its newest version, list its versions, or
undeploy all of them at once. Definitions belong to an environment, not to a caller.
"""

from __future__ import annotations

from flowport.errors import Conflict, NotFound
from flowport.persistence.db import read_transaction, write_transaction
from flowport.persistence.repositories import definition_keys as repo
from flowport.persistence.repositories import definitions as definition_repo
from flowport.persistence.repositories.definitions import DefinitionRow
from flowport.services.context import Actor, Services
from flowport.services.counted import Counted, OffsetPage
from flowport.services.views import DefinitionView


def _not_found(key: str) -> NotFound:
    return NotFound(f"Process definition {key} does not exist")


def latest_versions(services: Services, actor: Actor, page: OffsetPage) -> Counted[DefinitionView]:
    """The newest version of each process of the environment, by key."""
    with read_transaction(services.db) as conn:
        rows = repo.latest_versions(conn, actor.env, page.skip, page.top)
        total = repo.count_keys(conn, actor.env) if page.with_total else None
    return Counted([DefinitionView.of_row(r) for r in rows], total)


def versions(services: Services, actor: Actor, key: str) -> list[DefinitionView]:
    """Every version of the process ``key``, newest first; NotFound when none is deployed."""
    with read_transaction(services.db) as conn:
        rows = repo.versions_of(conn, actor.env, key)
    if not rows:
        raise _not_found(key)
    return [DefinitionView.of_row(r) for r in rows]


def latest(services: Services, actor: Actor, key: str) -> DefinitionView:
    with read_transaction(services.db) as conn:
        row = definition_repo.latest(conn, actor.env, key)
    if row is None:
        raise _not_found(key)
    return DefinitionView.of_row(row)


def latest_xml(services: Services, actor: Actor, key: str) -> bytes:
    """The BPMN document of the newest version of ``key``."""
    with read_transaction(services.db) as conn:
        xml = definition_repo.latest_xml(conn, actor.env, key)
    if xml is None:
        raise _not_found(key)
    return xml


def delete_all_versions(services: Services, actor: Actor, key: str, cascade: bool) -> int:
    """Undeploy every version of ``key`` in one transaction; returns how many versions went.

    Refused, with nothing deleted, while instances of any version are open, unless ``cascade``
    deletes them (and all the process's instances) too.
    """
    with write_transaction(services.db) as conn:
        rows: list[DefinitionRow] = repo.versions_of(conn, actor.env, key)
        if not rows:
            raise _not_found(key)
        running = sum(definition_repo.count_instances(conn, r.id, running_only=True) for r in rows)
        if running and not cascade:
            raise Conflict(
                f"{running} instance(s) of process {key} are still running; "
                "pass cascade=true to delete them too"
            )
        for row in rows:
            definition_repo.delete_definition(conn, row.id, with_instances=True)
    return len(rows)

"""Use cases that show instances with their definition's version and name, listed by offset.

Product facades (SAP Workflow) show each instance with the version of the definition it runs and
page with ``$skip``/``$top`` plus a total count; the native API's cursor paging stays in
:mod:`flowport.services.instances`. Visibility and environments are the caller's scope, as there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flowport.errors import NotFound
from flowport.persistence.db import read_transaction
from flowport.persistence.repositories import instance_listing as repo
from flowport.persistence.repositories.instance_listing import (
    DescribedInstanceRow,
    InstanceFilter,
    InstanceOrder,
    StatusFilter,
)
from flowport.services import definitions
from flowport.services.context import Actor, Services
from flowport.services.counted import Counted, OffsetPage
from flowport.services.execution import Execution, execute
from flowport.services.views import InstanceView

__all__ = ["DescribedInstance", "InstanceFilter", "InstanceOrder", "OffsetPage", "StatusFilter"]


@dataclass(frozen=True)
class DescribedInstance:
    """An instance with the version number and name of the definition it runs."""

    instance: InstanceView
    definition_version: int
    definition_name: str | None

    @classmethod
    def of_row(cls, row: DescribedInstanceRow) -> DescribedInstance:
        return cls(InstanceView.of_row(row.instance), row.definition_version, row.definition_name)


def start_latest(
    services: Services,
    actor: Actor,
    definition_key: str,
    variables: dict[str, Any],
    business_key: str | None = None,
) -> DescribedInstance:
    """Start the latest version of ``definition_key`` and run it until it waits."""

    def use_case(execution: Execution) -> DescribedInstance:
        definition = definitions.resolve(execution.conn, actor, None, definition_key, None)
        view = execution.start(actor, definition, variables, business_key=business_key)
        return DescribedInstance(view, definition.version, definition.name)

    return execute(services, use_case)


def get(services: Services, actor: Actor, instance_id: str) -> DescribedInstance:
    with read_transaction(services.db) as conn:
        row = repo.get_described(conn, actor.scope, instance_id)
    if row is None:
        raise NotFound(f"Process instance {instance_id} does not exist")
    return DescribedInstance.of_row(row)


def search(
    services: Services,
    actor: Actor,
    filters: InstanceFilter,
    page: OffsetPage,
    order: InstanceOrder = InstanceOrder.STARTED_AT,
    descending: bool = True,
) -> Counted[DescribedInstance]:
    """One slice of the visible instances the filters keep, and their total when asked for."""
    with read_transaction(services.db) as conn:
        rows = repo.list_described(
            conn, actor.scope, filters, order=order, descending=descending, skip=page.skip, top=page.top
        )
        total = repo.count_described(conn, actor.scope, filters) if page.with_total else None
    return Counted([DescribedInstance.of_row(r) for r in rows], total)

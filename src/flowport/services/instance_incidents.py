"""Use case: the open incidents of one instance, for callers that address the instance first.

:func:`flowport.services.jobs.search_incidents` filters a collection (an unknown instance gives an
empty list); a facade route such as SAP's ``/workflow-instances/{id}/error-messages`` names the
instance in its path, so an unknown or invisible one must be a NotFound.
"""

from __future__ import annotations

from flowport.errors import NotFound
from flowport.persistence.db import read_transaction
from flowport.persistence.repositories import instances as instance_repo
from flowport.persistence.repositories import jobs as job_repo
from flowport.services.context import Actor, Services
from flowport.services.views import IncidentView

_MOST = 1000


def open_incidents(services: Services, actor: Actor, instance_id: str) -> list[IncidentView]:
    """The unresolved incidents of a visible instance, newest first (at most 1000)."""
    with read_transaction(services.db) as conn:
        if instance_repo.get(conn, actor.scope, instance_id) is None:
            raise NotFound(f"Process instance {instance_id} does not exist")
        rows = job_repo.search_incidents(conn, actor.scope, instance_id, True, None, _MOST)
    return [IncidentView.of_row(r) for r in rows[:_MOST]]

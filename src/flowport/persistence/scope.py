"""Which rows a caller may address: the one place where environments and ``own`` visibility filter data.

Every repository query that reads instance data by id or by search takes a :class:`Scope`, so a
use case cannot read (and so cannot change) what its caller may not see; a new route or facade
gets the same rule by calling the same repository. The rules:

- an instance is visible when it lives in the scope's environment and, for an ``owner`` scope
  (a caller with visibility ``own``), when the owner started it;
- its jobs, incidents, subscriptions and history are visible when the instance is;
- a user task is visible to an owner when it is assigned or offered to the owner (as a candidate
  user, or through one of the owner's groups): the people who may act on it, as SAP's and
  Camunda's task lists show them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, exists, or_, select

from flowport.persistence.tables import instances, task_candidates, tasks


@dataclass(frozen=True)
class Scope:
    """An environment, narrowed to one owner's instances and tasks when ``owner`` is set."""

    env: str
    owner: str | None = None
    groups: tuple[str, ...] = ()

    def unowned(self) -> Scope:
        """The whole environment (for work done on behalf of a resource already found visible)."""
        return Scope(self.env)


def instance_visible(scope: Scope) -> ColumnElement[bool]:
    """Condition on ``instances`` rows."""
    condition = instances.c.env == scope.env
    return condition if scope.owner is None else and_(condition, instances.c.started_by == scope.owner)


def of_visible_instance(
    scope: Scope, env_column: ColumnElement[str], instance_column: ColumnElement[str]
) -> ColumnElement[bool]:
    """Condition on rows that belong to an instance (jobs, incidents, subscriptions)."""
    condition = env_column == scope.env
    if scope.owner is None:
        return condition
    owned = exists().where(instances.c.id == instance_column, instances.c.started_by == scope.owner)
    return and_(condition, owned)


def task_visible(scope: Scope) -> ColumnElement[bool]:
    """Condition on ``tasks`` rows."""
    condition = tasks.c.env == scope.env
    if scope.owner is None:
        return condition
    offered = select(task_candidates.c.task_id).where(
        or_(
            (task_candidates.c.kind == "user") & (task_candidates.c.value == scope.owner),
            (task_candidates.c.kind == "group") & task_candidates.c.value.in_(scope.groups),
        )
    )
    return and_(condition, or_(tasks.c.assignee == scope.owner, tasks.c.id.in_(offered)))

"""One Tasklist task search, shared by the REST route and the GraphQL ``tasks`` query."""

from __future__ import annotations

from flowport.api.deps import UseCaseContext
from flowport.compat.camunda_tasklist import mapping
from flowport.compat.camunda_tasklist.schemas import IncludeVariable, TaskSearchOut, TaskSearchRequest
from flowport.services import task_lists


def search_tasks(
    use: UseCaseContext, request: TaskSearchRequest, include: list[IncludeVariable] | None
) -> list[TaskSearchOut]:
    """The request's filter, order and page, each task with ``sortValues`` (and the variables asked for)."""
    order = mapping.task_order(request)
    after, before = mapping.resume_points(request)
    found = task_lists.search(
        use.services,
        use.actor,
        mapping.task_filter(request),
        order,
        after=after,
        before=before,
        limit=request.page_size,
        variable_names=mapping.variable_names(include),
    )
    return mapping.search_out(found, order, include, from_start=after is None and before is None)

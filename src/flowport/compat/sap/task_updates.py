"""What one SAP task update means: complete the task, or reserve (or release) it; never both at once.

A body naming both a status and a processor would need two commands, and could be half-applied
if the second failed, so it is refused as a whole.
"""

from __future__ import annotations

from flowport.api.deps import INSUFFICIENT, UseCaseContext
from flowport.compat.sap.schemas import UpdateTaskIn
from flowport.errors import InvalidRequest, PermissionDenied
from flowport.services import tasks


def apply_update(
    use: UseCaseContext, task_id: str, body: UpdateTaskIn, *, may_reserve: bool, reserve_permission: str
) -> None:
    """Apply ``body``; changing the processor also needs ``reserve_permission`` (``may_reserve``)."""
    if body.status is not None and body.processor is not None:
        raise InvalidRequest("Complete a task or change its processor, not both in one request")
    if body.status == "COMPLETED":
        tasks.complete(use.services, use.actor, task_id, body.context or {})
        return
    if body.context is not None:
        raise InvalidRequest("The context changes only when the task is completed: send status COMPLETED")
    if body.processor is None:
        raise InvalidRequest("Send status COMPLETED (with an optional context) or a processor")
    if not may_reserve:
        raise PermissionDenied(INSUFFICIENT, missingPermission=reserve_permission)
    if body.processor:
        tasks.claim(use.services, use.actor, task_id, body.processor)
    else:
        tasks.unclaim(use.services, use.actor, task_id)

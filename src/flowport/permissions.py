"""The permission catalog, the profiles that bundle permissions, and vendor aliases (SAP, Camunda).

A leaf: it imports nothing of Flowport, so the settings, the token service, the services and every
edge name permissions the same way.
"""

from __future__ import annotations

from collections.abc import Iterable

READ = (
    "definitions:read",
    "instances:read",
    "tasks:read",
)
WRITE = (
    "definitions:deploy",
    "definitions:delete",
    "instances:start",
    "instances:manage",
    "instances:delete",
    "tasks:assign",
    "tasks:complete",
    "messages:send",
    "signals:send",
    "jobs:work",
)
TOKENS_INTROSPECT = "tokens:introspect"  # RFC 7662 section 4: who may learn about others' tokens
ADMIN = (
    "metrics:read",
    TOKENS_INTROSPECT,
    "admin:clients",
    "admin:users",
    "admin:keys",
    "admin:environments",
    "admin:audit",
)
CATALOG: frozenset[str] = frozenset((*READ, *WRITE, *ADMIN))

PROFILES: dict[str, frozenset[str]] = {
    "ObjectRead": frozenset(READ),
    "ObjectReadWrite": frozenset((*READ, *WRITE)),
    "Worker": frozenset(("jobs:work", "definitions:read", "instances:read")),
    "Admin": CATALOG,
}

# Names other products use for the same rights, accepted wherever Flowport takes a permission.
ALIASES: dict[str, frozenset[str]] = {
    # SAP Workflow authorities
    "WORKFLOW_DEFINITION_GET": frozenset({"definitions:read"}),
    "WORKFLOW_DEFINITION_DEPLOY": frozenset({"definitions:deploy"}),
    "WORKFLOW_DEFINITION_UNDEPLOY": frozenset({"definitions:delete"}),
    "WORKFLOW_INSTANCE_START": frozenset({"instances:start"}),
    "WORKFLOW_INSTANCE_GET": frozenset({"instances:read"}),
    "WORKFLOW_INSTANCE_GET_CONTEXT": frozenset({"instances:read"}),
    "WORKFLOW_INSTANCE_UPDATE_CONTEXT": frozenset({"instances:manage"}),
    "WORKFLOW_INSTANCE_CANCEL": frozenset({"instances:manage"}),
    "WORKFLOW_INSTANCE_SUSPEND": frozenset({"instances:manage"}),
    "WORKFLOW_INSTANCE_RESUME": frozenset({"instances:manage"}),
    "WORKFLOW_INSTANCE_DELETE": frozenset({"instances:delete"}),
    "WORKFLOW_INSTANCE_GET_EXECUTION_LOGS": frozenset({"instances:read"}),
    "TASK_GET": frozenset({"tasks:read"}),
    "TASK_COMPLETE": frozenset({"tasks:complete"}),
    "TASK_UPDATE": frozenset({"tasks:assign"}),
    "MESSAGE_SEND": frozenset({"messages:send"}),
    "EVENT_SEND": frozenset({"signals:send"}),
    # Camunda 8 scopes
    "read:*": frozenset(READ),
    "write:*": frozenset((*READ, *WRITE)),
}

# Scope values that ask for the client's whole grant rather than naming part of it: OptimaJet's
# clients request ``scope=WorkflowApi`` (the name of its API resource).
WHOLE_GRANT_SCOPES = frozenset({"WorkflowApi"})


class UnknownPermission(ValueError):
    """A name that is neither a permission, a profile nor an alias."""


def expand(names: Iterable[str]) -> frozenset[str]:
    """Turn permissions, profile names and aliases into the set of catalog permissions they grant."""
    granted: set[str] = set()
    for name in names:
        if name in CATALOG:
            granted.add(name)
        elif name in PROFILES:
            granted |= PROFILES[name]
        elif name in ALIASES:
            granted |= ALIASES[name]
        else:
            raise UnknownPermission(f"Unknown permission, profile or alias: {name}")
    return frozenset(granted)


def grants(profile: str | None, extra: Iterable[str]) -> frozenset[str]:
    """What a client or user may do: its profile plus its extra permissions."""
    return expand([*([profile] if profile else []), *extra])


def known_grants(profile: str | None, extra: Iterable[str]) -> frozenset[str]:
    """Like :func:`grants`, but a stored name that no longer exists grants nothing instead of failing.

    A client's or user's row may name a profile or permission renamed since; failing every request
    of that account would be worse than dropping the one right it names.
    """
    names = [*([profile] if profile else []), *extra]
    return frozenset().union(*(expand([n]) for n in names if _known(n)))


def _known(name: str) -> bool:
    return name in CATALOG or name in PROFILES or name in ALIASES


def parse_scope(scope: str | None) -> list[str]:
    """Split an OAuth ``scope`` parameter (space-delimited, RFC 6749 section 3.3)."""
    return [s for s in (scope or "").split(" ") if s]

"""Who a request acts as, once authenticated."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: a client (machine), a user (session) or the open mode."""

    subject: str
    kind: str  # "client" | "user" | "static" | "external" | "open"
    env: str
    permissions: frozenset[str]
    visibility: str = "shared"
    groups: tuple[str, ...] = ()
    token_id: str | None = None
    client_id: str | None = None
    claims: dict[str, object] = field(default_factory=dict)

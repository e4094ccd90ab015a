"""One line per failure, whether a service raised it in-process or a server answered it (RFC 9457)."""

from __future__ import annotations

from flowport.cli import output
from flowport.client.errors import (
    ApiError,
    AuthenticationError,
    FlowportClientError,
    TransportError,
    Unauthorized,
)
from flowport.errors import FlowportError

# Problem fields that help to act on an error, with the words the line puts before their value.
_HINTS = {
    "line": "line",
    "elementId": "element",
    "missingPermission": "missing permission",
    "currentVersion": "current version",
    "jsonError": "JSON rule",
}


def describe(exc: FlowportError | FlowportClientError) -> str:
    """The title, the detail and the fields that say where or what (line, element, permission)."""
    if isinstance(exc, FlowportError):
        return output.problem(exc)
    if isinstance(exc, AuthenticationError):
        return f"The server refused the client credentials ({exc.error}): {exc.detail or exc.title}"
    if isinstance(exc, Unauthorized):
        reason = f" ({exc.error})" if exc.error else ""
        return (
            f"Not authorized{reason}: {exc.detail or exc.title}; give --client-id and --client-secret, "
            "or a profile from `flowport login`"
        )
    if isinstance(exc, ApiError):
        extra = {name: exc.problem[name] for name in _HINTS if exc.problem.get(name) is not None}
        hints = [f"{_HINTS[name]} {value}" for name, value in extra.items()]
        suffix = f" ({', '.join(hints)})" if hints else ""
        return f"{exc.title}: {exc.detail}{suffix}" if exc.detail else f"{exc.title}{suffix}"
    if isinstance(exc, TransportError):
        return f"Cannot reach the server: {exc}"
    return str(exc)

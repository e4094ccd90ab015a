"""Run the server with uvicorn (one process or several workers sharing the database)."""

from __future__ import annotations

import ipaddress
import json
import os
from pathlib import Path
from typing import Any

import uvicorn
from pydantic import SecretStr
from starlette.types import ASGIApp

from flowport.api.shutdown import BoundedShutdown
from flowport.config import Settings, load_settings

_ENV_SETTINGS = "FLOWPORT__SETTINGS_JSON"


def app_from_environment() -> ASGIApp:
    """uvicorn factory for worker processes: settings travel as JSON in the environment."""
    # lazy import: the supervisor process (`flowport serve`) never builds an app; only its workers do
    from flowport.api.app import create_app

    raw = os.environ.get(_ENV_SETTINGS)
    settings = Settings.model_validate_json(raw) if raw else load_settings()
    return BoundedShutdown(create_app(settings), deadline_seconds=settings.shutdown_timeout)


class OpenModeRefused(RuntimeError):
    """``open`` mode was asked to listen beyond the loopback interface without the explicit flag."""


def check_open_mode(settings: Settings) -> None:
    """Open mode (no authentication) may only listen on a loopback address unless explicitly forced."""
    if settings.auth.mode != "open" or settings.auth.allow_open_on_network:
        return
    try:
        loopback = ipaddress.ip_address(settings.host).is_loopback
    except ValueError:
        loopback = settings.host == "localhost"
    if not loopback:
        raise OpenModeRefused(
            f"Refusing to serve without authentication on {settings.host}: open mode is for local "
            "experiments. Bind to 127.0.0.1, use auth.mode = 'oauth', or set "
            "FLOWPORT_AUTH__ALLOW_OPEN_ON_NETWORK=true if you really mean it."
        )


def serve(settings: Settings) -> None:
    """Serve until interrupted; with ``workers > 1`` each worker runs its own scheduler.

    SIGTERM stops within about twice ``shutdown_timeout``: requests in flight get that long, then
    are cancelled, and the clean-up after them as long again (see :mod:`flowport.api.shutdown`).
    """
    check_open_mode(settings)
    os.environ[_ENV_SETTINGS] = json.dumps(_dump(settings))
    uvicorn.run(
        "flowport.api.server:app_from_environment",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=settings.log_level,
        server_header=False,
        access_log=settings.log_level == "debug",
        timeout_graceful_shutdown=settings.shutdown_timeout,
        **proxy_options(settings),
    )


def proxy_options(settings: Settings) -> dict[str, Any]:
    """Believe ``X-Forwarded-For``/``-Proto`` only from ``trusted_proxies`` (none by default).

    uvicorn's own default trusts loopback (or ``FORWARDED_ALLOW_IPS`` from the environment), which
    lets any local process pick its source address and so dodge the per-address lockout. Passing the
    list explicitly keeps that variable out of the decision, in every worker process.
    """
    trusted = list(settings.trusted_proxies)
    return {"proxy_headers": bool(trusted), "forwarded_allow_ips": trusted}


def _dump(settings: Settings) -> Any:
    """Settings as JSON-ready data with secrets revealed: they travel to our own worker processes."""
    return _reveal(settings.model_dump())


def _reveal(value: Any) -> Any:
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, dict):
        return {k: _reveal(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_reveal(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value

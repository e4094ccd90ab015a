"""Run the server with uvicorn (one process or several workers sharing the database)."""

from __future__ import annotations

import ipaddress
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from pydantic import SecretStr
from starlette.types import ASGIApp

from flowport.api.shutdown import BoundedShutdown
from flowport.config import Settings, load_settings
from flowport.persistence.private_files import make_private_dir

# Names the file, never holds the settings: secrets in the environment would reach every child process
# (the script sandbox's workers too) and anything that prints the environment.
_SETTINGS_FILE_VARIABLE = "FLOWPORT__SETTINGS_FILE"


def app_from_environment() -> ASGIApp:
    """uvicorn factory for worker processes: settings come from the private file the supervisor wrote."""
    # lazy import: the supervisor process (`flowport serve`) never builds an app; only its workers do
    from flowport.api.app import create_app

    path = os.environ.get(_SETTINGS_FILE_VARIABLE)
    settings = Settings.model_validate_json(Path(path).read_bytes()) if path else load_settings()
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
    options: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "log_level": settings.log_level,
        "server_header": False,
        "access_log": settings.log_level == "debug",
        "timeout_graceful_shutdown": settings.shutdown_timeout,
        **proxy_options(settings),
    }
    if settings.workers == 1:
        # lazy import: as in app_from_environment (the multi-worker supervisor never needs it)
        from flowport.api.app import create_app

        app = BoundedShutdown(create_app(settings), deadline_seconds=settings.shutdown_timeout)
        uvicorn.run(app, **options)
        return
    with _settings_file(settings) as path:
        os.environ[_SETTINGS_FILE_VARIABLE] = str(path)
        try:
            uvicorn.run(
                "flowport.api.server:app_from_environment", factory=True, workers=settings.workers, **options
            )
        finally:
            os.environ.pop(_SETTINGS_FILE_VARIABLE, None)


@contextmanager
def _settings_file(settings: Settings) -> Iterator[Path]:
    """The settings, secrets included, in a 0600 file of the private data directory for the workers.

    It stays while the server runs (uvicorn starts a new worker when one dies) and is removed after.
    """
    make_private_dir(settings.data_dir)
    fd, name = tempfile.mkstemp(prefix=".settings-", suffix=".json", dir=settings.data_dir)  # mode 0600
    path = Path(name)
    try:
        with os.fdopen(fd, "w") as file:
            json.dump(_dump(settings), file)
        yield path
    finally:
        path.unlink(missing_ok=True)


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

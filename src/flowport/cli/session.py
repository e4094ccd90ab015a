"""Settings, database and services for one command run; domain errors end it with a red line."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer
from pydantic import ValidationError
from sqlalchemy.exc import ArgumentError, OperationalError

from flowport.cli import output
from flowport.config import Settings, load_settings
from flowport.errors import FlowportError
from flowport.persistence.db import Database, open_database
from flowport.services.build import build_services
from flowport.services.context import Actor, Services
from flowport.services.environments import ensure_default

CLI_ACTOR = Actor(subject="cli")


@dataclass(frozen=True)
class CliState:
    """What the global options decided (kept on the typer context)."""

    config_file: Path | None = None


def settings(ctx: typer.Context, **overrides: Any) -> Settings:
    """Effective settings: overrides, then FLOWPORT_* variables, then the TOML file."""
    state = ctx.find_object(CliState) or CliState()
    try:
        return load_settings(state.config_file, **overrides)
    except FileNotFoundError as exc:
        output.error(str(exc))
        raise typer.Exit(2) from None
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        output.error(f"Invalid configuration: {problems}")
        raise typer.Exit(1) from None


@contextmanager
def reported() -> Iterator[None]:
    """Turn domain errors and an unusable database into a one-line message and exit code 1."""
    try:
        yield
    except FlowportError as exc:
        output.error(output.problem(exc))
        raise typer.Exit(1) from None
    except ArgumentError as exc:
        output.error(f"Invalid database URL: {exc}")
        raise typer.Exit(1) from None
    except OperationalError as exc:
        output.error(f"The database is not available: {exc.orig}")
        raise typer.Exit(1) from None


@contextmanager
def database(config: Settings) -> Iterator[Database]:
    """The database for ``config``, disposed at the end; errors inside are reported."""
    with reported():
        db = open_database(config.effective_database_url)
        try:
            yield db
        finally:
            db.dispose()


@contextmanager
def open_services(ctx: typer.Context, *, auth: bool = False) -> Iterator[Services]:
    """Services on the configured database, its schema brought up to date first.

    ``auth=True`` also makes sure the ``default`` environment exists, for commands that manage
    clients, users or environments.
    """
    config = settings(ctx)
    with reported():
        services = build_services(config)
        try:
            if auth:
                ensure_default(services)
            yield services
        finally:
            services.close()

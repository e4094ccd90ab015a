"""What one command run works on: the local database's services, or a server through the SDK.

The global options (``--url``, ``--client-id``, ``--client-secret``, ``--profile``) decide it once;
``workflow`` and ``accounts`` hand a command the matching implementation, and every failure ends
the run with one red line on stderr and exit code 1.
"""

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
from flowport.cli.failures import describe
from flowport.cli.local_accounts import LocalAccounts
from flowport.cli.local_workflow import LocalWorkflow
from flowport.cli.profiles import ProfileError
from flowport.cli.remote_accounts import RemoteAccounts
from flowport.cli.remote_workflow import RemoteWorkflow
from flowport.cli.target import Target, resolve
from flowport.cli.workflow import Accounts, Workflow
from flowport.client import Client
from flowport.client.errors import FlowportClientError
from flowport.config import Settings, load_settings
from flowport.errors import FlowportError
from flowport.persistence.db import Database, open_database
from flowport.services.build import build_services
from flowport.services.context import Services
from flowport.services.environments import ensure_default


@dataclass(frozen=True, repr=False)
class CliState:
    """What the global options decided (kept on the typer context); the secret is never printed."""

    config_file: Path | None = None
    url: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    profile: str | None = None
    as_json: bool = False

    def __repr__(self) -> str:
        return f"CliState(url={self.url!r}, client_id={self.client_id!r}, profile={self.profile!r})"

    @property
    def remote(self) -> bool:
        return self.url is not None or self.profile is not None


def state(ctx: typer.Context) -> CliState:
    return ctx.find_object(CliState) or CliState()


def as_json(ctx: typer.Context) -> bool:
    """``--json``: one JSON document on stdout and nothing else there."""
    return state(ctx).as_json


def settings(ctx: typer.Context, **overrides: Any) -> Settings:
    """Effective settings: overrides, then FLOWPORT_* variables, then the TOML file.

    Only the commands on this machine's database and configuration read them, so asking for them
    with a server given is a mistake worth one clear line.
    """
    current = state(ctx)
    if current.remote:
        name = ctx.command_path.removeprefix(f"{ctx.find_root().info_name} ")
        output.error(
            f"`flowport {name}` works on this machine's database and configuration: "
            "run it without --url or --profile (unset FLOWPORT_URL and FLOWPORT_PROFILE)."
        )
        raise typer.Exit(2)
    try:
        return load_settings(current.config_file, **overrides)
    except FileNotFoundError as exc:
        output.error(str(exc))
        raise typer.Exit(2) from None
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        output.error(f"Invalid configuration: {problems}")
        raise typer.Exit(1) from None


@contextmanager
def reported() -> Iterator[None]:
    """Turn domain and API errors, bad profiles and an unusable database into one line and exit 1."""
    try:
        yield
    except (FlowportError, FlowportClientError) as exc:
        output.error(describe(exc))
        raise typer.Exit(1) from None
    except ProfileError as exc:
        output.error(str(exc))
        raise typer.Exit(1) from None
    except ArgumentError as exc:
        output.error(f"Invalid database URL: {exc}")
        raise typer.Exit(1) from None
    except OperationalError as exc:
        output.error(f"The database is not available: {exc.orig}")
        raise typer.Exit(1) from None


def target(ctx: typer.Context) -> Target | None:
    """The server the options name (None: work in-process); a bad profile ends the run."""
    current = state(ctx)
    with reported():
        return resolve(current.url, current.client_id, current.client_secret, current.profile)


@contextmanager
def remote_client(server: Target) -> Iterator[Client]:
    with reported(), server.connect() as client:
        yield client


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


@contextmanager
def workflow(ctx: typer.Context) -> Iterator[Workflow]:
    """Definitions, instances, tasks and jobs: of the server given, else of the local database."""
    server = target(ctx)
    if server is None:
        with open_services(ctx) as services:
            yield LocalWorkflow(services)
    else:
        with remote_client(server) as client:
            yield RemoteWorkflow(client)


@contextmanager
def accounts(ctx: typer.Context) -> Iterator[Accounts]:
    """Clients, users, environments, keys and audit: the server's admin API, else the local database."""
    server = target(ctx)
    if server is None:
        with open_services(ctx, auth=True) as services:
            yield LocalAccounts(services)
    else:
        with remote_client(server) as client:
            yield RemoteAccounts(client)

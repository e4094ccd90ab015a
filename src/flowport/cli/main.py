"""The ``flowport`` command: global options, ``config show`` and the sub-commands' registration."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flowport import __version__
from flowport.cli import (
    audit,
    clients,
    definitions,
    environments,
    initialize,
    instances,
    jobs,
    keys,
    login,
    output,
    session,
    tasks,
    users,
    worker,
)
from flowport.cli.serve import serve
from flowport.cli.session import CliState, settings
from flowport.config import masked

app = typer.Typer(
    name="flowport",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals hold settings, and settings hold secrets
)
config_app = typer.Typer(help="The effective configuration.", no_args_is_help=True)

app.command("serve")(serve)
app.command("init")(initialize.init)
app.command("migrate")(initialize.migrate_command)
app.add_typer(config_app, name="config")
app.command("deploy")(definitions.deploy)
app.add_typer(definitions.app, name="definitions")
app.add_typer(instances.app, name="instances")
app.add_typer(tasks.app, name="tasks")
app.add_typer(jobs.app, name="jobs")
app.add_typer(clients.app, name="clients")
app.add_typer(environments.app, name="env")
app.add_typer(users.app, name="users")
app.add_typer(audit.app, name="audit")
app.add_typer(keys.app, name="keys")
app.add_typer(worker.app, name="worker")
app.command("login")(login.login)


REMOTE = "Remote server"


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"flowport {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            envvar="FLOWPORT_CONFIG",
            exists=True,
            dir_okay=False,
            help="TOML settings file (default: ./flowport.toml if present).",
        ),
    ] = None,
    url: Annotated[
        str | None,
        typer.Option(
            "--url",
            envvar="FLOWPORT_URL",
            help="Work on the Flowport server at this URL instead of the local database.",
            rich_help_panel=REMOTE,
        ),
    ] = None,
    client_id: Annotated[
        str | None,
        typer.Option(
            "--client-id", envvar="FLOWPORT_CLIENT_ID", help="OAuth client id.", rich_help_panel=REMOTE
        ),
    ] = None,
    client_secret: Annotated[
        str | None,
        typer.Option(
            "--client-secret",
            envvar="FLOWPORT_CLIENT_SECRET",
            show_envvar=True,
            help="OAuth client secret (prefer the variable or a profile: others can read command lines).",
            rich_help_panel=REMOTE,
        ),
    ] = None,
    profile: Annotated[
        str | None,
        typer.Option(
            "--profile",
            envvar="FLOWPORT_PROFILE",
            help="A server and credentials saved by `flowport login` (~/.config/flowport/credentials.toml).",
            rich_help_panel=REMOTE,
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON document (the API's shape) instead of tables.")
    ] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Flowport: a self-hosted BPMN 2.0 workflow server.

    Commands act on the configured database (no server needs to run), or on a server with --url.
    """
    ctx.obj = CliState(
        config_file=config,
        url=url,
        client_id=client_id,
        client_secret=client_secret,
        profile=profile,
        as_json=as_json,
    )


@config_app.command("show")
def config_show(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Show the effective settings (file, environment, defaults); secrets are masked."""
    effective = settings(ctx)
    values = {**masked(effective), "effective_public_url": effective.effective_public_url}
    if as_json or session.as_json(ctx):
        output.json_plain(values)
        return
    grid = output.table("Setting", "Value")
    for name, value in values.items():
        output.add_row(grid, name, "(not set)" if value is None else value)
    output.console().print(grid)


def main() -> None:
    """Entry point of the ``flowport`` script and ``python -m flowport``."""
    app(prog_name="flowport")

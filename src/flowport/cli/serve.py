"""``flowport serve``: run the HTTP server after a banner with the addresses to open."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from flowport import __version__
from flowport.api import server
from flowport.cli import output
from flowport.cli.session import reported, settings
from flowport.config import Settings, masked
from flowport.services.bootstrap import AdminCredentials, bootstrap
from flowport.services.build import build_services

_READ_TOKEN = "'import json,sys; print(json.load(sys.stdin)[\"access_token\"])'"
_WILDCARD_HOSTS = {"0.0.0.0": "127.0.0.1", "::": "[::1]", "": "127.0.0.1"}


def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Address to listen on (default: 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(min=0, max=65535, help="Port (default: 8077).")] = None,
    workers: Annotated[int | None, typer.Option(min=1, max=64, help="Worker processes (default: 1).")] = None,
    data_dir: Annotated[
        Path | None, typer.Option(file_okay=False, help="Data directory (default: ./data).")
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            help="SQLAlchemy URL (default: SQLite in the data directory). "
            "Prefer FLOWPORT_DATABASE_URL for URLs with a password (others can read the command line)."
        ),
    ] = None,
    deploy_examples: Annotated[
        bool | None,
        typer.Option(
            "--deploy-examples/--no-deploy-examples", help="Deploy the bundled example processes at start."
        ),
    ] = None,
    demo: Annotated[
        bool,
        typer.Option("--demo", help="Create the demo/demo user with broad rights (never in production)."),
    ] = False,
) -> None:
    """Serve the REST API, docs and scheduler until interrupted (Ctrl+C)."""
    given: dict[str, Any] = {
        "host": host,
        "port": port,
        "workers": workers,
        "data_dir": data_dir,
        "database_url": database_url,
        "deploy_examples": deploy_examples,
        "demo": True if demo else None,
    }
    config = settings(ctx, **{name: value for name, value in given.items() if value is not None})
    try:
        server.check_open_mode(config)
    except server.OpenModeRefused as exc:
        output.error(str(exc))
        raise typer.Exit(1) from exc
    admin = _prepare(config)
    banner(config, admin)
    server.serve(config)


def _prepare(config: Settings) -> AdminCredentials | None:
    """Migrate and bootstrap before the workers start, so the first admin is shown once, here."""
    with reported():
        services = build_services(config)
        try:
            return bootstrap(services)
        finally:
            services.close()


def _token_help(config: Settings, base: str, admin: AdminCredentials | None) -> None:
    """How to get an access token: the first admin's credentials (once), then the curl call."""
    console = output.console()
    if config.auth.mode == "open":
        output.line("OPEN MODE: no credentials needed (local experiments only).", "bold red")
        return
    if config.auth.mode == "external":
        output.line("External mode: send a JWT from one of the configured issuers as a Bearer token.", "bold")
        return
    if admin is not None and admin.secret_generated:
        console.print(Text("First start: an admin client was created. Its secret is shown only now.", "bold"))
        console.print(Text(f"  client id:     {admin.client_id}", style="green"))
        console.print(Text(f"  client secret: {admin.client_secret}", style="green"), soft_wrap=True)
        client_id, client_secret = admin.client_id, admin.client_secret
    else:
        client_id, client_secret = "<client id>", "<client secret>"
        output.line(
            "Get a token with a client's id and secret (`flowport clients create NAME` makes a client).",
            "bold",
        )
    console.print(Text("Get an access token:", style="bold"))
    console.print(
        Text(
            f"TOKEN=$(curl -s -u '{client_id}:{client_secret}' -d grant_type=client_credentials "
            f"{base}/connect/token | python3 -c {_READ_TOKEN})"
        ),
        soft_wrap=True,
    )


def browse_url(config: Settings) -> str:
    """Where a browser on this machine reaches the server (a wildcard bind is not an address to open)."""
    if config.public_url is None and config.host in _WILDCARD_HOSTS:
        return f"http://{_WILDCARD_HOSTS[config.host]}:{config.port}"
    return config.effective_public_url


def banner(config: Settings, admin: AdminCredentials | None = None) -> None:
    base = browse_url(config)
    links = Table.grid(padding=(0, 2))
    links.add_column(style="bold")
    links.add_column()
    for label, path in (
        ("Console", "/console"),
        ("API", "/api/v1"),
        ("Docs", "/docs"),
        ("OpenAPI", "/openapi.json"),
        ("Health", "/healthz"),
        ("Metrics", "/metrics"),
    ):
        links.add_row(label, Text(base + path, style="cyan"))
    links.add_row("Database", Text(str(masked(config)["effective_database_url"])))
    links.add_row("Workers", str(config.workers))
    console = output.console()
    console.print(Panel(links, title=f"Flowport {__version__}", title_align="left", expand=False))
    if config.auth.mode == "oauth":
        output.line(
            f"Web console: {base}/console (log in as a user: `flowport users create NAME --profile Admin`)",
            "bold",
        )
    _token_help(config, base, admin)
    body = json.dumps({"definitionKey": "approval", "variables": {"request": "New laptop"}})
    console.print(Text("Start the bundled approval example:", style="bold"))
    auth = "" if config.auth.mode == "open" else ' -H "Authorization: Bearer $TOKEN"'
    console.print(
        Text(
            f"curl -X POST {base}/api/v1/process-instances{auth} -H 'Content-Type: application/json' "
            f"-d '{body}'"
        ),
        soft_wrap=True,
    )
    if not config.deploy_examples:
        output.line(
            "(if it is not deployed yet: run `flowport init` once, or serve with --deploy-examples)", "dim"
        )
    console.file.flush()

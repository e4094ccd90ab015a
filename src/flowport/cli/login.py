"""``flowport login``: check a server's client credentials and save them as a named profile."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from flowport.cli import output, session
from flowport.cli.profiles import DEFAULT_PROFILE, Profile, save
from flowport.cli.target import Target, check_url


def login(
    ctx: typer.Context,
    url: Annotated[str | None, typer.Option("--url", help="The server (asked for when not given).")] = None,
    client_id: Annotated[
        str | None, typer.Option("--client-id", help="OAuth client id (asked for when not given).")
    ] = None,
    client_secret: Annotated[
        str | None,
        typer.Option(
            "--client-secret",
            help="Asked for, without echo, when not given (prefer that: others can read command lines).",
        ),
    ] = None,
    profile: Annotated[
        str | None, typer.Option("--profile", help=f"Save under this name (default: {DEFAULT_PROFILE}).")
    ] = None,
) -> None:
    """Get a token with the client's credentials, then save them in ~/.config/flowport/credentials.toml.

    Later commands use them with --profile NAME, or with --url naming the same server (the
    `default` profile). The file is readable by you only (mode 0600).
    """
    given = session.state(ctx)  # `flowport --url ... login` works as well as `flowport login --url ...`
    url = url or given.url or typer.prompt("Server URL")
    client_id = client_id or given.client_id or typer.prompt("Client id")
    secret = client_secret or given.client_secret or _ask_secret()
    name = profile or given.profile or DEFAULT_PROFILE
    if not secret:
        output.error("No client secret given: nothing was saved.")
        raise typer.Exit(1)
    with session.reported():
        check_url(url)
        server = Target(url.rstrip("/"), client_id, secret)
        with server.connect() as client:
            client.access_token()  # refused credentials end here, before anything is saved
        path = save(name, Profile(server.url, client_id, secret))
    if session.as_json(ctx):
        output.json_plain({"profile": name, "url": server.url, "clientId": client_id, "file": str(path)})
        return
    output.success(f"Logged in to {server.url} as {client_id}; saved as profile '{name}' in {path}.")
    if name != DEFAULT_PROFILE:
        output.line(f"Use it with: flowport --profile {name} instances list", "dim")


def _ask_secret() -> str:
    """Without echo on a terminal; piped in (``... | flowport login``), the first line of stdin."""
    if sys.stdin.isatty():
        secret: str = typer.prompt("Client secret", hide_input=True)
        return secret
    return sys.stdin.readline().rstrip("\r\n")

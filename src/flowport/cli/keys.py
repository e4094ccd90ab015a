"""``flowport keys``: the token service's signing keys (list, rotate)."""

from __future__ import annotations

import typer

from flowport.cli import output, session

app = typer.Typer(help="Signing keys of the token service.", no_args_is_help=True)


@app.command("list")
def list_keys(ctx: typer.Context) -> None:
    """List signing keys: which one signs, and until when retired ones stay in the JWKS."""
    with session.accounts(ctx) as accounts:
        keys = accounts.keys()
    if session.as_json(ctx):
        output.records(keys)
        return
    grid = output.table("Kid", "Alg", "Created", "Active", "Published until")
    for key in keys:
        until = "(while active)" if key.active else output.when(key.publish_until)
        if not key.published:
            until = f"{until} (no longer published)"
        output.add_row(
            grid, key.kid, key.alg, output.when(key.created_at), "yes" if key.active else "", until
        )
    output.show(grid, "No signing keys yet: they are created on first start.")


@app.command("rotate")
def rotate(ctx: typer.Context) -> None:
    """Publish a new signing key and switch to it; the old one stays published until its tokens expire.

    The new key uses auth.signing_alg (RS256, ES256 or EdDSA); changing that setting rotates
    automatically at the next start.
    """
    with session.accounts(ctx) as accounts:
        key = accounts.rotate_key()
    if session.as_json(ctx):
        output.record(key)
        return
    output.success(f"New signing key {key.kid} ({key.alg}); running servers switch to it within 10 s.")

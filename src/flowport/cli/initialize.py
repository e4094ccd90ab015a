"""``flowport init`` and ``flowport migrate``: set up the data directory and the database schema."""

from __future__ import annotations

import typer

from flowport.cli import output
from flowport.cli.session import database, settings
from flowport.config import masked
from flowport.persistence import migrate
from flowport.persistence.private_files import make_private_dir
from flowport.services import examples
from flowport.services.build import build_services


def init(ctx: typer.Context) -> None:
    """Create the data directory and database, apply migrations, deploy the bundled examples."""
    config = settings(ctx)
    data_dir = config.data_dir.resolve()
    existed = data_dir.is_dir()
    try:
        make_private_dir(data_dir)
    except OSError as exc:
        output.error(f"Cannot create the data directory {data_dir}: {exc.strerror or exc}")
        raise typer.Exit(1) from None
    output.success(f"Data directory {data_dir} ({'already there' if existed else 'created'})")
    with database(config) as db:
        before = migrate.current_revision(db)
        services = build_services(config, db=db)  # migrates
        try:
            after = migrate.current_revision(db)
            deployed = examples.deploy_examples(services)
        finally:
            services.close()
    output.success(f"Database {masked(config)['effective_database_url']}")
    output.success(f"Schema {_change(before, after)}")
    grid = output.table("Example", "Version", "Id", "Created", title="Bundled examples")
    for item in deployed:
        row = item.definition
        output.add_row(grid, row.key, row.version, row.id, "yes" if item.created else "no (already deployed)")
    output.show(grid, "No bundled examples found.")
    output.line(f"Next: `flowport serve`, then open {config.effective_public_url}/docs", "bold")


def migrate_command(ctx: typer.Context) -> None:
    """Apply the database migrations and print the schema revision."""
    config = settings(ctx)
    with database(config) as db:
        before = migrate.current_revision(db)
        migrate.upgrade(db)
        after = migrate.current_revision(db)
    output.success(f"Database {masked(config)['effective_database_url']}")
    output.success(f"Schema {_change(before, after)}")


def _change(before: str | None, after: str | None) -> str:
    if before == after:
        return f"at revision {after} (already up to date)"
    return f"upgraded from {before or 'empty'} to revision {after}"

"""Build the services of one process (the app's lifespan, a CLI command): one way, in one place."""

from __future__ import annotations

from flowport.auth import runtime
from flowport.config import Settings
from flowport.engine.runtime import Engine as BpmnEngine
from flowport.persistence import migrate
from flowport.persistence.db import Database, open_database
from flowport.services.context import Services
from flowport.services.metrics import Metrics


def build_services(
    settings: Settings, *, db: Database | None = None, metrics: Metrics | None = None
) -> Services:
    """Open the database (unless given), bring its schema up to date, build the engine and token service.

    Call :meth:`Services.close` when done; it also disposes of the database.
    """
    db = db if db is not None else open_database(settings.effective_database_url)
    try:
        migrate.upgrade(db)
        auth = runtime.build(settings, db)
    except BaseException:
        db.dispose()
        raise
    engine = BpmnEngine(script_time_limit=settings.script_time_limit, script_workers=settings.script_workers)
    return Services(settings=settings, db=db, engine=engine, auth=auth, metrics=metrics or Metrics())

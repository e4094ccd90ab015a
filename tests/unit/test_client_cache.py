"""The token endpoint's client cache: fresh within its time to live, forgotten on local writes."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from flowport.auth.client_cache import ClientCache
from flowport.persistence import migrate
from flowport.persistence.db import Database, open_database, write_transaction
from flowport.persistence.repositories import clients as client_repo


def _engine(tmp_path: Path) -> Database:
    engine = open_database(f"sqlite:///{tmp_path / 'flowport.db'}")
    migrate.upgrade(engine)
    with write_transaction(engine) as conn:
        conn.exec_driver_sql("INSERT INTO environments (name, created_at) VALUES ('default', '2026-01-01')")
    return engine


def _insert(engine: Database, client_id: str) -> None:
    with write_transaction(engine) as conn:
        client_repo.insert_client(
            conn,
            id=client_id,
            env="default",
            name=client_id,
            profile="ObjectRead",
            permissions=[],
            audiences=[],
            token_lifetime=3600,
            refresh_tokens=False,
            visibility="shared",
            enabled=True,
            secret_hash="x",
            previous_secret_hash=None,
            previous_secret_expires_at=None,
            jwks=None,
            source="api",
            created_at=datetime.now(UTC),
            last_used_at=None,
        )


def _disable(engine: Database, client_id: str) -> None:
    with write_transaction(engine) as conn:
        client_repo.update_client(conn, client_id, enabled=False)


def test_changes_by_another_process_show_within_the_ttl(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    other_process = open_database(str(engine.url))  # its own engine: writes this cache is not told of
    cache = ClientCache(engine, ttl=0.3)
    assert cache.get("app") is None  # unknown, and remembered as unknown for a moment
    _insert(other_process, "app")
    assert cache.get("app") is None
    time.sleep(0.35)
    row = cache.get("app")
    assert row is not None and row.enabled
    _disable(other_process, "app")
    assert cache.get("app").enabled  # type: ignore[union-attr]
    time.sleep(0.35)
    assert cache.get("app").enabled is False  # type: ignore[union-attr]
    other_process.dispose()
    engine.dispose()


def test_a_change_made_through_this_process_is_visible_at_once(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    cache = ClientCache(engine, ttl=60)
    _insert(engine, "app")
    assert cache.get("app").enabled  # type: ignore[union-attr]
    _disable(engine, "app")  # the repository forgets the cached row when the write commits
    assert cache.get("app").enabled is False  # type: ignore[union-attr]
    engine.dispose()

"""Two processes migrating one new SQLite file at the same moment: the second waits, neither fails."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from sqlalchemy import text

from flowport.persistence import migrate
from flowport.persistence.db import open_database, write_transaction


def test_migration_waits_for_another_writer_instead_of_failing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'flowport.db'}"
    other, ours = open_database(url), open_database(url)  # two engines: as two processes would have
    holding = threading.Event()

    def another_process_writes() -> None:
        with write_transaction(other) as conn:
            conn.execute(text("CREATE TABLE unrelated (id INTEGER PRIMARY KEY)"))
            holding.set()
            time.sleep(0.5)  # still holding SQLite's write lock while we start migrating

    writer = threading.Thread(target=another_process_writes)
    writer.start()
    assert holding.wait(5)
    try:
        migrate.upgrade(ours)  # a deferred transaction would read, then fail to write: "locked"
    finally:
        writer.join()
    assert migrate.is_current(ours)
    other.dispose()
    ours.dispose()

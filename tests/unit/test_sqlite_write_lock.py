"""Writers of several processes on one SQLite file queue on a lock file instead of SQLite's busy polling."""

from __future__ import annotations

import fcntl
import os
import stat
import threading
from pathlib import Path

from sqlalchemy import text

from flowport.persistence.db import WriteActivity, longest_write, open_database, write_transaction


def test_a_writer_waits_for_another_process_holding_the_lock_file(tmp_path: Path) -> None:
    database = tmp_path / "flowport.db"
    engine = open_database(f"sqlite:///{database}")
    with write_transaction(engine) as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    lock_file = Path(f"{database}.lock")
    assert stat.S_IMODE(lock_file.stat().st_mode) == 0o600

    other_process = os.open(lock_file, os.O_RDWR)  # another open file description: as another process
    fcntl.flock(other_process, fcntl.LOCK_EX)
    entered = threading.Event()

    def write() -> None:
        with write_transaction(engine) as conn:
            entered.set()
            conn.execute(text("INSERT INTO t VALUES (1)"))

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert not entered.wait(0.3)  # queued behind the other process
        assert longest_write(engine) is not None  # waiting counts: readiness sees the stuck writer
    finally:
        fcntl.flock(other_process, fcntl.LOCK_UN)
        os.close(other_process)
    writer.join(5)
    assert entered.is_set()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 1
    assert longest_write(engine) is None
    engine.dispose()


def test_write_activity_reports_the_oldest_unfinished_write() -> None:
    now = [100.0]
    activity = WriteActivity(clock=lambda: now[0])
    assert activity.longest() is None
    with activity.track():
        now[0] = 105.0
        with activity.track():
            now[0] = 112.0
            assert activity.longest() == 12.0
        assert activity.longest() == 12.0
    assert activity.longest() is None

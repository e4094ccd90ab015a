"""Database engine set-up: SQLite (WAL, durable commits, immediate write transactions) or PostgreSQL."""

from __future__ import annotations

import fcntl
import itertools
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.pool import QueuePool

from flowport.persistence.private_files import FILE_MODE, create_private_file, make_private_dir

WRITE = {"flowport_write": True}


def make_engine(url: str, *, pool_size: int = 8) -> Engine:
    """Create the SQLAlchemy engine for ``url`` with Flowport's durability and concurrency settings."""
    if url.startswith("sqlite"):
        engine = _sqlite_engine(url, pool_size)
    else:
        engine = create_engine(
            url,
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_pre_ping=True,
            future=True,
        )
    _WRITES[engine] = WriteActivity()
    return engine


def _sqlite_engine(url: str, pool_size: int) -> Engine:
    database = url.split("///", 1)[1] if "///" in url else ""
    file_backed = bool(database) and database != ":memory:" and "mode=memory" not in url
    if file_backed and not database.startswith("file:"):
        make_private_dir(Path(database).parent)
        create_private_file(Path(database))
    engine = create_engine(
        url,
        poolclass=QueuePool,
        pool_size=pool_size,
        max_overflow=pool_size,
        connect_args={"check_same_thread": False, "timeout": 30},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself, so writes can take the lock up front.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")  # durable: an acknowledged commit survives power loss
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    _WRITE_LOCKS[engine] = SqliteWriteLock(Path(database + ".lock") if file_backed else None)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A deferred transaction that later writes can fail with SQLITE_BUSY no matter the timeout;
        # write use cases take the write lock at BEGIN and queue on busy_timeout instead.
        write = conn.get_execution_options().get("flowport_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """One unit of work that changes data: commits once on success, rolls back on error.

    Callbacks registered with :func:`after_commit` run once the commit succeeded.
    """
    lock = _WRITE_LOCKS.get(engine)
    activity = _WRITES.get(engine)
    with (
        activity.track() if activity is not None else nullcontext(),
        lock or nullcontext(),
        engine.connect().execution_options(**WRITE) as conn,
    ):
        with conn.begin():
            yield conn
        callbacks = conn.info.pop(_AFTER_COMMIT, [])
        for callback in callbacks:
            callback()


_AFTER_COMMIT = "flowport_after_commit"


class SqliteWriteLock:
    """SQLite has one writer at a time: writers queue here instead of polling in SQLite's busy handler.

    The busy handler sleeps in steps of up to 100 ms; it made p99 latency about a second with
    several threads, and made two worker processes wait on each other in sleeps. Threads of one
    process queue on a mutex; processes (workers, the CLI) on an exclusive ``flock`` of a lock file
    next to the database, which wakes the next waiter as soon as it is released.
    """

    def __init__(self, lock_file: Path | None) -> None:
        self._mutex = threading.Lock()
        self._lock_file = lock_file
        self._fd: int | None = None

    def __enter__(self) -> None:
        self._mutex.acquire()
        try:
            if self._lock_file is not None:
                if self._fd is None:
                    self._fd = os.open(self._lock_file, os.O_RDWR | os.O_CREAT, FILE_MODE)
                    weakref.finalize(self, os.close, self._fd)
                fcntl.flock(self._fd, fcntl.LOCK_EX)  # waits without holding the GIL
        except BaseException:
            self._mutex.release()
            raise

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._mutex.release()


_WRITE_LOCKS: weakref.WeakKeyDictionary[Engine, SqliteWriteLock] = weakref.WeakKeyDictionary()


class WriteActivity:
    """When this process's unfinished write transactions began (waiting for the write lock or holding it).

    A write that has been going for long means the writer is stuck: on SQLite it holds the one
    write lock (or waits behind another process holding it), on PostgreSQL it waits on a row lock
    or a dead connection. Readiness reports it, so a load balancer stops sending work here.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._started: dict[int, float] = {}
        self._ids = itertools.count()

    @contextmanager
    def track(self) -> Iterator[None]:
        key = next(self._ids)
        with self._lock:
            self._started[key] = self._clock()
        try:
            yield
        finally:
            with self._lock:
                del self._started[key]

    def longest(self) -> float | None:
        """Seconds the oldest unfinished write transaction has been going; None when there is none."""
        with self._lock:
            oldest = min(self._started.values(), default=None)
        return None if oldest is None else self._clock() - oldest


_WRITES: weakref.WeakKeyDictionary[Engine, WriteActivity] = weakref.WeakKeyDictionary()


def longest_write(engine: Engine) -> float | None:
    """Seconds the oldest unfinished write transaction of this process has been going, if any."""
    activity = _WRITES.get(engine)
    return activity.longest() if activity is not None else None


def after_commit(conn: Connection, callback: Callable[[], None]) -> None:
    """Run ``callback`` after the surrounding write transaction commits (never on rollback)."""
    conn.info.setdefault(_AFTER_COMMIT, []).append(callback)


@contextmanager
def read_transaction(engine: Engine) -> Iterator[Connection]:
    """A consistent read-only view."""
    with engine.connect() as conn, conn.begin():
        yield conn


def ping(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))

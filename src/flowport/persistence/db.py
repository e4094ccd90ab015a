"""The database of one process: SQLite (WAL, durable commits, immediate write transactions) or PostgreSQL."""

from __future__ import annotations

import fcntl
import itertools
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

from sqlalchemy import URL, Connection, Engine, create_engine, event, text
from sqlalchemy.pool import QueuePool

from flowport.persistence.conflicts import refused_values, violations_as_conflict
from flowport.persistence.private_files import FILE_MODE, create_private_file, make_private_dir

WRITE = {"flowport_write": True}
_AFTER_COMMIT = "flowport_after_commit"
_DATABASE = "flowport_database"


class WakeUp(Protocol):
    """A wake-up call that commits send to a sleeper (the scheduler re-plans its sleep at once).

    In one process a :class:`threading.Event` implements it. Across processes, PostgreSQL
    ``LISTEN``/``NOTIFY`` can implement it later; until then another process notices new timers
    within its scheduler's ``max_sleep``.
    """

    def set(self) -> None: ...

    def clear(self) -> None: ...

    def wait(self, timeout: float | None = None) -> bool: ...


class ChangeNotices:
    """What this process's commits tell the rest of the process: timers changed, a client row changed."""

    def __init__(self) -> None:
        self.timers: WakeUp = threading.Event()
        self._client_listeners: list[Callable[[str], None]] = []

    def on_client_changed(self, listener: Callable[[str], None]) -> None:
        """Call ``listener(client_id)`` after each commit that changed that client's row."""
        self._client_listeners.append(listener)

    def client_changed(self, client_id: str) -> None:
        for listener in list(self._client_listeners):
            listener(client_id)


class Database:
    """The database of one process: the engine, its write lock, write tracking and change notices.

    Built once per app (lifespan) or CLI command by :func:`open_database`; nothing about it lives
    in module state, so two apps in one process (tests) never share a lock or a notice.
    """

    def __init__(self, engine: Engine, write_lock: AbstractContextManager[None] | None = None) -> None:
        self.engine = engine
        self._write_lock: AbstractContextManager[None] = write_lock or nullcontext()
        self.writes = WriteActivity()
        self.changes = ChangeNotices()

    @property
    def url(self) -> URL:
        return self.engine.url

    def connect(self) -> Connection:
        """A plain connection (no transaction discipline): for probes and tests."""
        return self.engine.connect()

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """One pooled connection for a use case that reads, then writes: one checkout, not two."""
        with self.engine.connect() as conn:
            yield conn

    @contextmanager
    def write(self, on: Connection | None = None) -> Iterator[Connection]:
        """One unit of work that changes data: commits once on success, rolls back on error.

        Callbacks registered with :func:`after_commit` run once the commit succeeded. ``on`` is a
        connection from :meth:`connection` to reuse (it must be outside a transaction).
        """
        with self.writes.track(), self._write_lock, self._writing(on) as conn:
            conn.info[_DATABASE] = self
            try:
                # Also at COMMIT: services never handle SQLAlchemy's IntegrityError.
                with violations_as_conflict("The change"), conn.begin():
                    yield conn
            except BaseException:
                # ``info`` belongs to the pooled DBAPI connection: callbacks of a rolled-back
                # transaction must not run after the next commit made on it.
                conn.info.pop(_AFTER_COMMIT, None)
                raise
            finally:
                conn.info.pop(_DATABASE, None)
            for callback in conn.info.pop(_AFTER_COMMIT, []):
                callback()

    @contextmanager
    def read(self, on: Connection | None = None) -> Iterator[Connection]:
        """A consistent read-only view (on ``on``, a connection from :meth:`connection`, if given)."""
        connected = nullcontext(on) if on is not None else self.engine.connect()
        with connected as conn, conn.begin(), refused_values():
            yield conn

    @contextmanager
    def _writing(self, on: Connection | None) -> Iterator[Connection]:
        """A connection whose next BEGIN takes the write lock (SQLite: BEGIN IMMEDIATE)."""
        if on is None:
            with self.engine.connect().execution_options(**WRITE) as conn:
                yield conn
            return
        on.execution_options(**WRITE)  # changes ``on`` in place: set for this transaction only
        try:
            yield on
        finally:
            on.execution_options(flowport_write=False)

    def longest_write(self) -> float | None:
        """Seconds the oldest unfinished write transaction of this process has been going, if any."""
        return self.writes.longest()

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str, *, pool_size: int = 8) -> Database:
    """The database at ``url`` with Flowport's durability and concurrency settings."""
    if url.startswith("sqlite"):
        engine, lock = _sqlite_engine(url, pool_size)
        return Database(engine, lock)
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        future=True,
    )
    return Database(engine)


def _sqlite_engine(url: str, pool_size: int) -> tuple[Engine, SqliteWriteLock]:
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

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A deferred transaction that later writes can fail with SQLITE_BUSY no matter the timeout;
        # write use cases take the write lock at BEGIN and queue on busy_timeout instead.
        write = conn.get_execution_options().get("flowport_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine, SqliteWriteLock(Path(database + ".lock") if file_backed else None)


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


def write_transaction(db: Database) -> AbstractContextManager[Connection]:
    """One unit of work that changes data (see :meth:`Database.write`)."""
    return db.write()


def read_transaction(db: Database) -> AbstractContextManager[Connection]:
    """A consistent read-only view (see :meth:`Database.read`)."""
    return db.read()


def after_commit(conn: Connection, callback: Callable[[], None]) -> None:
    """Run ``callback`` after the surrounding write transaction commits (never on rollback)."""
    conn.info.setdefault(_AFTER_COMMIT, []).append(callback)


def notify_client_changed(conn: Connection, client_id: str) -> None:
    """Once the write transaction commits, tell this process that a client's row changed."""
    db: Database | None = conn.info.get(_DATABASE)
    if db is not None:
        after_commit(conn, partial(db.changes.client_changed, client_id))


def longest_write(db: Database) -> float | None:
    """Seconds the oldest unfinished write transaction of this process has been going, if any."""
    return db.longest_write()


def ping(db: Database) -> None:
    db.ping()

"""Benchmark 4: does a lifecycle get slower as stored instances pile up?

Median start+complete latency through the API (one sequential client) with 1,000 stored instances
and with 200,000: one database and one server per size, measured in alternating blocks. Each
database is filled by copying real rows: one completed and one running instance are made through
the API, then their ``instances``/``tasks``/``history`` rows are bulk inserted with new ids
(SQLAlchemy Core executemany, in batches); one copy in five is left running, so the READY-task
indexes grow too.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Connection, Engine, create_engine, func, select, text

from bench import postgres
from bench.results import Figure, med, ms, ratio_figure
from bench.server import ServerProcess
from bench.workload import START_BODY, Timings, deploy, run_lifecycle
from flowport.config import normalize_database_url
from flowport.persistence.tables import history, instances, tasks

NAME = "4 growth"
TARGET_RATIO = 1.25
RUNNING_EVERY = 5  # one copy in five is a running instance with a READY task
BATCH = 2_000


@dataclass(frozen=True)
class Template:
    """One instance's rows, to be copied."""

    instance: dict[str, Any]
    tasks: list[dict[str, Any]]
    history: list[dict[str, Any]]


@dataclass(frozen=True)
class SizeResult:
    stored: int
    timings: list[Timings]
    fill_seconds: float

    @property
    def start_complete(self) -> float:
        return med([t.start_complete for t in self.timings])


def _template(conn: Connection, instance_id: str) -> Template:
    row = conn.execute(select(instances).where(instances.c.id == instance_id)).one()
    task_rows = conn.execute(select(tasks).where(tasks.c.instance_id == instance_id)).all()
    history_rows = conn.execute(select(history).where(history.c.instance_id == instance_id)).all()
    return Template(
        dict(row._mapping),
        [dict(r._mapping) for r in task_rows],
        [{k: v for k, v in r._mapping.items() if k != "id"} for r in history_rows],
    )


def _copies(templates: list[Template], count: int, offset: int) -> Iterator[tuple[list[Any], ...]]:
    """Batches of (instance rows, task rows, history rows) for ``count`` copies, older than the originals."""
    for first in range(0, count, BATCH):
        inst_rows: list[dict[str, Any]] = []
        task_rows: list[dict[str, Any]] = []
        hist_rows: list[dict[str, Any]] = []
        for n in range(first, min(count, first + BATCH)):
            template = templates[1] if (offset + n) % RUNNING_EVERY == 0 else templates[0]
            # Spread copies over the past (one second apart) so time-ordered indexes look lived in.
            shift = timedelta(seconds=offset + n + 60)
            new_id = str(uuid.uuid4())
            inst_rows.append(
                {
                    **template.instance,
                    "id": new_id,
                    "started_at": _minus(template.instance["started_at"], shift),
                    "ended_at": _minus(template.instance["ended_at"], shift),
                }
            )
            for t in template.tasks:
                task_rows.append(
                    {
                        **t,
                        "id": str(uuid.uuid4()),
                        "instance_id": new_id,
                        "created_at": _minus(t["created_at"], shift),
                        "ended_at": _minus(t["ended_at"], shift),
                    }
                )
            for h in template.history:
                hist_rows.append({**h, "instance_id": new_id, "at": _minus(h["at"], shift)})
        yield inst_rows, task_rows, hist_rows


def _minus(value: datetime | None, shift: timedelta) -> datetime | None:
    return None if value is None else value - shift


def _stored(db: Engine) -> int:
    with db.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(instances)).scalar_one())


def fill_to(db: Engine, templates: list[Template], target: int) -> float:
    """Insert copies until ``target`` instances are stored; returns the seconds it took."""
    began = time.perf_counter()
    have = _stored(db)
    missing = max(0, target - have)
    for inst_rows, task_rows, hist_rows in _copies(templates, missing, have):
        with db.begin() as conn:
            conn.execute(instances.insert(), inst_rows)
            if task_rows:
                conn.execute(tasks.insert(), task_rows)
            if hist_rows:
                conn.execute(history.insert(), hist_rows)
    with db.connect() as conn:
        if db.dialect.name == "sqlite":
            # Leave the file as a long-running server would: the WAL folded into the database.
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            # What autovacuum does shortly after a bulk load: fresh planner statistics.
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    return time.perf_counter() - began


def _lifecycles(client: httpx.Client, count: int) -> list[Timings]:
    return [run_lifecycle(client)[1] for _ in range(count)]


@contextmanager
def _database(database_url: str | None, data_dir: Path) -> Iterator[Engine]:
    url = normalize_database_url(database_url) if database_url else f"sqlite:///{data_dir / 'flowport.db'}"
    db = create_engine(url)
    try:
        yield db
    finally:
        db.dispose()


@dataclass
class _Store:
    """One database filled to one size, with its own idle server."""

    server: ServerProcess
    client: httpx.Client
    stored: int
    fill_seconds: float
    timings: list[Timings]


def _prepare(stack: ExitStack, data_dir: Path, database_url: str | None, size: int, warmup: int) -> _Store:
    server = stack.enter_context(ServerProcess(data_dir, database_url=database_url))
    client = stack.enter_context(server.client())
    deploy(client)
    completed_id, _ = run_lifecycle(client)
    started = client.post("/api/v1/process-instances", json=START_BODY)
    started.raise_for_status()
    with _database(database_url, data_dir) as db:
        with db.connect() as conn:
            templates = [_template(conn, completed_id), _template(conn, started.json()["id"])]
        seconds = fill_to(db, templates, size)
        stored = _stored(db)
    _lifecycles(client, warmup)
    return _Store(server, client, stored, seconds, [])


def measure(
    stores: list[tuple[Path, str | None]], sizes: tuple[int, ...], samples: int, warmup: int, blocks: int
) -> list[SizeResult]:
    """One database (and server) per size; lifecycles alternate between them in blocks.

    Alternating cancels drift in what else the machine is doing, which would otherwise land on
    whichever size happened to be measured second.
    """
    with ExitStack() as stack:
        prepared = [
            _prepare(stack, data_dir, url, size, warmup)
            for (data_dir, url), size in zip(stores, sizes, strict=True)
        ]
        per_block = max(1, samples // blocks)
        for _ in range(blocks):
            for store in prepared:
                store.timings += _lifecycles(store.client, per_block)
        return [SizeResult(s.stored, s.timings, s.fill_seconds) for s in prepared]


def _figure(backend: str, results: list[SizeResult]) -> Figure:
    small, large = results[0], results[-1]
    ratio = large.start_complete / small.start_complete
    details = []
    for r in results:
        start = med([t.start for t in r.timings])
        complete = med([t.complete for t in r.timings])
        lookup = med([t.lookup for t in r.timings])
        details.append(
            f"{r.stored:>7,} stored: start+complete p50 {ms(r.start_complete)} "
            f"(start {ms(start)}, complete {ms(complete)}); lookup p50 {ms(lookup)}; "
            f"{len(r.timings)} sequential lifecycles; filled in {r.fill_seconds:.1f} s"
        )
    lookup_ratio = med([t.lookup for t in large.timings]) / med([t.lookup for t in small.timings])
    details.append(f"lookup (GET /api/v1/tasks?processInstanceId=...) ratio {lookup_ratio:.2f}")
    details.append(
        "one database and one idle server per size; sequential lifecycles alternate between them in "
        "blocks, so drift in machine load hits both sizes alike"
    )
    details.append(
        f"fill: copies of real rows, one in {RUNNING_EVERY} running with a READY task; then "
        + (
            "the WAL checkpointed"
            if backend == "SQLite"
            else "ANALYZE (what autovacuum does after a bulk load)"
        )
    )
    return ratio_figure(
        f"{NAME}, {backend}",
        f"start+complete p50 {ms(small.start_complete)} @ {small.stored:,} -> "
        f"{ms(large.start_complete)} @ {large.stored:,}",
        ratio,
        TARGET_RATIO,
        higher_is_better=False,
        details=details,
    )


def run(quick: bool = False, with_postgres: bool = True) -> list[Figure]:
    sizes = (1_000, 20_000) if quick else (1_000, 200_000)
    samples, warmup, blocks = (60, 10, 3) if quick else (300, 30, 6)
    figures = []
    with ExitStack() as stack:
        dirs = [
            Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="flowport-bench-"))) for _ in sizes
        ]
        stores: list[tuple[Path, str | None]] = [(d, None) for d in dirs]
        figures.append(_figure("SQLite", measure(stores, sizes, samples, warmup, blocks)))
    if not with_postgres:
        return figures
    reason = postgres.unreachable_reason()
    if reason:
        figures.append(Figure(f"{NAME}, PostgreSQL", "not measured", status="skipped", details=[reason]))
        return figures
    with ExitStack() as stack:
        stores = [
            (
                Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="flowport-bench-"))),
                stack.enter_context(postgres.private_database()),
            )
            for _ in sizes
        ]
        figures.append(_figure("PostgreSQL", measure(stores, sizes, samples, warmup, blocks)))
    return figures

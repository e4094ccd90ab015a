"""Benchmark 6: database work per lifecycle, counted deterministically in process.

Services are built as ``create_app``'s lifespan builds them; SQLAlchemy events count every statement
sent through a cursor (an executemany counts once) and every commit. Only the two state-changing
calls (start, complete) count towards the lifecycle; the task lookup between them is a read and is
reported on its own. The first lifecycle fills the definition caches, so the second is the one counted.
"""

from __future__ import annotations

import re
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, event

from bench import postgres
from bench.results import Figure
from bench.workload import PROCESS_KEY, bpmn_bytes
from flowport.config import Settings
from flowport.services import definitions, instances, tasks
from flowport.services.build import build_services
from flowport.services.context import Actor

NAME = "6 DB work/lifecycle"
MAX_STATEMENTS = 25
SPIFFARENA = "SpiffArena (same engine): 158 statements, 12 commits, ~7 lifecycles/s on this kind of machine"
T = TypeVar("T")


@dataclass
class Tally:
    statements: list[str] = field(default_factory=list)
    commits: int = 0
    rollbacks: int = 0
    checkouts: int = 0  # each one costs a round trip on PostgreSQL (pool_pre_ping)


class StatementCounter:
    """Counts statements, commits and pool checkouts on one SQLAlchemy engine while active."""

    def __init__(self, engine: Engine) -> None:
        self.tally: Tally | None = None
        self.enabled = True
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "commit", self._commit)
        event.listen(engine, "rollback", self._rollback)
        event.listen(engine.pool, "checkout", self._checkout)

    def _statement(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if self.tally is not None:
            self.tally.statements.append(statement)

    def _commit(self, conn: Any) -> None:
        if self.tally is not None:
            self.tally.commits += 1

    def _rollback(self, conn: Any) -> None:
        if self.tally is not None:
            self.tally.rollbacks += 1

    def _checkout(self, *args: Any) -> None:
        if self.tally is not None:
            self.tally.checkouts += 1

    @contextmanager
    def counting(self) -> Iterator[Tally]:
        self.tally = Tally()
        try:
            yield self.tally
        finally:
            self.tally = None

    def count(self, action: Callable[[], T]) -> tuple[T, Tally]:
        if not self.enabled:
            return action(), Tally()
        with self.counting() as tally:
            result = action()
        return result, tally


_TABLE = re.compile(r"\b(?:FROM|INTO|UPDATE)\s+\"?(\w+)", re.IGNORECASE)


def label(statement: str) -> str:
    """``SELECT definitions``, ``INSERT history``, ``BEGIN IMMEDIATE``: verb plus first table."""
    words = statement.split()
    verb = words[0].upper() if words else "?"
    if verb == "BEGIN":
        return " ".join(words[:2]).upper()
    found = _TABLE.search(statement)
    return f"{verb} {found.group(1)}" if found else verb


def summary(tally: Tally) -> str:
    counts = Counter(label(s) for s in tally.statements)
    return ", ".join(f"{name}{f' x{n}' if n > 1 else ''}" for name, n in counts.items())


@dataclass(frozen=True)
class LifecycleWork:
    start: Tally
    lookup: Tally
    complete: Tally
    cold_start: Tally
    cold_complete: Tally
    wall_ms: float  # per lifecycle, sequential, in process (start + lookup + complete)
    cpu_ms: float
    timed: int


def measure(settings: Settings, timed: int = 300) -> LifecycleWork:
    services = build_services(settings)
    try:
        actor = Actor()
        definitions.deploy(services, actor, bpmn_bytes())
        counter = StatementCounter(services.db.engine)

        def lifecycle() -> tuple[Tally, Tally, Tally]:
            view, start = counter.count(lambda: instances.start(services, actor, definition_key=PROCESS_KEY))
            page, lookup = counter.count(lambda: tasks.search(services, actor, instance_id=view.id))
            task_id = page.items[0].id
            _, complete = counter.count(lambda: tasks.complete(services, actor, task_id, {}))
            if instances.get(services, actor, view.id).status != "COMPLETED":
                raise RuntimeError("the lifecycle did not reach its end event")
            return start, lookup, complete

        cold_start, _, cold_complete = lifecycle()
        start, lookup, complete = lifecycle()
        counter.enabled = False
        # Then time the same calls with nothing counting: how much of a lifecycle is the service
        # layer plus the database, without HTTP (one thread, no contention).
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(timed):
            lifecycle()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        return LifecycleWork(
            start, lookup, complete, cold_start, cold_complete, wall / timed * 1000, cpu / timed * 1000, timed
        )
    finally:
        services.close()


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _figures(backend: str, work: LifecycleWork) -> list[Figure]:
    statements = len(work.start.statements) + len(work.complete.statements)
    commits = (work.start.commits, work.complete.commits)
    hidden = work.start.checkouts + work.complete.checkouts
    details = [
        f"start    ({len(work.start.statements)} statements, {work.start.commits} commit): "
        f"{summary(work.start)}",
        f"complete ({len(work.complete.statements)} statements, {work.complete.commits} commit): "
        f"{summary(work.complete)}",
        f"lookup, a read, not counted above ({_n(len(work.lookup.statements), 'statement')}, "
        f"{_n(work.lookup.commits, 'commit')}): {summary(work.lookup)}",
        f"first lifecycle (cold definition caches): start {len(work.cold_start.statements)}, "
        f"complete {len(work.cold_complete.statements)} statements",
        f"pool checkouts per lifecycle: {hidden}"
        + (
            " (each adds a pre-ping round trip on PostgreSQL; psycopg also sends each BEGIN itself, "
            "outside the cursor, so it is not in the counts)"
            if backend == "PostgreSQL"
            else ""
        ),
        f"for comparison: {SPIFFARENA}; here {statements} statements, {sum(commits)} commits "
        f"({158 / statements:.1f}x fewer statements)",
    ]
    timing = Figure(
        f"6 services in process, {backend}",
        f"{1000 / work.wall_ms:.0f} lifecycles/s sequential, {work.cpu_ms:.2f} ms CPU per lifecycle",
        target="(no HTTP)",
        status="info",
        details=[
            f"{work.timed} lifecycles (start + lookup + complete) through flowport.services on one thread; "
            f"wall {work.wall_ms:.2f} ms, CPU {work.cpu_ms:.2f} ms per lifecycle (bench process: services, "
            "engine, SQLAlchemy, driver"
            + (", SQLite itself)" if backend == "SQLite" else "; PostgreSQL's own CPU is not included)")
        ],
    )
    return [
        timing,
        Figure(
            f"{NAME}, {backend}",
            f"{statements} statements (start {len(work.start.statements)} + "
            f"complete {len(work.complete.statements)})",
            target=f"≤ {MAX_STATEMENTS} statements",
            status="ok" if statements <= MAX_STATEMENTS else "MISS",
            verdict=f"{statements}/{MAX_STATEMENTS}",
            details=details,
        ),
        Figure(
            f"{NAME}, {backend}",
            f"commits: start {commits[0]}, complete {commits[1]}",
            target="1 per state-changing call",
            status="ok" if commits == (1, 1) else "MISS",
            verdict=f"{sum(commits)}/2",
        ),
    ]


def run(quick: bool = False) -> tuple[list[Figure], dict[str, LifecycleWork]]:
    """Figures, plus the measured work per backend (for the CPU breakdown)."""
    timed = 60 if quick else 300
    figures: list[Figure] = []
    works: dict[str, LifecycleWork] = {}
    with tempfile.TemporaryDirectory(prefix="flowport-bench-") as tmp:
        settings = Settings(data_dir=Path(tmp), scheduler_enabled=False)
        works["SQLite"] = measure(settings, timed)
        figures += _figures("SQLite", works["SQLite"])
    reason = postgres.unreachable_reason()
    if reason:
        figures.append(Figure(f"{NAME}, PostgreSQL", "not measured", status="skipped", details=[reason]))
        return figures, works
    with tempfile.TemporaryDirectory(prefix="flowport-bench-") as tmp, postgres.private_database() as url:
        settings = Settings(data_dir=Path(tmp), database_url=url, scheduler_enabled=False)
        works["PostgreSQL"] = measure(settings, timed)
        figures += _figures("PostgreSQL", works["PostgreSQL"])
    return figures, works

"""Benchmarks 2 and 3: lifecycles per second through the HTTP API with concurrent clients.

A real server process (uvicorn, 1 or 2 workers) on SQLite (durable commits: WAL + synchronous=FULL)
or on a private PostgreSQL database; 16 asyncio clients on keep-alive connections each loop over
start -> look up the task -> complete, for a fixed duration after a warm-up.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench import postgres
from bench.results import Figure, med, ms, percentile, ratio_figure
from bench.server import ServerProcess
from bench.workload import LifecycleError, Timings, deploy, run_lifecycle_async

TARGET_RATIO = 0.5


@dataclass
class LoadResult:
    label: str
    workers: int
    clients: int
    duration: float
    lifecycles: int = 0
    timings: list[Timings] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    server_cpu: float = 0.0
    client_cpu: float = 0.0
    machine_busy: float = 0.0
    rss_after: int = 0

    @property
    def per_second(self) -> float:
        return self.lifecycles / self.duration if self.duration else 0.0

    @property
    def server_cpu_ms(self) -> float:
        """Server CPU (all its processes) per lifecycle, in milliseconds."""
        return self.server_cpu / self.lifecycles * 1000 if self.lifecycles else float("nan")

    @property
    def client_cpu_ms(self) -> float:
        """Load generator CPU per lifecycle, in milliseconds."""
        return self.client_cpu / self.lifecycles * 1000 if self.lifecycles else float("nan")


def _machine_cpu() -> tuple[float, float]:
    """(busy, total) jiffies of all cores, from /proc/stat."""
    with open("/proc/stat") as f:
        values = [float(v) for v in f.readline().split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0.0)  # idle + iowait
    return sum(values) - idle, sum(values)


async def _drive(server: ServerProcess, result: LoadResult, warmup: float) -> None:
    loop_start = time.perf_counter()
    window_start = loop_start + warmup
    window_end = window_start + result.duration
    marks: dict[str, float] = {}

    async def client_loop(client: httpx.AsyncClient) -> None:
        while (began := time.perf_counter()) < window_end:
            try:
                timings = await run_lifecycle_async(client)
            except LifecycleError as exc:
                if began >= window_start:
                    result.errors[f"{exc.step} HTTP {exc.status}"] += 1
                continue
            except httpx.HTTPError as exc:
                if began >= window_start:
                    result.errors[type(exc).__name__] += 1
                await asyncio.sleep(0.01)
                continue
            ended = time.perf_counter()
            if window_start <= ended <= window_end:
                result.lifecycles += 1
            if began >= window_start and ended <= window_end:
                result.timings.append(timings)

    async def observer() -> None:
        await asyncio.sleep(max(0.0, window_start - time.perf_counter()))
        marks["server"] = server.cpu_seconds()
        marks["client"] = time.process_time()
        marks["busy"], marks["total"] = _machine_cpu()
        await asyncio.sleep(max(0.0, window_end - time.perf_counter()))
        result.server_cpu = server.cpu_seconds() - marks["server"]
        result.client_cpu = time.process_time() - marks["client"]
        busy, total = _machine_cpu()
        result.machine_busy = (busy - marks["busy"]) / max(1.0, total - marks["total"])

    async with server.async_client(result.clients) as client:
        await asyncio.gather(observer(), *(client_loop(client) for _ in range(result.clients)))


def measure(
    label: str,
    data_dir: Path,
    *,
    database_url: str | None = None,
    workers: int = 1,
    clients: int = 16,
    duration: float = 20.0,
    warmup: float = 3.0,
) -> LoadResult:
    result = LoadResult(label, workers, clients, duration)
    # The scheduler stays on, as in production: it sleeps when no timer is due.
    with ServerProcess(data_dir, database_url=database_url, workers=workers) as server:
        with server.client() as client:
            deploy(client)
        asyncio.run(_drive(server, result, warmup))
        result.rss_after = sum(server.rss_bytes().values())
    return result


def _rest(result: LoadResult) -> float:
    cores = len(os.sched_getaffinity(0))
    return max(0.0, result.machine_busy * cores - (result.server_cpu + result.client_cpu) / result.duration)


def _figure(benchmark: str, result: LoadResult, engine_rate: float) -> Figure:
    rate = result.per_second
    starts = [t.start for t in result.timings]
    lookups = [t.lookup for t in result.timings]
    completes = [t.complete for t in result.timings]
    engine_ms = 1000 / engine_rate
    plural = "s" if result.workers > 1 else ""
    details = [
        f"{result.lifecycles} lifecycles in {result.duration:.0f} s, {result.clients} concurrent clients, "
        f"{result.workers} worker process{'es' if result.workers > 1 else ''}; "
        f"API/engine-only = {rate:.1f} / {engine_rate:.0f}",
        f"start    p50 {ms(med(starts))}  p99 {ms(percentile(starts, 99))}",
        f"complete p50 {ms(med(completes))}  p99 {ms(percentile(completes, 99))}",
        f"lookup   p50 {ms(med(lookups))}  p99 {ms(percentile(lookups, 99))}  (GET /api/v1/tasks, a read)",
        f"server CPU {result.server_cpu_ms:.2f} ms per lifecycle (engine alone: {engine_ms:.2f} ms), "
        f"{result.server_cpu / result.duration:.2f} cores busy; "
        f"load generator {result.client_cpu / result.duration:.2f} cores; "
        f"whole machine {result.machine_busy * 100:.0f}% busy "
        f"(the rest, {_rest(result):.2f} cores, is the database server, the OS and other processes)",
        f"server RSS after the run: {result.rss_after / 2**20:.0f} MB (all processes)",
    ]
    if result.errors:
        details.append("errors: " + ", ".join(f"{k} x{v}" for k, v in result.errors.most_common()))
    return ratio_figure(
        benchmark,
        f"{rate:.1f} lifecycles/s ({result.label}, {result.workers} worker{plural})",
        rate / engine_rate,
        TARGET_RATIO,
        higher_is_better=True,
        details=details,
    )


def run_sqlite(engine_rate: float, quick: bool = False) -> tuple[list[Figure], list[LoadResult]]:
    figures = []
    results = []
    for workers in (1, 2):
        with tempfile.TemporaryDirectory(prefix="flowport-bench-") as tmp:
            result = measure(
                "SQLite",
                Path(tmp),
                workers=workers,
                duration=5.0 if quick else 20.0,
                warmup=1.0 if quick else 3.0,
            )
        figures.append(_figure("2 API, SQLite", result, engine_rate))
        results.append(result)
    return figures, results


def run_postgres(engine_rate: float, quick: bool = False) -> tuple[list[Figure], list[LoadResult]]:
    reason = postgres.unreachable_reason()
    if reason:
        return [Figure("3 API, PostgreSQL", "not measured", status="skipped", details=[reason])], []
    figures = []
    results = []
    for workers in (1, 2):
        with tempfile.TemporaryDirectory(prefix="flowport-bench-") as tmp, postgres.private_database() as url:
            result = measure(
                "PostgreSQL",
                Path(tmp),
                database_url=url,
                workers=workers,
                duration=5.0 if quick else 20.0,
                warmup=1.0 if quick else 3.0,
            )
        figures.append(_figure("3 API, PostgreSQL", result, engine_rate))
        results.append(result)
    return figures, results

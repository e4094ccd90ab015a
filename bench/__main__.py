"""Run every benchmark and print one table of figures, targets and ratios (``make bench``).

1 engine only, in process            4 growth: 1,000 vs 200,000 stored instances
2 HTTP API on SQLite, 1 and 2 workers  5 idle resident memory of a server
3 HTTP API on PostgreSQL, 1 and 2 workers  6 statements and commits per lifecycle
T token endpoint: Flowport vs node-oidc-provider, client-credentials tokens per second
A authenticated API overhead: GET of one instance with a bearer token vs open mode
"""

from __future__ import annotations

import argparse
import os
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

from rich.console import Console

from bench import auth_overhead, dbwork, engine, growth, http_load, memory, tokens
from bench.dbwork import LifecycleWork
from bench.engine import EngineResult
from bench.http_load import LoadResult
from bench.results import Figure, console, machine_facts, render

STEPS = ("engine", "dbwork", "memory", "http-sqlite", "http-postgres", "growth", "tokens", "auth")


@dataclass
class Collected:
    """Raw results kept for the CPU breakdown printed under the table."""

    engine: EngineResult | None = None
    services: dict[str, LifecycleWork] = field(default_factory=dict)
    loads: dict[str, list[LoadResult]] = field(default_factory=dict)


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description="Flowport benchmarks (make bench)")
    parser.add_argument("--quick", action="store_true", help="short runs: a smoke test of the benchmarks")
    parser.add_argument(
        "--only", default=",".join(STEPS), help=f"comma-separated subset of: {', '.join(STEPS)}"
    )
    parser.add_argument("--no-postgres-growth", action="store_true", help="growth on SQLite only")
    return parser.parse_args()


def main() -> None:
    args = _parse()
    chosen = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(chosen) - set(STEPS)
    if unknown:
        raise SystemExit(
            f"unknown benchmark(s): {', '.join(sorted(unknown))}; choose from {', '.join(STEPS)}"
        )
    out = console()
    for fact in machine_facts():
        out.print(fact)
    out.print()

    began = time.perf_counter()
    collected = Collected()
    figures: list[Figure] = []
    engine_result, engine_figures = engine.run(args.quick)  # every API ratio is relative to this
    collected.engine = engine_result
    if "engine" in chosen:
        figures += engine_figures
        _progress(out, engine_figures, began)
    rate = engine_result.lifecycles_per_second

    def run_dbwork() -> list[Figure]:
        produced, collected.services = dbwork.run(args.quick)
        return produced

    def run_http(backend: str) -> list[Figure]:
        runner = http_load.run_sqlite if backend == "SQLite" else http_load.run_postgres
        produced, collected.loads[backend] = runner(rate, args.quick)
        return produced

    steps: dict[str, Callable[[], list[Figure]]] = {
        "dbwork": run_dbwork,
        "memory": lambda: memory.run(args.quick),
        "http-sqlite": lambda: run_http("SQLite"),
        "http-postgres": lambda: run_http("PostgreSQL"),
        "growth": lambda: growth.run(args.quick, with_postgres=not args.no_postgres_growth),
        "tokens": lambda: tokens.run(args.quick),
        "auth": lambda: auth_overhead.run(args.quick),
    }
    for name in STEPS[1:]:
        if name not in chosen:
            continue
        step_began = time.perf_counter()
        try:
            produced = steps[name]()
        except Exception as exc:  # one broken benchmark must not hide the others' figures
            produced = [
                Figure(
                    name,
                    f"failed: {type(exc).__name__}: {exc}".splitlines()[0][:100],
                    status="error",
                    details=traceback.format_exc().splitlines()[-8:],
                )
            ]
        figures += produced
        _progress(out, produced, step_began)

    out.print()
    render(out, figures)
    _breakdown(out, collected)
    out.print()
    out.print(f"total time {time.perf_counter() - began:.0f} s; " + " | ".join(machine_facts()))
    out.print("Figures are printed, never asserted; compare them run to run on the same machine.")


def _progress(out: Console, figures: list[Figure], since: float) -> None:
    elapsed = time.perf_counter() - since
    for fig in figures:
        out.print(f"[dim]{elapsed:6.1f} s[/]  {fig.benchmark}: {fig.figure}  {fig.verdict} {fig.status}")


def _breakdown(out: Console, collected: Collected) -> None:
    """Split a lifecycle's CPU between the layers, from figures measured above."""
    if collected.engine is None:
        return
    engine_ms = 1000 / collected.engine.lifecycles_per_second
    lines = []
    for backend, loads in collected.loads.items():
        services = collected.services.get(backend)
        for load in loads:
            parts = [f"engine {engine_ms:.2f}"]
            if services is not None:
                parts.append(f"services + SQLAlchemy + driver {services.cpu_ms - engine_ms:.2f}")
                parts.append(
                    f"HTTP, framework, threads, contention {load.server_cpu_ms - services.cpu_ms:.2f}"
                )
            workers = f"{load.workers} worker{'s' if load.workers > 1 else ''}"
            lines.append(
                f"{backend}, {workers}: {' + '.join(parts)} = {load.server_cpu_ms:.2f} ms "
                f"server CPU per lifecycle; the load generator used {load.client_cpu_ms:.2f} ms more "
                f"on the same {len(os.sched_getaffinity(0))} cores"
            )
    if lines:
        out.print()
        out.print(
            "[bold]Where a lifecycle's CPU goes[/] (ms per lifecycle; layers measured separately above):"
        )
        for line in lines:
            out.print(f"    {line}", soft_wrap=True)


if __name__ == "__main__":
    main()

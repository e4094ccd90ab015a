"""Benchmark 1: lifecycles per second through the Engine facade alone (no database, no HTTP).

Each lifecycle does the engine work the server does for one start and one complete, minus I/O:
start, snapshot, dump (persist of the start); open from the stored state, snapshot (the "before"),
complete the task, snapshot, dump (persist of the complete).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from bench.results import Figure, med
from bench.workload import PROCESS_KEY, bpmn_bytes
from flowport.engine.definitions import parse_deployment
from flowport.engine.runtime import Engine, LoadedDefinition

NAME = "1 engine only"


@dataclass(frozen=True)
class EngineResult:
    lifecycles_per_second: float
    rounds: list[float]
    step_us: dict[str, float]
    state_bytes: int


def _loaded() -> tuple[Engine, LoadedDefinition]:
    parsed = next(p for p in parse_deployment(bpmn_bytes(), 5 * 1024 * 1024) if p.key == PROCESS_KEY)
    engine = Engine()
    return engine, engine.definition("bench-definition", lambda: (parsed.spec_json, {}))


def _lifecycle(engine: Engine, loaded: LoadedDefinition) -> int:
    definition = engine.definition("bench-definition", lambda: ("", {}))  # cached, as in the server
    run = engine.start(definition, {})
    task_id = run.snapshot().tasks[0].id
    state = run.dump()
    again = engine.open(loaded, state)
    again.snapshot()
    again.complete_task(task_id, {})
    after = again.snapshot()
    again.dump()
    if not after.completed:
        raise RuntimeError("the lifecycle did not reach its end event")
    return len(state)


def _step_costs(engine: Engine, loaded: LoadedDefinition, samples: int) -> dict[str, float]:
    """Median microseconds of each facade call, to show where the engine's time goes."""
    costs: dict[str, list[float]] = {k: [] for k in ("start", "snapshot", "dump", "open", "complete_task")}
    clock = time.perf_counter
    for _ in range(samples):
        t = clock()
        run = engine.start(loaded, {})
        costs["start"].append(clock() - t)
        t = clock()
        task_id = run.snapshot().tasks[0].id
        costs["snapshot"].append(clock() - t)
        t = clock()
        state = run.dump()
        costs["dump"].append(clock() - t)
        t = clock()
        again = engine.open(loaded, state)
        costs["open"].append(clock() - t)
        t = clock()
        again.complete_task(task_id, {})
        costs["complete_task"].append(clock() - t)
    return {k: med(v) * 1e6 for k, v in costs.items()}


def measure(rounds: int = 7, per_round: int = 400) -> EngineResult:
    engine, loaded = _loaded()
    for _ in range(100):  # warm caches and the allocator
        _lifecycle(engine, loaded)
    rates: list[float] = []
    state_bytes = 0
    for _ in range(rounds):
        t = time.perf_counter()
        for _ in range(per_round):
            state_bytes = _lifecycle(engine, loaded)
        rates.append(per_round / (time.perf_counter() - t))
    return EngineResult(med(rates), rates, _step_costs(engine, loaded, per_round), state_bytes)


def run(quick: bool = False) -> tuple[EngineResult, list[Figure]]:
    result = measure(rounds=3 if quick else 7, per_round=150 if quick else 400)
    per_lifecycle_ms = 1000 / result.lifecycles_per_second
    steps = ", ".join(f"{k} {v:.0f} µs" for k, v in result.step_us.items())
    figure = Figure(
        NAME,
        f"{result.lifecycles_per_second:.0f} lifecycles/s (1 thread)",
        target="baseline",
        status="info",
        details=[
            f"median of {len(result.rounds)} rounds; rounds: "
            + ", ".join(f"{r:.0f}" for r in result.rounds)
            + " lifecycles/s",
            f"{per_lifecycle_ms:.2f} ms of engine work per lifecycle; "
            f"stored state {result.state_bytes} bytes",
            f"median per call: {steps} (snapshot is called 3x per lifecycle, dump 2x)",
        ],
    )
    return result, [figure]

"""Benchmark A: what authentication costs a read. ``GET`` of one instance with a bearer token vs. open mode.

Two servers in their default configuration (one process, SQLite) hold the same instance; 16
keep-alive connections send byte-for-byte the same ``GET /api/v1/process-instances/{id}``, one
with ``Authorization: Bearer <client-credentials JWT>`` (claims, revocation and permission checks
on every request, the signature once per token, as in production), the other to a server in
``open`` mode. The two runs alternate, three times each, and the better run of each side counts
(noise on a shared machine only ever slows a run). The figure is authenticated over open requests
per second (target: at least 0.9).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench.raw_http import RawLoad, build_request, run_load
from bench.results import Figure, med, ms, percentile, ratio_figure
from bench.server import ServerProcess
from bench.workload import START_BODY, deploy

TARGET_RATIO = 0.9
CONNECTIONS = 16
ROUNDS = 3


def _prepare(server: ServerProcess) -> bytes:
    """Deploy, start one instance; the GET request for it, with the server's credentials."""
    with server.client() as client:
        deploy(client)
        started = client.post("/api/v1/process-instances", json=START_BODY)
        started.raise_for_status()
        path = f"/api/v1/process-instances/{started.json()['id']}"
    return build_request("127.0.0.1", server.port, path, dict(server.headers), b"", method="GET")


def _load(server: ServerProcess, request: bytes, duration: float, warmup: float) -> RawLoad:
    return run_load(
        "127.0.0.1", server.port, request, connections=CONNECTIONS, duration=duration, warmup=warmup
    )


def _describe(label: str, loads: list[RawLoad]) -> str:
    best = max(loads, key=lambda load: load.per_second)
    rates = " / ".join(f"{load.per_second:.0f}" for load in loads)
    errors = sum(sum(load.errors.values()) for load in loads)
    return (
        f"{label}: best {best.per_second:.0f} req/s (runs {rates}), p50 {ms(med(best.latencies))} "
        f"p99 {ms(percentile(best.latencies, 99))}, {errors} errors"
    )


def run(quick: bool = False) -> list[Figure]:
    duration, warmup = (3.0, 1.0) if quick else (8.0, 2.0)
    with (
        tempfile.TemporaryDirectory(prefix="flowport-bench-") as bearer_dir,
        tempfile.TemporaryDirectory(prefix="flowport-bench-") as open_dir,
        ServerProcess(Path(bearer_dir)) as bearer_server,
        ServerProcess(Path(open_dir), auth={"mode": "open"}) as open_server,
    ):
        bearer_request = _prepare(bearer_server)
        open_request = _prepare(open_server)
        bearer: list[RawLoad] = []
        opened: list[RawLoad] = []
        for _ in range(ROUNDS):
            bearer.append(_load(bearer_server, bearer_request, duration, warmup))
            opened.append(_load(open_server, open_request, duration, warmup))
    bearer_rate = max(load.per_second for load in bearer)
    open_rate = max(load.per_second for load in opened)
    ratio = bearer_rate / open_rate if open_rate else float("nan")
    return [
        ratio_figure(
            "A auth overhead",
            f"{bearer_rate:.0f} GET/s with a bearer token vs {open_rate:.0f} in open mode",
            ratio,
            TARGET_RATIO,
            higher_is_better=True,
            details=[
                _describe("bearer (RS256 JWT)", bearer),
                _describe("open mode", opened),
                f"{CONNECTIONS} keep-alive connections, {ROUNDS} alternating runs of {duration:.0f} s "
                f"after {warmup:.0f} s warm-up each, GET /api/v1/process-instances/{{id}}, SQLite, 1 process",
            ],
        )
    ]


if __name__ == "__main__":
    from bench.results import console, render

    render(console(), run(quick=False))

"""Benchmark 5: idle resident memory of a server process after start-up and one deploy."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from bench.results import Figure
from bench.server import ServerProcess
from bench.workload import deploy

NAME = "5 idle memory"
TARGET_MB = 150.0


def run(quick: bool = False) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="flowport-bench-") as tmp, ServerProcess(Path(tmp)) as server:
        booted = sum(server.rss_bytes().values())
        with server.client() as client:
            deploy(client)
        time.sleep(2.0)
        idle = server.rss_bytes()
    rss_mb = sum(idle.values()) / 2**20
    return [
        Figure(
            NAME,
            f"{rss_mb:.0f} MB VmRSS (SQLite, 1 worker, idle 2 s after deploy)",
            target=f"< {TARGET_MB:.0f} MB",
            status="ok" if rss_mb < TARGET_MB else "MISS",
            verdict=f"{rss_mb / TARGET_MB:.2f}",
            details=[
                f"right after start-up: {booted / 2**20:.0f} MB; after deploy and 2 s idle: {rss_mb:.0f} MB "
                f"({len(idle)} process{'es' if len(idle) > 1 else ''}, from /proc/<pid>/status VmRSS)",
            ],
        )
    ]

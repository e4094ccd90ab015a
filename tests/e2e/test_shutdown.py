"""SIGTERM stops a real server within bounded time, even with a request stuck in a worker thread.

The stuck request: a deployment waiting for the SQLite write lock, which this test holds (as
another process would) and never releases until the server is gone.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.server import LiveServer
from tests.helpers import bpmn


def wait_until_a_write_is_stuck(server: LiveServer) -> None:
    """/readyz reports the blocked write (stuck_write_seconds=0: any write in progress counts)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if httpx.get(f"{server.url}/readyz", timeout=5).status_code == 503:  # a new connection each:
            return  # with several workers, any of them may answer
        time.sleep(0.05)
    raise AssertionError(f"the write never got stuck:\n{server.log()}")


def wait_until_every_worker_started(server: LiveServer, workers: int) -> None:
    """Readiness means one worker answers; the others may still be starting, and a start takes the
    write lock (migrations) that this test is about to hold: wait until each logged its start."""
    deadline = time.monotonic() + 60
    while server.log().count("Application startup complete") < workers:
        if time.monotonic() > deadline:
            raise AssertionError(f"not every worker started:\n{server.log()}")
        time.sleep(0.05)


@pytest.mark.parametrize("workers", [1, 2])
def test_sigterm_stops_the_server_with_a_request_stuck_in_flight(tmp_path: Path, workers: int) -> None:
    with LiveServer(
        tmp_path,
        workers=workers,
        scheduler_enabled=False,
        shutdown_timeout=1,
        stuck_write_seconds=0,
        log_level="info",
    ) as server:
        assert server.process is not None
        wait_until_every_worker_started(server, workers)
        lock = os.open(tmp_path / "flowport.db.lock", os.O_RDWR)
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:

            def deploy() -> None:
                with contextlib.suppress(httpx.HTTPError):  # the server goes away under it
                    httpx.post(
                        f"{server.url}/api/v1/process-definitions",
                        content=bpmn("timer_intermediate.bpmn"),
                        headers={**server.headers, "content-type": "application/xml"},
                        timeout=120,
                    )

            request = threading.Thread(target=deploy, daemon=True)
            request.start()
            wait_until_a_write_is_stuck(server)
            server.process.send_signal(signal.SIGTERM)
            try:
                server.process.wait(60)  # generous: the assertion is that it exits at all
            except subprocess.TimeoutExpired:
                raise AssertionError(f"the server ignored SIGTERM:\n{server.log()}") from None
            request.join(10)
            assert not request.is_alive()  # its connection was closed
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
            os.close(lock)

"""A Flowport server in a child process on a free 127.0.0.1 port: start, health check, measure, stop."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

# The child imports only what a real server imports (no bench code, no client libraries), so its
# memory figures are those of a real server.
_LAUNCH = (
    "import sys;"
    "from flowport.config import Settings;"
    "from flowport.api.server import serve;"
    "serve(Settings.model_validate_json(sys.argv[1]))"
)
_CLK_TCK = os.sysconf("SC_CLK_TCK")
# The client the benchmarks drive the API with, as an application would: client credentials -> token.
DRIVER_ID, DRIVER_SECRET = "bench-driver", "bench-driver-secret-0123456789abcdef0123456789ab"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerProcess:
    """``flowport.api.server.serve(Settings(...))`` in a child process, stopped cleanly on exit."""

    def __init__(
        self,
        data_dir: Path,
        *,
        database_url: str | None = None,
        workers: int = 1,
        **settings: Any,
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.data_dir = data_dir
        config: dict[str, Any] = {
            "host": "127.0.0.1",
            "port": self.port,
            "data_dir": str(data_dir),
            "workers": workers,
            "log_level": "warning",
        }
        if database_url:
            config["database_url"] = database_url
        config.update(settings)
        auth = dict(config.get("auth") or {})
        self.authenticated = auth.get("mode", "oauth") == "oauth"
        if self.authenticated:
            driver = {"client_id": DRIVER_ID, "client_secret": DRIVER_SECRET, "profile": "Admin"}
            auth["clients"] = [*auth.get("clients", []), driver]
            config["auth"] = auth
        self.headers: dict[str, str] = {}
        self._config = config
        self._log_path = data_dir / f"server-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    # --- lifecycle -----------------------------------------------------------------------------

    def start(self, timeout: float = 60.0) -> ServerProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with self._log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-c", _LAUNCH, json.dumps(self._config)],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={k: v for k, v in os.environ.items() if not k.startswith("FLOWPORT_")},
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"server exited early (code {self.process.returncode}):\n{self.log_tail()}"
                )
            if self._healthy() and len(self.pids()) >= self._expected_processes():
                # Each worker answers /healthz only after its lifespan (migrations, caches) ran;
                # with several workers give the others the same chance.
                if self.workers > 1:
                    self._wait_workers_healthy(deadline)
                if self.authenticated:
                    self.headers = {"Authorization": f"Bearer {self.access_token()}"}
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server did not become healthy in {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self, timeout: float = 20.0) -> None:
        """SIGINT (uvicorn's graceful shutdown), then SIGKILL to our own pids if it hangs."""
        if self.process is None or self.process.poll() is not None:
            return
        pids = self.pids()
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            for pid in reversed(pids):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            self.process.wait(5)

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def access_token(self) -> str:
        """A fresh access token of the driver client (client credentials, HTTP Basic)."""
        response = httpx.post(
            f"{self.url}/connect/token",
            data={"grant_type": "client_credentials"},
            auth=(DRIVER_ID, DRIVER_SECRET),
            timeout=30,
        )
        response.raise_for_status()
        return str(response.json()["access_token"])

    def client(self, **kwargs: Any) -> httpx.Client:
        """A blocking client sending the driver's bearer token (when the server authenticates)."""
        return httpx.Client(base_url=self.url, timeout=60.0, headers=self.headers, **kwargs)

    def async_client(self, connections: int) -> httpx.AsyncClient:
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        return httpx.AsyncClient(base_url=self.url, timeout=60.0, limits=limits, headers=self.headers)

    # --- observation ---------------------------------------------------------------------------

    def pids(self) -> list[int]:
        """The server's process and all its descendants (uvicorn's workers), parent first."""
        if self.process is None or self.process.poll() is not None:
            return []
        found: list[int] = []
        todo = [self.process.pid]
        while todo:
            pid = todo.pop(0)
            found.append(pid)
            todo.extend(_children(pid))
        return found

    def rss_bytes(self) -> dict[int, int]:
        """VmRSS of every server process (``/proc/<pid>/status``)."""
        return {pid: rss for pid in self.pids() if (rss := _vm_rss(pid)) is not None}

    def cpu_seconds(self) -> float:
        """User + system CPU seconds used so far by the server's processes."""
        return sum(_cpu_seconds(pid) for pid in self.pids())

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self._log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    # --- internals -----------------------------------------------------------------------------

    def _expected_processes(self) -> int:
        return 1 if self.workers == 1 else 1 + self.workers

    def _healthy(self) -> bool:
        try:
            return httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def _wait_workers_healthy(self, deadline: float) -> None:
        # Fresh connections are spread over the workers by the kernel; a run of successes on new
        # connections means every worker finished its start-up.
        streak = 0
        while time.monotonic() < deadline and streak < 8 * self.workers:
            streak = streak + 1 if self._healthy() else 0
            time.sleep(0.05)


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out.extend(int(c) for c in f.read().split())
    except OSError:
        pass
    return out


def _vm_rss(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # Fields after the command: state is [0]; utime and stime are fields 14 and 15 of stat(5).
    return (int(fields[11]) + int(fields[12])) / _CLK_TCK

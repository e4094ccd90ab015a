"""A real Flowport server in a child process on a free loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import httpx

from tests.helpers import AUTH, STATIC_AUTH_SETTINGS

_LAUNCH = (
    "import sys, json;"
    "from flowport.config import Settings;"
    "from flowport.api.server import serve;"
    "serve(Settings.model_validate_json(sys.argv[1]))"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """Start ``flowport`` (uvicorn) with the given settings; stop it on exit.

    Unless the settings say otherwise, the server accepts the test suite's static admin token:
    send ``headers=server.headers``.
    """

    headers = AUTH

    def __init__(self, data_dir: Path, database_url: str | None = None, **settings: object) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config: dict[str, object] = {
            "port": self.port,
            "data_dir": str(data_dir),
            "log_level": "warning",
            "auth": dict(STATIC_AUTH_SETTINGS),
        }
        if database_url:
            config["database_url"] = database_url
        config.update(settings)
        self._config = config
        self._log = data_dir / f"server-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> LiveServer:
        import json

        with self._log.open("wb") as log:  # the server writes to its own copy of the descriptor
            self.process = subprocess.Popen(
                [sys.executable, "-c", _LAUNCH, json.dumps(self._config)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ},
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self._log.read_text()}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server did not become ready:\n{self._log.read_text()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def log(self) -> str:
        return self._log.read_text(errors="replace")

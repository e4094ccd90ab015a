"""A lean HTTP/1.1 keep-alive load generator: N connections, each sending one request after another.

It costs the client a few tens of microseconds per request (httpx costs several hundred), so on a
small machine the load generator does not become the bottleneck of the server it measures, and
both servers compared in one benchmark see byte-for-byte the same requests.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class RawLoad:
    """Counts and latencies of one load run, inside its measurement window."""

    duration: float
    ok: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    sample: bytes = b""

    @property
    def per_second(self) -> float:
        return self.ok / self.duration if self.duration else 0.0


def build_request(
    host: str, port: int, path: str, headers: dict[str, str], body: bytes, *, method: str = "POST"
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """(status, body, server keeps the connection open)."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = -1
    chunked = False
    keep_alive = True
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value.strip())
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
        elif name == b"connection" and value.strip().lower() == b"close":
            keep_alive = False
    if chunked:
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            parts.append(await reader.readexactly(size + 2))
            if size == 0:
                break
        return status, b"".join(p[:-2] for p in parts), keep_alive
    body = await reader.readexactly(length) if length > 0 else b""
    return status, body, keep_alive


async def drive(
    host: str, port: int, request: bytes, *, connections: int, duration: float, warmup: float
) -> RawLoad:
    """Send ``request`` over ``connections`` keep-alive connections for ``warmup + duration`` seconds."""
    result = RawLoad(duration)
    start = time.perf_counter()
    window_start, window_end = start + warmup, start + warmup + duration

    async def connection_loop() -> None:
        reader: asyncio.StreamReader | None = None
        writer: asyncio.StreamWriter | None = None
        while (began := time.perf_counter()) < window_end:
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(host, port)
                assert reader is not None
                writer.write(request)
                status, body, keep_alive = await _read_response(reader)
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                if began >= window_start:
                    result.errors[type(exc).__name__] += 1
                writer = None
                await asyncio.sleep(0.01)
                continue
            ended = time.perf_counter()
            if not keep_alive:
                writer.close()
                writer = None
            if not window_start <= ended <= window_end:
                continue
            if status == 200:
                result.ok += 1
                result.latencies.append(ended - began)
                if not result.sample:
                    result.sample = body
            else:
                result.errors[f"HTTP {status}"] += 1
        if writer is not None:
            writer.close()

    await asyncio.gather(*(connection_loop() for _ in range(connections)))
    return result


def run_load(
    host: str, port: int, request: bytes, *, connections: int, duration: float, warmup: float
) -> RawLoad:
    """Run :func:`drive` on uvloop when available (a cheaper event loop for the load generator)."""
    try:
        import uvloop

        runner = uvloop.run
    except ImportError:  # pragma: no cover - uvicorn[standard] brings uvloop
        runner = asyncio.run
    return runner(drive(host, port, request, connections=connections, duration=duration, warmup=warmup))

"""Benchmark T: client-credentials tokens per second, Flowport beside node-oidc-provider.

Both servers get the same load in the same run: 16 keep-alive connections, each POSTing
``grant_type=client_credentials`` with HTTP Basic client authentication, one request after another,
for a fixed window after a warm-up. Flowport runs its default configuration (one process, SQLite,
RS256); node-oidc-provider issues RS256 JWT access tokens (RFC 9068) for one client. The figure is
Flowport's rate over node-oidc-provider's (target: at least 2). Also printed: the rate at which this
machine signs RS256 tokens in-process with joserfc, one core, which bounds a one-process server.
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from joserfc import jwt
from joserfc.jwk import RSAKey

from bench import oidc_provider
from bench.raw_http import RawLoad, run_load
from bench.results import Figure, med, ms, percentile, ratio_figure
from bench.server import ServerProcess

TARGET_RATIO = 2.0
CLIENT_ID, SECRET = "bench", "bench-secret-0123456789abcdef0123456789"
CONNECTIONS = 16
BODY = b"grant_type=client_credentials"


@dataclass
class Side:
    label: str
    load: RawLoad
    cpu_seconds: float

    @property
    def cpu_ms(self) -> float:
        return self.cpu_seconds / self.load.ok * 1000 if self.load.ok else float("nan")


def signing_rate(seconds: float) -> float:
    """RS256 access tokens signed per second by joserfc in this process (one core)."""
    key = RSAKey.generate_key(2048)
    header = {"alg": "RS256", "typ": "at+jwt", "kid": "k"}
    claims = {
        "iss": "http://127.0.0.1:8077",
        "sub": CLIENT_ID,
        "client_id": CLIENT_ID,
        "aud": "flowport",
        "scope": "definitions:read instances:read tasks:read",
        "env": "default",
    }
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        now = int(time.time())
        jwt.encode(
            header, {**claims, "iat": now, "nbf": now, "exp": now + 3600, "jti": uuid.uuid4().hex}, key
        )
        count += 1
    return count / elapsed


def _request(port: int, path: str) -> bytes:
    from bench.raw_http import build_request

    basic = base64.b64encode(f"{CLIENT_ID}:{SECRET}".encode()).decode()
    headers = {"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"}
    return build_request("127.0.0.1", port, path, headers, BODY)


def _check_sample(load: RawLoad, label: str) -> None:
    if load.ok and json.loads(load.sample).get("token_type") != "Bearer":
        raise RuntimeError(f"{label} answered 200 without a bearer token: {load.sample[:200]!r}")


def measure_flowport(duration: float, warmup: float) -> Side:
    clients = [{"client_id": CLIENT_ID, "client_secret": SECRET, "profile": "ObjectRead"}]
    with (
        tempfile.TemporaryDirectory(prefix="flowport-bench-") as tmp,
        ServerProcess(Path(tmp), auth={"clients": clients}) as server,
    ):
        request = _request(server.port, "/connect/token")
        before = server.cpu_seconds()
        load = run_load(
            "127.0.0.1", server.port, request, connections=CONNECTIONS, duration=duration, warmup=warmup
        )
        cpu = server.cpu_seconds() - before
    _check_sample(load, "Flowport")
    return Side("Flowport", load, cpu * duration / (duration + warmup))


def measure_node(duration: float, warmup: float) -> Side:
    with oidc_provider.running(CLIENT_ID, SECRET, "flowport") as (port, process):
        request = _request(port, "/token")
        before = _cpu_seconds(process.pid)
        load = run_load("127.0.0.1", port, request, connections=CONNECTIONS, duration=duration, warmup=warmup)
        cpu = _cpu_seconds(process.pid) - before
    _check_sample(load, "node-oidc-provider")
    return Side("node-oidc-provider", load, cpu * duration / (duration + warmup))


def _cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _describe(side: Side) -> str:
    latencies = side.load.latencies
    errors = ", ".join(f"{k} x{v}" for k, v in side.load.errors.most_common()) or "no errors"
    return (
        f"{side.label}: {side.load.per_second:.0f} tokens/s, p50 {ms(med(latencies))} "
        f"p99 {ms(percentile(latencies, 99))}, server CPU {side.cpu_ms:.2f} ms/token; {errors}"
    )


def run(quick: bool = False) -> list[Figure]:
    duration, warmup = (4.0, 1.0) if quick else (10.0, 2.0)
    signed = signing_rate(1.0 if quick else 3.0)
    flowport = measure_flowport(duration, warmup)
    rate = flowport.load.per_second
    details = [
        _describe(flowport),
        f"raw RS256 signing in-process (joserfc, one core): {signed:.0f} tokens/s; "
        f"Flowport / raw signing = {rate / signed:.2f}",
        f"{CONNECTIONS} keep-alive connections, {duration:.0f} s after {warmup:.0f} s warm-up, "
        "client_secret_basic, same requests to both servers",
    ]
    try:
        node = measure_node(duration, warmup)
    except oidc_provider.Unavailable as exc:
        details.append(f"node-oidc-provider not measured: {exc}")
        return [
            Figure(
                "T token endpoint",
                f"{rate:.0f} tokens/s (Flowport; node-oidc-provider unavailable)",
                target=f"ratio ≥ {TARGET_RATIO:g}",
                status="skipped",
                details=details,
            )
        ]
    _, version = oidc_provider.install()
    details.insert(1, _describe(node) + f" ({version})")
    node_rate = node.load.per_second
    ratio = rate / node_rate if node_rate else float("inf")
    return [
        ratio_figure(
            "T token endpoint",
            f"{rate:.0f} tokens/s Flowport vs {node_rate:.0f} node-oidc-provider",
            ratio,
            TARGET_RATIO,
            higher_is_better=True,
            details=details,
        )
    ]


if __name__ == "__main__":
    from bench.results import console, render

    out = console()
    render(out, run(quick=False))

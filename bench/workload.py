"""The unit of work every benchmark measures: one lifecycle of the ``user_task`` process.

A lifecycle starts an instance (start -> user task ``task1``), completes its one user task, and the
instance runs to its end event.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import httpx

BPMN_PATH = Path(__file__).with_name("lifecycle.bpmn")
PROCESS_KEY = "user_task"
START_BODY = {"definitionKey": PROCESS_KEY}
COMPLETE_BODY: dict[str, dict[str, object]] = {"variables": {}}


def bpmn_bytes() -> bytes:
    return BPMN_PATH.read_bytes()


@dataclass(frozen=True)
class Timings:
    """Wall-clock seconds of the three requests of one lifecycle."""

    start: float
    lookup: float
    complete: float

    @property
    def start_complete(self) -> float:
        return self.start + self.complete

    @property
    def total(self) -> float:
        return self.start + self.lookup + self.complete


class LifecycleError(RuntimeError):
    """A request of a lifecycle answered with an unexpected status."""

    def __init__(self, step: str, response: httpx.Response) -> None:
        super().__init__(f"{step}: HTTP {response.status_code} {response.text[:200]}")
        self.step = step
        self.status = response.status_code


def deploy(client: httpx.Client) -> str:
    """Deploy the lifecycle process; returns the definition id."""
    response = client.post(
        "/api/v1/process-definitions", content=bpmn_bytes(), headers={"content-type": "application/xml"}
    )
    if response.status_code not in (200, 201):
        raise LifecycleError("deploy", response)
    return str(response.json()["definitions"][0]["id"])


def run_lifecycle(client: httpx.Client) -> tuple[str, Timings]:
    """One lifecycle through the API with a blocking client; returns the instance id and timings."""
    t0 = time.perf_counter()
    started = client.post("/api/v1/process-instances", json=START_BODY)
    t1 = time.perf_counter()
    if started.status_code != 201:
        raise LifecycleError("start", started)
    instance_id = str(started.json()["id"])
    found = client.get("/api/v1/tasks", params={"processInstanceId": instance_id})
    t2 = time.perf_counter()
    if found.status_code != 200 or not found.json()["items"]:
        raise LifecycleError("lookup", found)
    task_id = found.json()["items"][0]["id"]
    done = client.post(f"/api/v1/tasks/{task_id}/complete", json=COMPLETE_BODY)
    t3 = time.perf_counter()
    if done.status_code != 200:
        raise LifecycleError("complete", done)
    return instance_id, Timings(t1 - t0, t2 - t1, t3 - t2)


async def run_lifecycle_async(client: httpx.AsyncClient) -> Timings:
    """One lifecycle through the API with an asyncio client."""
    t0 = time.perf_counter()
    started = await client.post("/api/v1/process-instances", json=START_BODY)
    t1 = time.perf_counter()
    if started.status_code != 201:
        raise LifecycleError("start", started)
    instance_id = started.json()["id"]
    found = await client.get("/api/v1/tasks", params={"processInstanceId": instance_id})
    t2 = time.perf_counter()
    if found.status_code != 200 or not found.json()["items"]:
        raise LifecycleError("lookup", found)
    task_id = found.json()["items"][0]["id"]
    done = await client.post(f"/api/v1/tasks/{task_id}/complete", json=COMPLETE_BODY)
    t3 = time.perf_counter()
    if done.status_code != 200:
        raise LifecycleError("complete", done)
    return Timings(t1 - t0, t2 - t1, t3 - t2)

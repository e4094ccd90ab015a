"""Workers completing the jobs of real process instances (threads and asyncio)."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Callable

from flowport.client import AsyncClient, AsyncWorker, Client, Job, Worker
from tests.e2e.server import LiveServer
from tests.helpers import bpmn
from tests.sdk.conftest import ADMIN_ID, ADMIN_SECRET, EXAMPLES

DEADLINE = 30.0  # seconds: a bound for waits that end in well under one on a healthy machine


def _eventually(check: Callable[[], bool]) -> None:
    deadline = time.monotonic() + DEADLINE
    while not check():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.1)


def test_a_worker_completes_the_jobs_of_real_instances(flowport: Client) -> None:
    flowport.definitions.deploy(EXAMPLES / "external_service.bpmn")
    key = f"inv-{uuid.uuid4().hex[:8]}"
    started = [flowport.instances.start("invoice", {"amount": n}, business_key=key) for n in range(5)]
    charged: list[int] = []

    def charge(job: Job) -> dict[str, bool]:
        charged.append(job.variables["amount"] if job.variables else -1)
        return {"charged": True}

    worker = Worker(flowport, {"payments": charge, "email": lambda job: None}, max_jobs=3, poll_interval=0.1)
    thread = threading.Thread(target=worker.run, kwargs={"handle_signals": False})
    thread.start()
    try:
        _eventually(lambda: all(flowport.instances.get(i.id).status == "COMPLETED" for i in started))
    finally:
        worker.stop()
        thread.join(DEADLINE)
    assert not thread.is_alive()
    assert sorted(charged) == [0, 1, 2, 3, 4]  # each job handled once
    assert all(flowport.instances.variables(i.id)["charged"] is True for i in started)


def test_a_failing_handler_is_retried_after_its_backoff(flowport: Client) -> None:
    flowport.definitions.deploy(bpmn("service_task.bpmn"))
    instance = flowport.instances.start("service_task")
    tries: list[int | None] = []

    def flaky(job: Job) -> None:
        if job.process_instance_id != instance.id:
            return
        tries.append(job.retries)
        if len(tries) == 1:
            raise ConnectionError("payment provider down")

    worker = Worker(flowport, {"work-topic": flaky}, poll_interval=0.1, retries=3, retry_backoff=0.2)
    thread = threading.Thread(target=worker.run, kwargs={"handle_signals": False})
    thread.start()
    try:
        _eventually(lambda: flowport.instances.get(instance.id).active_element_ids == ("after_work",))
    finally:
        worker.stop()
        thread.join(DEADLINE)
    assert tries == [None, 2]  # fetched again with one retry less
    assert list(flowport.incidents.search(process_instance_id=instance.id)) == []


def test_the_async_client_and_worker(server: LiveServer) -> None:
    async def main() -> None:
        async with AsyncClient(server.url, client_id=ADMIN_ID, client_secret=ADMIN_SECRET) as flowport:
            await flowport.definitions.deploy(bpmn("service_task.bpmn"))
            key = f"async-{uuid.uuid4().hex[:8]}"
            started = [await flowport.instances.start("service_task", business_key=key) for _ in range(3)]

            async def work(job: Job) -> dict[str, bool]:
                await asyncio.sleep(0)
                return {"worked": True}

            worker = AsyncWorker(flowport, {"work-topic": work}, poll_interval=0.1)
            running = asyncio.create_task(worker.run(handle_signals=False))
            deadline = time.monotonic() + DEADLINE
            while not all([await _at_after_work(flowport, i.id) for i in started]):
                assert time.monotonic() < deadline, "gave up waiting"
                await asyncio.sleep(0.1)
            worker.stop()
            await asyncio.wait_for(running, DEADLINE)
            for instance in started:
                tasks = [t async for t in flowport.tasks.search(process_instance_id=instance.id)]
                assert [t.element_id for t in tasks] == ["after_work"]
                await flowport.tasks.complete(tasks[0].id)
                assert (await flowport.instances.get(instance.id)).status == "COMPLETED"

    asyncio.run(main())


async def _at_after_work(flowport: AsyncClient, instance_id: str) -> bool:
    return (await flowport.instances.get(instance_id)).active_element_ids == ("after_work",)

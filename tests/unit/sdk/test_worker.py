"""The job worker: complete once, fail with fewer retries and backoff, extend locks, stop gracefully."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from flowport.client import AsyncWorker, Job, JobFailed, Worker
from tests.unit.sdk.fake_server import FakeServer, job_json, problem

WAIT = 10.0  # seconds a test waits for something that happens at once on a healthy machine


class JobBoard:
    """The jobs routes of a fake server: hands out queued jobs, records what the worker reports."""

    def __init__(self, server: FakeServer, *batches: list[dict[str, Any]]) -> None:
        self.batches = list(batches)
        self.completed: list[tuple[str, dict[str, Any]]] = []
        self.failed: list[tuple[str, dict[str, Any]]] = []
        self.extended = threading.Event()
        self.reported = threading.Condition()
        self.fetches = 0
        self.complete_answer: httpx.Response | None = None
        server.route("POST", "/api/v1/jobs/fetch-and-lock", self._fetch)
        for job_id in ("j-1", "j-2", "j-3"):
            server.route("POST", f"/api/v1/jobs/{job_id}/complete", self._complete)
            server.route("POST", f"/api/v1/jobs/{job_id}/fail", self._fail)
            server.route("POST", f"/api/v1/jobs/{job_id}/extend-lock", self._extend)

    def _fetch(self, request: httpx.Request) -> httpx.Response:
        self.fetches += 1
        items = self.batches.pop(0) if self.batches else []
        return httpx.Response(200, json={"items": items, "nextCursor": None})

    def _job_id(self, request: httpx.Request) -> str:
        return request.url.path.split("/")[4]

    def _complete(self, request: httpx.Request) -> httpx.Response:
        with self.reported:
            self.completed.append((self._job_id(request), json.loads(request.content)))
            self.reported.notify_all()
        return self.complete_answer or httpx.Response(204)

    def _fail(self, request: httpx.Request) -> httpx.Response:
        with self.reported:
            self.failed.append((self._job_id(request), json.loads(request.content)))
            self.reported.notify_all()
        return httpx.Response(200, json=job_json(self._job_id(request)))

    def _extend(self, request: httpx.Request) -> httpx.Response:
        self.extended.set()
        return httpx.Response(200, json=job_json(self._job_id(request)))

    def wait_for(self, done: Callable[[], bool]) -> None:
        with self.reported:
            assert self.reported.wait_for(done, WAIT)


def _running(worker: Worker) -> threading.Thread:
    thread = threading.Thread(target=worker.run, kwargs={"handle_signals": False})
    thread.start()
    return thread


def _stop(worker: Worker, thread: threading.Thread) -> None:
    worker.stop()
    thread.join(WAIT)
    assert not thread.is_alive()


def test_each_job_is_completed_once_with_the_handlers_variables() -> None:
    server = FakeServer()
    board = JobBoard(server, [job_json("j-1"), job_json("j-2")])
    with server.client() as client:
        worker = Worker(
            client, {"payments": lambda job: {"charged": job.variables["amount"]}}, poll_interval=0.01
        )
        thread = _running(worker)
        board.wait_for(lambda: len(board.completed) == 2)
        _stop(worker, thread)
    assert sorted(board.completed) == [
        ("j-1", {"workerId": worker.worker_id, "variables": {"charged": 10}}),
        ("j-2", {"workerId": worker.worker_id, "variables": {"charged": 10}}),
    ]
    assert board.failed == []


def test_a_handlers_exception_fails_the_job_with_one_retry_less_and_backoff() -> None:
    server = FakeServer()
    board = JobBoard(
        server, [job_json("j-1", retries=None), job_json("j-2", retries=2), job_json("j-3", retries=1)]
    )

    def broken(job: Job) -> None:
        raise RuntimeError("card declined")

    with server.client() as client:
        worker = Worker(client, {"payments": broken}, poll_interval=0.01, retries=3, retry_backoff=5)
        thread = _running(worker)
        board.wait_for(lambda: len(board.failed) == 3)
        _stop(worker, thread)
    reports = {job_id: (b["retries"], b["retryTimeout"], b["errorMessage"]) for job_id, b in board.failed}
    assert reports == {
        "j-1": (2, 5000, "RuntimeError: card declined"),  # first failure
        "j-2": (1, 10000, "RuntimeError: card declined"),  # second: twice as long
        "j-3": (0, 0, "RuntimeError: card declined"),  # the last one: an incident, no wait
    }
    assert board.completed == []


def test_job_failed_reports_its_message_as_is() -> None:
    server = FakeServer()
    board = JobBoard(server, [job_json("j-1", retries=2)])

    def declined(job: Job) -> None:
        raise JobFailed("card declined by the bank")

    with server.client() as client:
        worker = Worker(client, {"payments": declined}, poll_interval=0.01)
        thread = _running(worker)
        board.wait_for(lambda: len(board.failed) == 1)
        _stop(worker, thread)
    assert board.failed[0][1]["errorMessage"] == "card declined by the bank"


def test_a_lost_lock_is_logged_and_the_worker_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    server = FakeServer()
    board = JobBoard(server, [job_json("j-1")], [job_json("j-2")])
    board.complete_answer = problem(404, "Not found", "No job j-1 locked by this worker")
    with server.client() as client:
        worker = Worker(client, {"payments": lambda job: None}, poll_interval=0.01)
        thread = _running(worker)
        board.wait_for(lambda: len(board.completed) == 2)
        _stop(worker, thread)
    assert "lock lost, not completed" in caplog.text
    assert [job_id for job_id, _ in board.completed] == ["j-1", "j-2"]  # one try each, no retry


def test_a_job_fetched_again_while_it_runs_is_not_handled_twice() -> None:
    server = FakeServer()
    board = JobBoard(server, [job_json("j-1")], [job_json("j-1")], [job_json("j-1")])
    release = threading.Event()
    calls: list[str] = []

    def slow(job: Job) -> None:
        calls.append(job.id)
        release.wait(WAIT)

    with server.client() as client:
        worker = Worker(client, {"payments": slow}, poll_interval=0.01, max_jobs=2)
        thread = _running(worker)
        while board.batches:  # let the worker fetch the same job again while it runs
            threading.Event().wait(0.01)
        release.set()
        board.wait_for(lambda: len(board.completed) >= 1)
        _stop(worker, thread)
    assert calls == ["j-1"]
    assert len(board.completed) == 1


def test_a_long_handlers_lock_is_extended() -> None:
    server = FakeServer()
    board = JobBoard(server, [job_json("j-1")])
    with server.client() as client:
        worker = Worker(
            client, {"payments": lambda job: {"extended": board.extended.wait(WAIT)}}, lock_duration=0.3
        )
        thread = _running(worker)
        board.wait_for(lambda: len(board.completed) == 1)
        _stop(worker, thread)
    assert board.completed[0][1]["variables"] == {"extended": True}


def test_stop_lets_the_running_handler_finish_and_fetches_no_more() -> None:
    server = FakeServer()
    board = JobBoard(server, [job_json("j-1")])
    started, release = threading.Event(), threading.Event()

    def slow(job: Job) -> dict[str, bool]:
        started.set()
        release.wait(WAIT)
        return {"done": True}

    with server.client() as client:
        worker = Worker(client, {"payments": slow}, poll_interval=0.01)
        thread = _running(worker)
        assert started.wait(WAIT)
        worker.stop()
        fetches = board.fetches
        release.set()
        thread.join(WAIT)
        assert not thread.is_alive()
    assert board.completed == [("j-1", {"workerId": worker.worker_id, "variables": {"done": True}})]
    assert board.fetches == fetches


def test_the_async_worker_completes_and_fails_jobs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    server = FakeServer()
    board = JobBoard(server, [job_json("j-1"), job_json("j-2", topic="email")])

    async def charge(job: Job) -> dict[str, bool]:
        await asyncio.sleep(0)
        return {"charged": True}

    def send(job: Job) -> None:  # a plain function runs in a thread
        raise ValueError("no mail server")

    async def main() -> None:
        async with server.async_client() as client:
            worker = AsyncWorker(client, {"payments": charge, "email": send}, poll_interval=0.01)
            running = asyncio.create_task(worker.run(handle_signals=False))
            while not (board.completed and board.failed):
                await asyncio.sleep(0.01)
            worker.stop()
            await asyncio.wait_for(running, WAIT)

    asyncio.run(main())
    assert [(job_id, body["variables"]) for job_id, body in board.completed] == [("j-1", {"charged": True})]
    assert [(job_id, body["retries"]) for job_id, body in board.failed] == [("j-2", 2)]


def test_sigterm_stops_the_worker_after_its_running_handler() -> None:
    server = FakeServer()
    board = JobBoard(server, [job_json("j-1")])
    started = threading.Event()

    def slow(job: Job) -> dict[str, bool]:
        started.set()
        threading.Event().wait(0.2)  # still running when SIGTERM arrives
        return {"done": True}

    def terminate() -> None:
        assert started.wait(WAIT)
        os.kill(os.getpid(), signal.SIGTERM)

    previous = signal.getsignal(signal.SIGTERM)
    with server.client() as client:
        worker = Worker(client, {"payments": slow}, poll_interval=0.01)
        killer = threading.Thread(target=terminate)
        killer.start()
        worker.run()  # in the main thread, where it installs its signal handlers
        killer.join(WAIT)
    assert board.completed == [("j-1", {"workerId": worker.worker_id, "variables": {"done": True}})]
    assert signal.getsignal(signal.SIGTERM) is previous

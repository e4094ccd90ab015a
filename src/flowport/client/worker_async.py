"""The job worker over asyncio: the :class:`~flowport.client.Worker` loop with tasks instead of threads.

Handlers may be coroutine functions or plain functions (those run in a thread, so they do not
block the loop).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import signal
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from flowport.client import errors
from flowport.client.async_client import AsyncClient
from flowport.client.models import Job
from flowport.client.worker_core import (
    WorkerSettings,
    default_worker_id,
    failure_report,
    fetch_backoff,
    lock_lost,
    log,
    log_lost,
)

Result = Mapping[str, Any] | None
AsyncHandler = Callable[[Job], Awaitable[Result]] | Callable[[Job], Result]


class AsyncWorker:
    """Runs ``topics``' handlers as up to ``max_jobs`` tasks; see :class:`~flowport.client.Worker`."""

    def __init__(
        self,
        client: AsyncClient,
        topics: Mapping[str, AsyncHandler],
        *,
        max_jobs: int = 4,
        lock_duration: float = 60.0,
        worker_id: str | None = None,
        poll_interval: float = 1.0,
        retries: int = 3,
        retry_backoff: float = 5.0,
        retry_backoff_max: float = 300.0,
    ) -> None:
        self.client = client
        self.handlers = dict(topics)
        self.settings = WorkerSettings(
            worker_id or default_worker_id(),
            tuple(self.handlers),
            max_jobs,
            lock_duration,
            poll_interval,
            retries,
            retry_backoff,
            retry_backoff_max,
        )
        self._stopping = asyncio.Event()
        self._running: dict[str, asyncio.Task[None]] = {}
        self._slot_freed = asyncio.Event()
        self._fetch_failures = 0

    @property
    def worker_id(self) -> str:
        return self.settings.worker_id

    def stop(self) -> None:
        """Fetch no more jobs; :meth:`run` returns when running handlers are done (call it in the loop)."""
        self._stopping.set()
        self._slot_freed.set()

    async def run(self, *, handle_signals: bool = True) -> None:
        """Work until stopped; SIGTERM and SIGINT stop it gracefully (where the loop supports it)."""
        loop = asyncio.get_running_loop()
        installed = self._install_signals(loop) if handle_signals else []
        try:
            while not self._stopping.is_set():
                free = self.settings.max_jobs - len(self._running)
                if free <= 0:
                    self._slot_freed.clear()
                    await self._slot_freed.wait()
                    continue
                if not await self._fetch(free):
                    idle = self.settings.poll_interval
                    if self._fetch_failures:
                        idle = fetch_backoff(self._fetch_failures, self.settings)
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._stopping.wait(), idle)
            if self._running:
                await asyncio.gather(*self._running.values(), return_exceptions=True)
        finally:
            for sig in installed:
                loop.remove_signal_handler(sig)
        log.info("worker %s stopped", self.worker_id)

    async def _fetch(self, free: int) -> bool:
        try:
            jobs = await self.client.jobs.fetch_and_lock(
                self.worker_id, self.settings.topic_locks, max_jobs=free
            )
        except errors.FlowportClientError as exc:
            self._fetch_failures += 1
            log.warning("worker %s: fetch-and-lock failed: %s", self.worker_id, exc)
            return False
        self._fetch_failures = 0
        for job in jobs:
            if job.id not in self._running:  # re-fetched after its lock expired: it is being handled
                self._running[job.id] = asyncio.create_task(self._handle(job), name=f"flowport-job-{job.id}")
        return bool(jobs)

    async def _handle(self, job: Job) -> None:
        keeper = asyncio.create_task(self._keep_lock(job.id))
        try:
            try:
                variables = await self._call_handler(job)
            except Exception as exc:
                keeper.cancel()
                log.info("job %s (%s) failed in its handler: %s", job.id, job.topic, exc)
                await self._report(job, exc)
            else:
                keeper.cancel()
                await self._complete(job, variables)
        finally:
            keeper.cancel()
            self._running.pop(job.id, None)
            self._slot_freed.set()

    async def _call_handler(self, job: Job) -> Result:
        handler = self.handlers[job.topic]
        if inspect.iscoroutinefunction(handler):
            return await handler(job)  # type: ignore[no-any-return]
        result = await asyncio.to_thread(handler, job)
        if inspect.isawaitable(result):
            return await result
        return result

    async def _complete(self, job: Job, variables: Result) -> None:
        try:
            await self.client.jobs.complete(job.id, self.worker_id, variables)
        except errors.FlowportClientError as exc:
            if lock_lost(exc):
                log_lost(job.id, "completed", exc)
            else:
                log.error("job %s: completing it failed: %s", job.id, exc)

    async def _report(self, job: Job, exc: Exception) -> None:
        report = failure_report(job, exc, self.settings)
        try:
            await self.client.jobs.fail(
                job.id,
                self.worker_id,
                report.error_message,
                retries=report.retries,
                retry_timeout=report.retry_timeout,
            )
        except errors.FlowportClientError as failure:
            if lock_lost(failure):
                log_lost(job.id, "reported as failed", failure)
            else:
                log.error("job %s: reporting its failure failed: %s", job.id, failure)

    async def _keep_lock(self, job_id: str) -> None:
        """Extend the job's lock every third of its duration until the handler is done."""
        while True:
            await asyncio.sleep(self.settings.extend_every)
            try:
                await self.client.jobs.extend_lock(job_id, self.worker_id, self.settings.lock_duration)
            except errors.FlowportClientError as exc:
                if lock_lost(exc):
                    log_lost(job_id, "extended", exc)
                    return
                log.warning("job %s: extending its lock failed (will try again): %s", job_id, exc)

    def _install_signals(self, loop: asyncio.AbstractEventLoop) -> list[signal.Signals]:
        installed = []
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                loop.add_signal_handler(sig, self.stop)
            except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or Windows
                continue
            installed.append(sig)
        return installed

"""The job worker over threads: fetch-and-lock, run the topic's handler, complete or fail, repeat.

``Worker(client, topics={"payments": charge}).run()`` blocks until SIGTERM, SIGINT or
:meth:`Worker.stop`; then it fetches nothing more and lets running handlers finish.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from types import FrameType
from typing import Any

from flowport.client import errors
from flowport.client.models import Job
from flowport.client.sync_client import Client
from flowport.client.worker_core import (
    WorkerSettings,
    default_worker_id,
    failure_report,
    fetch_backoff,
    lock_lost,
    log,
    log_lost,
)

Handler = Callable[[Job], Mapping[str, Any] | None]


class Worker:
    """Runs ``topics``' handlers on up to ``max_jobs`` threads; a handler returns the variables to set.

    A handler's exception fails the job with one retry less and a growing ``retryTimeout``; a
    long handler's lock is extended in the background; a job is completed at most once (a job
    whose lock was lost is logged and left to whoever holds it now). A worker runs once: after
    :meth:`stop`, build a new one.
    """

    def __init__(
        self,
        client: Client,
        topics: Mapping[str, Handler],
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
        self._stopping = threading.Event()
        self._slots = threading.Condition()
        self._running: set[str] = set()
        self._fetch_failures = 0
        self._locks = _LockKeeper(self._extend, self.settings.extend_every)

    @property
    def worker_id(self) -> str:
        return self.settings.worker_id

    def stop(self) -> None:
        """Fetch no more jobs; :meth:`run` returns once the running handlers are done."""
        self._stopping.set()
        with self._slots:
            self._slots.notify_all()

    def run(self, *, handle_signals: bool = True) -> None:
        """Work until stopped; SIGTERM and SIGINT stop it gracefully (from the main thread)."""
        with (
            self._signals(handle_signals),
            ThreadPoolExecutor(self.settings.max_jobs, thread_name_prefix="flowport-worker") as pool,
        ):
            self._locks.start()
            try:
                while not self._stopping.is_set():
                    free = self._free_slots()
                    if free and not self._fetch_into(pool, free):
                        self._stopping.wait(self._idle_wait())
            finally:
                pool.shutdown(wait=True)
                self._locks.close()
        log.info("worker %s stopped", self.worker_id)

    def _idle_wait(self) -> float:
        if self._fetch_failures:
            return fetch_backoff(self._fetch_failures, self.settings)
        return self.settings.poll_interval

    def _free_slots(self) -> int:
        with self._slots:
            while len(self._running) >= self.settings.max_jobs and not self._stopping.is_set():
                self._slots.wait()
            return 0 if self._stopping.is_set() else self.settings.max_jobs - len(self._running)

    def _fetch_into(self, pool: ThreadPoolExecutor, free: int) -> bool:
        """Lock up to ``free`` jobs and hand them to the pool; False when there was nothing to do."""
        try:
            jobs = self.client.jobs.fetch_and_lock(self.worker_id, self.settings.topic_locks, max_jobs=free)
        except errors.FlowportClientError as exc:
            self._fetch_failures += 1
            log.warning("worker %s: fetch-and-lock failed: %s", self.worker_id, exc)
            return False
        self._fetch_failures = 0
        for job in jobs:
            with self._slots:
                if job.id in self._running:  # re-fetched after its lock expired: it is being handled
                    continue
                self._running.add(job.id)
            pool.submit(self._handle, job)
        return bool(jobs)

    def _handle(self, job: Job) -> None:
        self._locks.track(job.id)
        try:
            try:
                variables = self.handlers[job.topic](job)
            except Exception as exc:
                self._locks.forget(job.id)
                log.info("job %s (%s) failed in its handler: %s", job.id, job.topic, exc)
                self._report(job, exc)
            else:
                self._locks.forget(job.id)
                self._complete(job, variables)
        finally:
            with self._slots:
                self._running.discard(job.id)
                self._slots.notify_all()

    def _complete(self, job: Job, variables: Mapping[str, Any] | None) -> None:
        try:
            self.client.jobs.complete(job.id, self.worker_id, variables)
        except errors.FlowportClientError as exc:
            if lock_lost(exc):
                log_lost(job.id, "completed", exc)
            else:
                log.error("job %s: completing it failed: %s", job.id, exc)

    def _report(self, job: Job, exc: Exception) -> None:
        report = failure_report(job, exc, self.settings)
        try:
            self.client.jobs.fail(
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

    def _extend(self, job_id: str) -> bool:
        """Extend one lock; False when it is lost (the keeper stops trying)."""
        try:
            self.client.jobs.extend_lock(job_id, self.worker_id, self.settings.lock_duration)
        except errors.FlowportClientError as exc:
            if lock_lost(exc):
                log_lost(job_id, "extended", exc)
                return False
            log.warning("job %s: extending its lock failed (will try again): %s", job_id, exc)
        return True

    @contextmanager
    def _signals(self, enabled: bool) -> Iterator[None]:
        if not enabled or threading.current_thread() is not threading.main_thread():
            yield
            return

        def stop(signum: int, frame: FrameType | None) -> None:
            log.info("worker %s: signal %d, stopping after the running jobs", self.worker_id, signum)
            signal.signal(signal.SIGINT, signal.default_int_handler)  # a second Ctrl-C interrupts them
            self.stop()

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


class _LockKeeper:
    """One thread that extends the locks of running jobs every ``every`` seconds."""

    def __init__(self, extend: Callable[[str], bool], every: float) -> None:
        self._extend = extend
        self._every = every
        self._due: dict[str, float] = {}
        self._wake = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name="flowport-lock-keeper", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def track(self, job_id: str) -> None:
        with self._wake:
            self._due[job_id] = time.monotonic() + self._every
            self._wake.notify()

    def forget(self, job_id: str) -> None:
        with self._wake:
            self._due.pop(job_id, None)

    def close(self) -> None:
        with self._wake:
            self._closed = True
            self._wake.notify()
        if self._thread.is_alive():
            self._thread.join()

    def _loop(self) -> None:
        while True:
            with self._wake:
                while not self._closed:
                    now = time.monotonic()
                    due = [job_id for job_id, at in self._due.items() if at <= now]
                    if due:
                        for job_id in due:
                            self._due[job_id] = now + self._every
                        break
                    self._wake.wait(min(self._due.values(), default=now + self._every) - now)
                if self._closed:
                    return
            for job_id in due:
                if self._tracked(job_id) and not self._extend(job_id):
                    self.forget(job_id)

    def _tracked(self, job_id: str) -> bool:
        """Still running: a job whose handler just finished needs no extension (it would be a 404)."""
        with self._wake:
            return job_id in self._due

"""The counts a running ``flowport worker run`` shows: a live line on a terminal, a log line per job else."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from rich.live import Live
from rich.text import Text

from flowport.cli import output
from flowport.cli.job_handlers import JobHandler
from flowport.client.models import Job


class WorkerStatus:
    """Jobs done, failed and running, counted around the handler (thread-safe: handlers run on threads)."""

    def __init__(self, topics: list[str], *, log_jobs: bool) -> None:
        self.worker_id = ""  # the SDK's worker names itself
        self.topics = topics
        self.done = 0
        self.failed = 0
        self.running = 0
        self._log_jobs = log_jobs
        self._lock = threading.Lock()

    def counting(self, handler: JobHandler) -> JobHandler:
        def counted(job: Job) -> Mapping[str, Any] | None:
            with self._lock:
                self.running += 1
            try:
                result = handler(job)
            except Exception as exc:
                self._finished(job, failure=str(exc) or type(exc).__name__)
                raise
            self._finished(job, failure=None)
            return result

        return counted

    def _finished(self, job: Job, failure: str | None) -> None:
        with self._lock:
            self.running -= 1
            if failure is None:
                self.done += 1
            else:
                self.failed += 1
        if self._log_jobs:
            outcome = "done" if failure is None else f"failed: {failure.splitlines()[0] if failure else ''}"
            output.line(f"job {job.id} ({job.topic}, instance {job.process_instance_id}): {outcome}")

    def line(self) -> Text:
        with self._lock:
            done, failed, running = self.done, self.failed, self.running
        text = Text(f"Worker {self.worker_id} on {', '.join(self.topics)}: ")
        text.append(f"{done} done", style="green")
        text.append(", ")
        text.append(f"{failed} failed", style="red" if failed else "")
        text.append(f", {running} running  (Ctrl-C stops)")
        return text

    def summary(self) -> str:
        return f"Worker {self.worker_id} stopped: {self.done} done, {self.failed} failed."

    @contextmanager
    def live(self, enabled: bool) -> Iterator[None]:
        """The status line, redrawn in place while the worker runs (nothing when ``enabled`` is False)."""
        if not enabled:
            yield
            return
        with Live(get_renderable=self.line, console=output.console(), refresh_per_second=4, transient=True):
            yield

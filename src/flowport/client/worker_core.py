"""What the sync and async job workers share: settings, failure reports with backoff, lost locks."""

from __future__ import annotations

import logging
import os
import socket
import uuid
from dataclasses import dataclass

from flowport.client import errors
from flowport.client.models import Job

log = logging.getLogger("flowport.client.worker")

MAX_ERROR_MESSAGE = 10_000  # the server's limit for errorMessage


def default_worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


class JobFailed(Exception):
    """Raise it from a handler to fail the job with exactly this message (no exception class prefix).

    Any other exception fails the job too, reported as ``ClassName: message``.
    """


@dataclass(frozen=True)
class WorkerSettings:
    """How a worker fetches and reports; durations in seconds.

    A job that never failed has ``retries`` tries left; each failure reports one less, to be
    fetched again after ``retry_backoff * 2**(failures - 1)`` seconds (at most ``retry_backoff_max``);
    the last one becomes an incident. Locks are extended every third of ``lock_duration``.
    """

    worker_id: str
    topics: tuple[str, ...]
    max_jobs: int = 4
    lock_duration: float = 60.0
    poll_interval: float = 1.0
    retries: int = 3
    retry_backoff: float = 5.0
    retry_backoff_max: float = 300.0

    def __post_init__(self) -> None:
        if self.max_jobs < 1 or self.lock_duration <= 0 or not self.topics:
            raise ValueError("A worker needs topics, max_jobs >= 1 and a positive lock_duration")

    @property
    def extend_every(self) -> float:
        return self.lock_duration / 3

    @property
    def topic_locks(self) -> dict[str, float]:
        return dict.fromkeys(self.topics, self.lock_duration)


@dataclass(frozen=True)
class FailureReport:
    error_message: str
    retries: int
    retry_timeout: float


def failure_report(job: Job, exc: BaseException, settings: WorkerSettings) -> FailureReport:
    """The ``fail`` call for a handler's exception: one retry less, and a longer wait each time."""
    left = job.retries if job.retries is not None else settings.retries
    remaining = max(0, left - 1)
    failures = max(1, settings.retries - remaining)
    timeout = min(settings.retry_backoff_max, settings.retry_backoff * 2 ** (failures - 1))
    if isinstance(exc, JobFailed):
        message = str(exc) or "the handler failed"
    else:
        message = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return FailureReport(message[:MAX_ERROR_MESSAGE], remaining, timeout if remaining else 0.0)


MAX_FETCH_BACKOFF = 30.0


def fetch_backoff(failures: int, settings: WorkerSettings) -> float:
    """How long to wait after ``failures`` failed fetches in a row: the server may be down a while."""
    return min(MAX_FETCH_BACKOFF, settings.poll_interval * 2.0 ** max(0, failures - 1))


def lock_lost(exc: BaseException) -> bool:
    """The server no longer gives this worker the job (expired lock taken by another, or gone)."""
    return isinstance(exc, errors.NotFound | errors.Conflict)


def log_lost(job_id: str, action: str, exc: BaseException) -> None:
    log.warning("job %s: lock lost, not %s (%s)", job_id, action, exc)

"""When a call is tried again: the rules both clients follow, as a small state machine without I/O.

- An idempotent call (GET, PUT, DELETE, and the POSTs that say they are safe) retries on a
  connection error or a 503, with exponential backoff and jitter, honouring ``Retry-After``.
- A non-idempotent call never retries silently: its answer may have been lost after it was applied.
- Any call is sent once more after a 401 with ``error="invalid_token"`` and a fresh token: the 401
  proves the server did not apply it.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import httpx

from flowport.client import errors
from flowport.client.operations import Operation

T = TypeVar("T")
log = logging.getLogger("flowport.client")


@dataclass(frozen=True)
class RetryPolicy:
    """``retries`` tries after the first; the n-th waits about ``backoff * 2**n`` s, up to ``backoff_max``."""

    retries: int = 3
    backoff: float = 0.5
    backoff_max: float = 10.0

    def delay(self, retry: int, retry_after: float | None = None) -> float:
        wait = min(self.backoff_max, self.backoff * 2.0**retry) * random.uniform(0.5, 1.0)
        if retry_after is not None:
            wait = max(wait, min(retry_after, self.backoff_max))
        return wait


@dataclass(frozen=True)
class Done(Generic[T]):
    value: T


@dataclass(frozen=True)
class Retry:
    delay: float
    renew_token: bool = False


Step = Done[T] | Retry


class Attempts(Generic[T]):
    """The tries of one operation: after each answer or error, say whether to return, retry or raise."""

    def __init__(self, op: Operation[T], policy: RetryPolicy, *, renewable: bool) -> None:
        self.op = op
        self.policy = policy
        self.renewable = renewable and op.authenticated
        self.retried = 0
        self.renewed = False

    def after_error(self, exc: httpx.TransportError) -> Retry:
        if self.op.retry_safe and self.retried < self.policy.retries:
            return self._retry(type(exc).__name__)
        raise errors.TransportError(
            f"{self.op.method} {_shown(self.op.path)} failed: {_describe(exc)}"
        ) from exc

    def after_response(self, response: httpx.Response) -> Step[T]:
        status = response.status_code
        if status == 401 and self.renewable and not self.renewed and _invalid_token(response):
            self.renewed = True
            log.debug("token refused (invalid_token); renewing it and sending %s once more", self.op.method)
            return Retry(0.0, renew_token=True)
        if status == 503 and self.op.retry_safe and self.retried < self.policy.retries:
            return self._retry("503", errors.retry_after(response.headers))
        if response.is_error:
            raise self.op.error(response)
        return Done(self.op.parse(response))

    def _retry(self, reason: str, retry_after: float | None = None) -> Retry:
        delay = self.policy.delay(self.retried, retry_after)
        self.retried += 1
        log.info(
            "%s %s: %s, retry %d of %d in %.2f s",
            self.op.method,
            _shown(self.op.path),
            reason,
            self.retried,
            self.policy.retries,
            delay,
        )
        return Retry(delay)


def _invalid_token(response: httpx.Response) -> bool:
    return errors.bearer_error(response.headers.get("www-authenticate")) == "invalid_token"


def _shown(path: str) -> str:
    return path.split("?", 1)[0]


def _describe(exc: Any) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__

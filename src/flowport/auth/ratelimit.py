"""Lockout after repeated failed authentications, per (client or user, source address) pair.

Failures are counted three ways within a sliding window of ``window`` seconds:

* per (subject, address) pair: past ``threshold`` failures, that subject is locked out *from that
  address*; the same subject from any other address keeps working, so an attacker cannot lock a
  legitimate client out of its own network position;
* per address, across subjects: past ``address_threshold`` (default 5 x ``threshold``) failures, the
  address is locked out for every subject, which stops one source from spraying many client ids;
* per subject, across addresses: never locks (that would hand attackers a denial of service), but is
  reported so the audit log shows a distributed guessing attempt.

A locked-out attempt is refused with 429 and ``Retry-After`` *before* its secret is checked, so the
answer is the same whether the secret was right or wrong. Counters live in memory, per process: with
N processes behind a load balancer an address gets up to N x threshold tries per window. Memory is
bounded: each table keeps at most ``max_entries`` keys, dropping the least recently failed first.
Thread-safe (one lock; every operation is O(1) amortized).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

ADDRESS_FACTOR = 5


@dataclass(frozen=True)
class Lockout:
    """Why and for how long further attempts are refused."""

    retry_after: int  # whole seconds, at least 1 (RFC 9110 section 10.2.3)
    scope: str  # "pair": this subject from this address; "address": every subject from it


class _Window:
    """The most recent failure times of one key, at most ``limit`` of them."""

    __slots__ = ("times",)

    def __init__(self, limit: int) -> None:
        self.times: deque[float] = deque(maxlen=limit)

    def count(self, now: float, window: float) -> int:
        while self.times and self.times[0] <= now - window:
            self.times.popleft()
        return len(self.times)

    def locked_for(self, now: float, window: float) -> float:
        """Seconds until fewer than ``limit`` failures remain in the window (0: not locked)."""
        times = self.times
        if times.maxlen is None or len(times) < times.maxlen:
            return 0.0
        return max(0.0, times[0] + window - now)


class _Table:
    """Bounded map key -> window, least recently failed dropped first."""

    def __init__(self, limit: int, max_entries: int) -> None:
        self.limit = limit
        self.max_entries = max_entries
        self.entries: OrderedDict[str, _Window] = OrderedDict()

    def get(self, key: str) -> _Window | None:
        return self.entries.get(key)

    def add(self, key: str, now: float) -> _Window:
        entry = self.entries.get(key)
        if entry is None:
            entry = self.entries[key] = _Window(self.limit)
            while len(self.entries) > self.max_entries:
                self.entries.popitem(last=False)
        else:
            self.entries.move_to_end(key)
        entry.times.append(now)
        return entry

    def discard(self, key: str) -> None:
        self.entries.pop(key, None)


class FailureLimiter:
    """Counts failed authentications and answers whether an attempt must be refused unchecked."""

    def __init__(
        self,
        threshold: int,
        window_seconds: float,
        *,
        address_threshold: int | None = None,
        max_entries: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if threshold < 1:
            raise ValueError("threshold must be at least 1")
        self.threshold = threshold
        self.window = float(window_seconds)
        self.address_threshold = address_threshold or threshold * ADDRESS_FACTOR
        self._clock = clock
        self._lock = threading.Lock()
        self._pairs = _Table(threshold, max_entries)
        self._addresses = _Table(self.address_threshold, max_entries)
        # Per-subject counts only feed the audit log; a window of a few hundred is plenty.
        self._subjects = _Table(max(self.address_threshold, 100), max_entries)

    def check(self, subject: str, address: str) -> Lockout | None:
        """A lockout if ``subject`` may not try from ``address`` now; None to go ahead."""
        now = self._clock()
        with self._lock:
            return self._lockout(subject, address, now)

    def failed(self, subject: str, address: str) -> Lockout | None:
        """Count a failure; returns the lockout this failure started, if it started one."""
        now = self._clock()
        with self._lock:
            self._pairs.add(_pair(subject, address), now)
            self._addresses.add(address, now)
            self._subjects.add(subject, now)
            return self._lockout(subject, address, now)

    def succeeded(self, subject: str, address: str) -> None:
        """A right secret clears that pair's count (the address's stays: it counts every subject)."""
        with self._lock:
            self._pairs.discard(_pair(subject, address))

    def subject_failures(self, subject: str) -> int:
        """Failures of ``subject`` within the window, from every address."""
        now = self._clock()
        with self._lock:
            entry = self._subjects.get(subject)
            return entry.count(now, self.window) if entry else 0

    def _lockout(self, subject: str, address: str, now: float) -> Lockout | None:
        pair = self._pairs.get(_pair(subject, address))
        by_pair = pair.locked_for(now, self.window) if pair else 0.0
        by_address_entry = self._addresses.get(address)
        by_address = by_address_entry.locked_for(now, self.window) if by_address_entry else 0.0
        wait = max(by_pair, by_address)
        if wait <= 0:
            return None
        return Lockout(max(1, math.ceil(wait)), "address" if by_address >= by_pair else "pair")


def _pair(subject: str, address: str) -> str:
    return f"{subject}\n{address}"

"""Writes the token endpoint's hot path defers: high-volume audit events and clients' last-used times.

Issuing a client-credentials token reads the database but writes nothing; a durable write per token
would cap the token rate at the disk's commit rate. Events like ``token.issued`` and
``auth.failed`` are queued here and written in one transaction about a second later by a timer
thread (never by the caller, which may be the event loop), and at shutdown by
:meth:`WriteBehind.close`. A crash can lose the last
second of such events; security decisions never depend on them (lockouts live in memory, revocations
and refresh-token rotation are written synchronously). ``last_used_at`` is written at most once per
``touch_interval`` per client and process.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime

from flowport.persistence.db import Database, write_transaction
from flowport.persistence.repositories import audit as audit_repo
from flowport.persistence.repositories import clients as client_repo
from flowport.persistence.repositories.audit import AuditEvent

log = logging.getLogger("flowport.auth")


class WriteBehind:
    """A bounded queue of audit rows and client touches, flushed by a short-lived timer thread."""

    def __init__(
        self,
        db: Database,
        *,
        delay: float = 1.0,
        max_buffered: int = 50_000,
        touch_interval: float = 60.0,
    ) -> None:
        self._db = db
        self._delay = delay
        self._max_buffered = max_buffered
        self._touch_interval = touch_interval
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._events: list[AuditEvent] = []
        self._touches: dict[str, datetime] = {}
        self._touched_at: dict[str, float] = {}
        self._timer: threading.Timer | None = None
        self._closed = False
        self.dropped = 0

    def record(self, event: AuditEvent) -> None:
        """Queue one audit event (the caller keeps secrets out of its ``details``)."""
        with self._lock:
            if len(self._events) >= self._max_buffered:
                self.dropped += 1  # the database is unreachable for long: keep memory bounded
                return
            self._events.append(event)
            self._arm()

    def touch(self, client_id: str, at: datetime) -> None:
        """Note a client's use; written at most once per ``touch_interval``."""
        now = time.monotonic()
        last = self._touched_at.get(client_id)
        if last is not None and now - last < self._touch_interval:
            return
        with self._lock:
            if len(self._touched_at) > self._max_buffered:
                self._touched_at.clear()
            self._touched_at[client_id] = now
            self._touches[client_id] = at
            self._arm()

    def _arm(self) -> None:
        if self._timer is None and not self._closed:
            self._timer = threading.Timer(self._delay, self._on_timer)
            self._timer.daemon = True
            self._timer.name = "flowport-write-behind"
            self._timer.start()

    def _on_timer(self) -> None:
        with self._lock:
            self._timer = None
        self.flush()

    def flush(self) -> None:
        """Write everything queued so far, in one transaction."""
        with self._flush_lock:
            with self._lock:
                events, self._events = self._events, []
                touches, self._touches = self._touches, {}
            if not events and not touches:
                return
            try:
                with write_transaction(self._db) as conn:
                    audit_repo.insert(conn, events)
                    for client_id, at in touches.items():
                        client_repo.touch(conn, client_id, at)
            except Exception:
                log.exception("could not write %d audit events; will retry", len(events))
                with self._lock:
                    self._events[:0] = events[: self._max_buffered - len(self._events)]
                    for client_id, at in touches.items():
                        self._touches.setdefault(client_id, at)
                    self._arm()

    def close(self) -> None:
        """Flush and stop arming timers (app shutdown)."""
        with self._lock:
            self._closed = True
            timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()
        self.flush()

"""The scheduler: one per server process; fires due timers and timer starts under leases, then sleeps."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from datetime import timedelta
from functools import partial

from flowport.services import start_timers, timers
from flowport.services.context import Services

log = logging.getLogger("flowport.scheduler")


class Scheduler:
    """Background thread that claims due timers and timer starts (leases) and fires them via the services."""

    def __init__(self, services: Services, max_sleep: float = 5.0) -> None:
        self._services = services
        # Commits that create timers wake it (one process: an Event; see persistence.db.WakeUp).
        self._wake_up = services.timers_changed
        self._max_sleep = max_sleep
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._switch = threading.Lock()  # start and stop may come from concurrent requests
        self.owner = f"scheduler-{uuid.uuid4()}"

    def start(self) -> None:
        """Start the loop; again after :meth:`stop` too (an operator resuming timer processing)."""
        with self._switch:
            if self.running:
                return
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="flowport-scheduler", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the loop once the timer it may be firing is done; due timers wait for the next start."""
        with self._switch:
            self._stop.set()
            self._wake_up.set()
            if self._thread is not None:
                self._thread.join(timeout)

    @property
    def running(self) -> bool:
        """Whether this process fires due timers now (OptimaJet's ``isactive``)."""
        return self._thread is not None and self._thread.is_alive() and not self._stop.is_set()

    def run_once(self) -> int:
        """Fire every timer and timer start event that is due now; returns how many fired."""
        fired = 0
        while not self._stop.is_set():
            claimed = timers.claim_due(self._services, self.owner)
            starts = start_timers.claim_due(self._services, self.owner)
            if not claimed and not starts:
                break
            for timer in claimed:
                fire = partial(timers.fire, self._services, self.owner, timer)
                fired += self._timed(fire, f"timer {timer.id} of instance {timer.instance_id}")
            for start in starts:
                start_fire = partial(start_timers.fire, self._services, self.owner, start.id)
                fired += self._timed(start_fire, f"timer start event {start.id}")
        return fired

    def _timed(self, fire: Callable[[], object], what: str) -> int:
        """Fire one timer or start (``fire`` returns something falsy when it had nothing to do)."""
        started = self._services.clock()
        try:
            done = bool(fire())
        except Exception:  # one broken instance or definition must not stop the scheduler
            log.exception("%s failed to fire", what)
            done = False
        self._services.metrics.observe(
            "flowport_timer_fire_seconds",
            (self._services.clock() - started).total_seconds(),
            help_text="Time to fire one timer",
        )
        return 1 if done else 0

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake_up.clear()
            try:
                self.run_once()
                delay = self._sleep_seconds()
            except Exception:
                log.exception("scheduler pass failed; retrying")
                delay = self._max_sleep
            self._wake_up.wait(delay)

    def _sleep_seconds(self) -> float:
        due = timers.next_due(self._services)
        now = self._services.clock()
        lag = 0.0 if due is None else max(0.0, (now - due).total_seconds())
        self._services.metrics.set_gauge(
            "flowport_scheduler_lag_seconds", lag, help_text="How late the oldest due timer is"
        )
        if due is None:
            return self._max_sleep
        # Leased timers held by another process stay "due"; do not spin on them.
        return max(0.05, min(self._max_sleep, (due - now + timedelta(milliseconds=5)).total_seconds()))

"""The failure limiter: lockout per (client, address) pair and per address, bounded, thread-safe."""

from __future__ import annotations

import threading

from flowport.auth.ratelimit import FailureLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def limiter(clock: Clock, threshold: int = 3, window: float = 60, **kw: int) -> FailureLimiter:
    return FailureLimiter(threshold, window, clock=clock, **kw)


def test_lockout_after_threshold_for_that_pair_only() -> None:
    clock = Clock()
    lim = limiter(clock)
    assert lim.failed("client:a", "10.0.0.1") is None
    assert lim.failed("client:a", "10.0.0.1") is None
    started = lim.failed("client:a", "10.0.0.1")
    assert started is not None and started.scope == "pair" and started.retry_after == 60
    clock.now += 20
    locked = lim.check("client:a", "10.0.0.1")
    assert locked is not None and locked.retry_after == 40
    # The same client from another address, and another client from this address, go ahead.
    assert lim.check("client:a", "10.0.0.2") is None
    assert lim.check("client:b", "10.0.0.1") is None
    assert lim.subject_failures("client:a") == 3


def test_the_window_slides() -> None:
    clock = Clock()
    lim = limiter(clock)
    for _ in range(3):
        lim.failed("client:a", "ip")
        clock.now += 10
    assert lim.check("client:a", "ip") is not None
    clock.now = 1000 + 60  # the first failure leaves the window
    assert lim.check("client:a", "ip") is None
    assert lim.failed("client:a", "ip") is not None  # two older ones are still inside


def test_success_clears_the_pair() -> None:
    clock = Clock()
    lim = limiter(clock)
    lim.failed("client:a", "ip")
    lim.failed("client:a", "ip")
    lim.succeeded("client:a", "ip")
    assert lim.failed("client:a", "ip") is None
    assert lim.failed("client:a", "ip") is None


def test_one_address_spraying_many_clients_is_locked_for_all() -> None:
    clock = Clock()
    lim = limiter(clock, threshold=3, address_threshold=5)
    for n in range(4):
        assert lim.failed(f"client:{n}", "10.9.9.9") is None
    locked = lim.failed("client:4", "10.9.9.9")
    assert locked is not None and locked.scope == "address"
    assert lim.check("client:never-tried", "10.9.9.9") is not None
    assert lim.check("client:0", "10.0.0.1") is None
    lim.succeeded("client:0", "10.9.9.9")  # a success does not lift an address lockout
    assert lim.check("client:0", "10.9.9.9") is not None


def test_memory_is_bounded() -> None:
    clock = Clock()
    lim = limiter(clock, max_entries=100)
    for n in range(10_000):
        lim.failed(f"client:{n}", f"10.0.{n // 256}.{n % 256}")
    tables = (lim._pairs, lim._addresses, lim._subjects)
    assert all(len(t.entries) <= 100 for t in tables)
    assert lim.check("client:9999", "10.0.39.15") is None  # the newest survive


def test_counting_is_thread_safe() -> None:
    clock = Clock()
    lim = limiter(clock, threshold=10_000, address_threshold=100_000)

    def hammer() -> None:
        for _ in range(1000):
            lim.failed("client:a", "ip")

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert lim.subject_failures("client:a") == 8000
    assert lim.check("client:a", "ip") is None
    lim.failed("client:a", "ip")
    assert lim.subject_failures("client:a") == 8001

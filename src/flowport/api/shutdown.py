"""A bounded stop: once the server process starts shutting down, it ends within a deadline.

uvicorn waits ``timeout_graceful_shutdown`` seconds for requests in flight, cancels them and then
runs the lifespan shutdown. A request blocked in a worker thread (on the database write lock, a
hung disk or connection) cannot be cancelled, and those threads are not daemon threads (anyio's
pool; asyncio's default executor): ``asyncio.run``'s clean-up and the interpreter's exit would
wait for them forever, and with several workers the supervisor waits for every worker.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("flowport")

FORCED_EXIT_STATUS = 1


class BoundedShutdown:
    """ASGI wrapper: on ``lifespan.shutdown``, arm a timer that ends the process if it still runs.

    Only for the server process (``flowport serve``): an application embedding Flowport, or a test
    client, shuts down its own way.
    """

    def __init__(
        self, app: ASGIApp, deadline_seconds: float, exit_process: Callable[[int], None] = os._exit
    ) -> None:
        self.app = app
        self.deadline_seconds = deadline_seconds
        self._exit = exit_process

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return

        async def watched_receive() -> Message:
            message = await receive()
            if message["type"] == "lifespan.shutdown":
                self._arm()
            return message

        await self.app(scope, watched_receive, send)

    def _arm(self) -> None:
        timer = threading.Timer(self.deadline_seconds, self._expire)
        timer.daemon = True  # never what keeps the process alive
        timer.name = "flowport-shutdown-deadline"
        timer.start()

    def _expire(self) -> None:
        stuck = sorted(
            t.name
            for t in threading.enumerate()
            if t.is_alive() and not t.daemon and t is not threading.main_thread()
        )
        log.error(
            "still running %g s after the shutdown began (threads: %s); exiting now",
            self.deadline_seconds,
            ", ".join(stuck) or "none",
        )
        for handler in logging.getLogger().handlers + log.handlers:
            handler.flush()
        sys.stderr.flush()
        self._exit(FORCED_EXIT_STATUS)

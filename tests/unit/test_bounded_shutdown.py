"""The server process ends itself if it still runs a deadline after its shutdown began."""

from __future__ import annotations

import asyncio
import threading

from starlette.types import Message, Receive, Scope, Send

from flowport.api.shutdown import FORCED_EXIT_STATUS, BoundedShutdown


def run(app: BoundedShutdown, scope: Scope, messages: list[Message]) -> None:
    async def receive() -> Message:
        return messages.pop(0) if messages else {"type": "test.end"}

    async def send(message: Message) -> None:
        pass

    asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]


async def inner(scope: Scope, receive: Receive, send: Send) -> None:
    while scope["type"] == "lifespan":
        if (await receive())["type"] in ("lifespan.shutdown", "test.end"):
            return


def test_the_deadline_is_armed_by_the_lifespan_shutdown_only() -> None:
    exited: list[int] = []
    done = threading.Event()

    def exit_process(status: int) -> None:
        exited.append(status)
        done.set()

    app = BoundedShutdown(inner, deadline_seconds=0.01, exit_process=exit_process)
    run(app, {"type": "http"}, [])
    run(app, {"type": "lifespan"}, [{"type": "lifespan.startup"}])
    assert not done.wait(0.2) and exited == []  # serving: no deadline
    run(app, {"type": "lifespan"}, [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])
    assert done.wait(10)  # an event, not a sleep racing the timer
    assert exited == [FORCED_EXIT_STATUS]

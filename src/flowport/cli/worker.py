"""``flowport worker run``: do a topic's external jobs with a program or a Python function.

Built on the SDK's :class:`~flowport.client.Worker` (fetch-and-lock, lock extension, retries with
backoff, graceful stop on SIGTERM and Ctrl-C); this module only turns options into its handler.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Annotated

import typer

from flowport.cli import job_handlers, output, session
from flowport.cli.worker_status import WorkerStatus
from flowport.client import Worker

app = typer.Typer(help="Job workers: do the external service tasks of topics.", no_args_is_help=True)


@app.command("run")
def run(
    ctx: typer.Context,
    topic: Annotated[
        list[str], typer.Option("--topic", "-t", help="A topic to work on (repeatable).", show_default=False)
    ],
    exec_line: Annotated[
        str | None,
        typer.Option(
            "--exec",
            metavar="COMMAND",
            help="Program to run per job: variables as JSON on stdin, a JSON object on stdout to set.",
        ),
    ] = None,
    handler: Annotated[
        str | None,
        typer.Option(
            "--handler",
            metavar="MODULE:FUNCTION",
            help="Python function taking the variables (a dict) and returning a dict to set.",
        ),
    ] = None,
    max_jobs: Annotated[int, typer.Option(min=1, max=1000, help="Jobs worked on at the same time.")] = 4,
    lock_duration: Annotated[
        float, typer.Option(min=1, metavar="SECONDS", help="Lock per job, extended while it runs.")
    ] = 60.0,
    retries: Annotated[
        int, typer.Option(min=0, help="Tries a failing job gets before it becomes an incident.")
    ] = 3,
    worker_id: Annotated[str | None, typer.Option(help="Name the server shows for this worker.")] = None,
) -> None:
    """Work on jobs until SIGTERM or Ctrl-C; then fetch no more and let the running ones finish."""
    job_handler = _handler(exec_line, handler)
    server = session.target(ctx)
    if server is None:
        output.error("`flowport worker run` works on a server: give --url (or --profile).")
        raise typer.Exit(2)
    as_json = session.as_json(ctx)
    terminal = output.console().is_terminal and not as_json
    status = WorkerStatus(topic, log_jobs=not terminal and not as_json)
    _show_sdk_warnings()
    with session.remote_client(server) as client:
        client.access_token()  # refused credentials: one clear line now, not a warning per poll
        worker = Worker(
            client,
            dict.fromkeys(topic, status.counting(job_handler)),
            max_jobs=max_jobs,
            lock_duration=lock_duration,
            retries=retries,
            worker_id=worker_id,
        )
        status.worker_id = worker.worker_id
        with status.live(terminal), _signals(worker, job_handler) as interrupted:
            worker.run(handle_signals=False)
    if interrupted.is_set():
        output.error("Interrupted: the running programs were stopped and their jobs reported as failed.")
        raise typer.Exit(130)
    if as_json:
        output.json_plain({"workerId": status.worker_id, "done": status.done, "failed": status.failed})
    else:
        output.line(status.summary())


def _handler(exec_line: str | None, handler: str | None) -> job_handlers.JobHandler:
    if (exec_line is None) == (handler is None):
        raise typer.BadParameter("give either --exec COMMAND or --handler MODULE:FUNCTION")
    try:
        if exec_line is not None:
            return job_handlers.Command(exec_line)
        assert handler is not None
        return job_handlers.python(handler)
    except job_handlers.HandlerSpecError as exc:
        raise typer.BadParameter(str(exc), param_hint="--exec" if exec_line else "--handler") from None


@contextmanager
def _signals(worker: Worker, handler: job_handlers.JobHandler) -> Iterator[threading.Event]:
    """SIGTERM or Ctrl-C: stop fetching and let the running jobs finish; a second Ctrl-C ends them.

    The worker's programs run in their own process group (the terminal's Ctrl-C does not reach
    them), so the second one is passed on here: they end, and their jobs are reported as failed
    at once rather than when their locks expire. A Python handler cannot be stopped from outside,
    so for those the second Ctrl-C interrupts as Python does.
    """
    interrupted = threading.Event()

    def first(signum: int, frame: FrameType | None) -> None:
        worker.stop()
        signal.signal(signal.SIGINT, second)
        sys.stderr.write("Stopping after the running jobs (Ctrl-C again ends them).\n")
        sys.stderr.flush()

    def second(signum: int, frame: FrameType | None) -> None:
        interrupted.set()
        if not isinstance(handler, job_handlers.Command):
            raise KeyboardInterrupt
        handler.terminate()

    previous = {sig: signal.signal(sig, first) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield interrupted
    finally:
        for sig, action in previous.items():
            signal.signal(sig, action)


def _show_sdk_warnings() -> None:
    """The SDK logs what goes wrong while it polls (a lost lock, a server away): show it on stderr."""
    logger = logging.getLogger("flowport.client")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.WARNING)

"""The README's "Python SDK" examples run as written (with a test server's address and admin client)."""

from __future__ import annotations

import re
import threading
import time
from typing import Any

import pytest

from flowport.client import Client, Worker
from tests.e2e.server import LiveServer
from tests.sdk.conftest import ADMIN_ID, ADMIN_SECRET, ROOT

DEADLINE = 30.0


def _python_blocks() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Python SDK\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)


def _for(server: LiveServer, code: str) -> str:
    return (
        code.replace("http://127.0.0.1:8077", server.url)
        .replace('client_id="ID"', f'client_id="{ADMIN_ID}"')
        .replace('client_secret="SECRET"', f'client_secret="{ADMIN_SECRET}"')
    )


def test_the_section_has_the_examples_it_promises() -> None:
    blocks = _python_blocks()
    assert len(blocks) == 2
    assert len([line for line in blocks[1].splitlines() if line.strip()]) <= 10  # "a worker in ten lines"


def test_the_client_example(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)  # it deploys src/flowport/examples/approval.bpmn
    namespace: dict[str, Any] = {}
    try:
        exec(_for(server, _python_blocks()[0]), namespace)
    finally:
        _close_clients(namespace)
    assert " review" in capsys.readouterr().out  # the history it prints names the task it completed
    with Client(server.url, client_id=ADMIN_ID, client_secret=ADMIN_SECRET) as flowport:
        (instance,) = flowport.instances.search(business_key="req-1001")
        assert flowport.instances.get(instance.id).status == "COMPLETED"


def test_the_worker_example(server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> None:
    with Client(server.url, client_id=ADMIN_ID, client_secret=ADMIN_SECRET) as flowport:
        flowport.definitions.deploy(ROOT / "src" / "flowport" / "examples" / "external_service.bpmn")
        instance = flowport.instances.start("invoice", {"amount": 42})
        workers: list[Worker] = []
        run = Worker.run

        def run_in_test(self: Worker, **options: Any) -> None:
            workers.append(self)  # the example runs until SIGTERM; the test stops it instead
            run(self, handle_signals=False)

        monkeypatch.setattr(Worker, "run", run_in_test)
        namespace: dict[str, Any] = {}
        thread = threading.Thread(target=exec, args=(_for(server, _python_blocks()[1]), namespace))
        thread.start()
        try:
            deadline = time.monotonic() + DEADLINE
            while flowport.instances.get(instance.id).status != "COMPLETED":
                assert time.monotonic() < deadline and thread.is_alive(), (
                    "the worker did not finish the invoice"
                )
                time.sleep(0.1)
        finally:
            for worker in workers:
                worker.stop()
            thread.join(DEADLINE)
            _close_clients(namespace)
        assert flowport.instances.variables(instance.id)["charged"] is True


def _close_clients(namespace: dict[str, Any]) -> None:
    """The examples leave their clients open, as a script may; the test closes them."""
    for value in namespace.values():
        if isinstance(value, Client):
            value.close()

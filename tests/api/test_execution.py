"""The execution core: engine work is planned without the write lock, and planned again if data moved."""

from __future__ import annotations

import threading
from typing import Any

from fastapi.testclient import TestClient

from flowport.persistence.db import write_transaction
from flowport.persistence.repositories import instances as instance_repo
from flowport.services import instances
from flowport.services.context import Actor, Services
from flowport.services.execution import Execution, execute
from flowport.services.instance_writes import HistoryEvent
from tests.helpers import deploy, start

ADMIN = Actor(subject="tester")


def _services(client: TestClient) -> Services:
    services: Services = client.app.state.services  # type: ignore[attr-defined]
    return services


def _in_other_thread(work: Any) -> None:
    """Run ``work`` in another thread and wait for it; a deadlock would fail the join."""
    failure: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:
            failure.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(60)
    assert not thread.is_alive(), "the other thread's write waited on a lock held by the planning"
    assert not failure, failure


def test_planning_holds_no_write_lock(client: TestClient) -> None:
    """Other writers go on while a use case runs the engine (its scripts included)."""
    deploy(client, "user_task.bpmn")
    services = _services(client)
    other = start(client, "user_task")

    def use_case(execution: Execution) -> str:
        # Another request changes data while this one is planning: it must not wait for us.
        _in_other_thread(
            lambda: instances.set_variables(services, ADMIN, other["id"], {"x": 1}, replace=False)
        )
        definition = execution.definition(ADMIN.scope, other["definitionId"])
        return execution.start(ADMIN, definition, {"planned": True}).id

    started = execute(services, use_case)
    assert client.get(f"/api/v1/process-instances/{started}").json()["variables"] == {"planned": True}
    assert client.get(f"/api/v1/process-instances/{other['id']}").json()["variables"] == {"x": 1}


def test_a_change_made_meanwhile_is_planned_again_and_kept(client: TestClient) -> None:
    deploy(client, "user_task.bpmn")
    services = _services(client)
    instance = start(client, "user_task", {"a": 1})
    attempts: list[int] = []

    def use_case(execution: Execution) -> None:
        attempts.append(execution.instance(ADMIN.scope, instance["id"]).version)
        if len(attempts) == 1:  # someone else changes the instance after we read it
            _in_other_thread(
                lambda: instances.set_variables(services, ADMIN, instance["id"], {"b": 2}, replace=False)
            )
        execution.command(
            ADMIN,
            instance["id"],
            lambda run: run.set_variables({"c": 3}, replace=False),
            event=HistoryEvent("variables changed"),
        )

    execute(services, use_case)
    assert attempts == [1, 2]  # planned on version 1, refused at apply, planned again on version 2
    got = client.get(f"/api/v1/process-instances/{instance['id']}").json()
    assert got["variables"] == {"a": 1, "b": 2, "c": 3}
    assert got["version"] == 3


def test_a_failed_apply_writes_nothing(client: TestClient) -> None:
    """A write that fails after the instance's write leaves the instance as it was."""
    deploy(client, "user_task.bpmn")
    services = _services(client)
    instance = start(client, "user_task")

    class Refused(Exception):
        pass

    def use_case(execution: Execution) -> None:
        execution.command(ADMIN, instance["id"], lambda run: run.set_variables({"lost": True}, replace=False))

        def refuse(conn: Any) -> None:
            raise Refused

        execution.write(refuse)

    try:
        execute(services, use_case)
    except Refused:
        pass
    else:
        raise AssertionError("the refusing write did not stop the execution")
    with write_transaction(services.db) as conn:
        row = instance_repo.get(conn, ADMIN.scope, instance["id"])
    assert row is not None and row.version == 1 and "lost" not in row.variables

"""Timer events (BPMN 2.0 section 10.5.4) fired by the real scheduler running inside the app."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from flowport.api.app import create_app
from flowport.config import Settings
from flowport.persistence.tables import instances, start_timers, subscriptions, timers
from tests.helpers import AUTH, FIXTURES, complete, deploy, ready_tasks, start

T = TypeVar("T")


def wait_for(probe: Callable[[], T | None], timeout: float = 10.0) -> T:
    """Poll ``probe`` until it returns something truthy (the scheduler runs in its own thread)."""
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.05)


def ready_elements(client: TestClient, instance_id: str) -> list[str]:
    return sorted(t["elementId"] for t in ready_tasks(client, instance_id))


def timer_count(client: TestClient, instance_id: str) -> int:
    db = client.app.state.services.db  # type: ignore[attr-defined]
    with db.connect() as conn:
        return int(conn.execute(select(func.count()).where(timers.c.instance_id == instance_id)).scalar_one())


def subscription_count(client: TestClient, instance_id: str) -> int:
    db = client.app.state.services.db  # type: ignore[attr-defined]
    with db.connect() as conn:
        query = select(func.count()).where(subscriptions.c.instance_id == instance_id)
        return int(conn.execute(query).scalar_one())


def history_events(client: TestClient, instance_id: str) -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/process-instances/{instance_id}/history", params={"limit": 1000})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def fired_count(client: TestClient, instance_id: str) -> int:
    return sum(1 for h in history_events(client, instance_id) if h["event"] == "timer fired")


def test_intermediate_timer_fires(client: TestClient) -> None:
    deploy(client, "timer_intermediate.bpmn")
    instance = start(client, "timer_intermediate", {"a": 1})
    assert instance["activeElementIds"] == ["wait"]
    assert timer_count(client, instance["id"]) == 1
    url = f"/api/v1/process-instances/{instance['id']}/variables"
    assert client.patch(url, json={"a": 2, "b": 3}).status_code == 200  # while the timer waits
    wait_for(lambda: ready_elements(client, instance["id"]) == ["after_wait"])
    assert timer_count(client, instance["id"]) == 0
    assert fired_count(client, instance["id"]) == 1
    fired = [h for h in history_events(client, instance["id"]) if h["event"] == "timer fired"]
    assert fired[0]["elementId"] == "wait"
    assert fired[0]["actor"] == "scheduler"
    assert client.get(url).json() == {"a": 2, "b": 3}


def test_interrupting_boundary_timer_cancels_the_task(client: TestClient) -> None:
    deploy(client, "timer_boundary.bpmn")
    instance = start(client, "timer_boundary")
    [slow] = ready_tasks(client, instance["id"])
    assert slow["elementId"] == "slow"
    wait_for(lambda: ready_elements(client, instance["id"]) == ["escalate"])
    assert client.get(f"/api/v1/tasks/{slow['id']}").json()["state"] == "CANCELED"
    assert client.post(f"/api/v1/tasks/{slow['id']}/complete", json={}).status_code == 409
    assert fired_count(client, instance["id"]) == 1
    [escalate] = ready_tasks(client, instance["id"])
    complete(client, escalate["id"])
    assert client.get(f"/api/v1/process-instances/{instance['id']}").json()["status"] == "COMPLETED"


def test_non_interrupting_boundary_timer_keeps_the_task(client: TestClient) -> None:
    deploy(client, "timer_boundary_noninterrupting.bpmn")
    instance = start(client, "timer_boundary_noninterrupting")
    wait_for(lambda: ready_elements(client, instance["id"]) == ["reminder", "slow"])
    assert fired_count(client, instance["id"]) == 1
    tasks = {t["elementId"]: t for t in ready_tasks(client, instance["id"])}
    complete(client, tasks["slow"]["id"])
    assert ready_elements(client, instance["id"]) == ["reminder"]
    complete(client, tasks["reminder"]["id"])
    assert client.get(f"/api/v1/process-instances/{instance['id']}").json()["status"] == "COMPLETED"


def test_time_date_in_the_past_fires_promptly(client: TestClient) -> None:
    deploy(client, "timer_date.bpmn")
    instance = start(client, "timer_date")
    wait_for(lambda: ready_elements(client, instance["id"]) == ["after_date"])
    assert timer_count(client, instance["id"]) == 0


def test_event_gateway_timer_branch_wins(client: TestClient) -> None:
    xml = (FIXTURES / "event_gateway.bpmn").read_text().replace("PT1H", "PT0.2S")
    response = client.post(
        "/api/v1/process-definitions", content=xml.encode(), headers={"content-type": "application/xml"}
    )
    assert response.status_code == 201, response.text
    instance = start(client, "event_gateway")
    assert subscription_count(client, instance["id"]) == 1
    wait_for(lambda: ready_elements(client, instance["id"]) == ["after_timer"])
    assert subscription_count(client, instance["id"]) == 0
    gone = client.post("/api/v1/messages", json={"name": "Go", "processInstanceId": instance["id"]})
    assert gone.status_code == 404
    assert fired_count(client, instance["id"]) == 1


def test_event_gateway_message_removes_the_timer(client: TestClient) -> None:
    deploy(client, "event_gateway.bpmn")
    instance = start(client, "event_gateway")
    assert timer_count(client, instance["id"]) == 1
    assert subscription_count(client, instance["id"]) == 1
    response = client.post("/api/v1/messages", json={"name": "Go", "processInstanceId": instance["id"]})
    assert response.status_code == 200, response.text
    assert ready_elements(client, instance["id"]) == ["after_message"]
    assert timer_count(client, instance["id"]) == 0
    assert subscription_count(client, instance["id"]) == 0


def test_timer_due_while_the_server_was_down_fires_at_start_up(settings: Settings) -> None:
    stopped = settings.model_copy(update={"scheduler_enabled": False})
    xml = (FIXTURES / "timer_intermediate.bpmn").read_text().replace("PT1S", "PT0.3S")
    with TestClient(create_app(stopped), headers=AUTH) as first:
        response = first.post(
            "/api/v1/process-definitions", content=xml.encode(), headers={"content-type": "application/xml"}
        )
        assert response.status_code == 201, response.text
        instance = start(first, "timer_intermediate")
        time.sleep(0.4)  # due now, but no scheduler runs
        assert ready_tasks(first, instance["id"]) == []
        assert timer_count(first, instance["id"]) == 1
    with TestClient(create_app(settings), headers=AUTH) as second:
        wait_for(lambda: ready_elements(second, instance["id"]) == ["after_wait"])
        assert fired_count(second, instance["id"]) == 1


def test_time_cycle_fires_each_repetition(client: TestClient) -> None:
    deploy(client, "timer_cycle.bpmn")
    instance = start(client, "timer_cycle")
    assert timer_count(client, instance["id"]) == 1
    wait_for(lambda: ready_elements(client, instance["id"]) == ["remind", "remind", "work"])
    assert fired_count(client, instance["id"]) == 2
    assert timer_count(client, instance["id"]) == 0  # R2: no repetitions left
    work = next(t for t in ready_tasks(client, instance["id"]) if t["elementId"] == "work")
    complete(client, work["id"])
    assert ready_elements(client, instance["id"]) == ["remind", "remind"]


def test_timer_duration_from_a_variable(client: TestClient) -> None:
    deploy(client, "timer_expression.bpmn")
    instance = start(client, "timer_expression", {"delay": "PT0.2S"})
    assert instance["activeElementIds"] == ["wait"]
    wait_for(lambda: ready_elements(client, instance["id"]) == ["after_wait"])
    assert fired_count(client, instance["id"]) == 1


def test_timer_expression_error_is_an_incident_until_fixed(client: TestClient) -> None:
    deploy(client, "timer_expression.bpmn")
    response = client.post("/api/v1/process-instances", json={"definitionKey": "timer_expression"})
    assert response.status_code == 201, response.text
    instance = response.json()
    assert instance["hasIncidents"] is True
    [incident] = client.get("/api/v1/incidents", params={"processInstanceId": instance["id"]}).json()["items"]
    assert incident["elementId"] == "wait"
    assert "delay" in incident["message"]
    assert timer_count(client, instance["id"]) == 0
    url = f"/api/v1/process-instances/{instance['id']}/variables"
    assert client.patch(url, json={"delay": "PT0.2S"}).status_code == 200
    assert client.post(f"/api/v1/incidents/{incident['id']}/resolve").status_code == 200
    assert timer_count(client, instance["id"]) == 1
    assert ready_tasks(client, instance["id"]) == []  # re-armed, not skipped
    wait_for(lambda: ready_elements(client, instance["id"]) == ["after_wait"])


def test_ending_the_task_stops_its_cycle_but_keeps_the_reminders(client: TestClient) -> None:
    xml = (FIXTURES / "timer_cycle.bpmn").read_text().replace("R2/PT0.3S", "R9/PT0.5S")
    response = client.post(
        "/api/v1/process-definitions", content=xml.encode(), headers={"content-type": "application/xml"}
    )
    assert response.status_code == 201, response.text
    instance = start(client, "timer_cycle")
    wait_for(lambda: "remind" in ready_elements(client, instance["id"]))
    work = next(t for t in ready_tasks(client, instance["id"]) if t["elementId"] == "work")
    # The scheduler may fire the next cycle at the same moment: that request wins, this one retries.
    wait_for(lambda: client.post(f"/api/v1/tasks/{work['id']}/complete", json={}).status_code == 200)
    reminders = ready_tasks(client, instance["id"])
    assert reminders and {t["elementId"] for t in reminders} == {"remind"}
    assert timer_count(client, instance["id"]) == 0  # the cycle ended with its task
    for reminder in reminders:
        complete(client, reminder["id"])
    assert client.get(f"/api/v1/process-instances/{instance['id']}").json()["status"] == "COMPLETED"


# --- timer start events (BPMN 2.0 section 10.5.2): the definition's schedule starts new instances ----


def deploy_xml(client: TestClient, xml: str) -> dict[str, Any]:
    response = client.post(
        "/api/v1/process-definitions", content=xml.encode(), headers={"content-type": "application/xml"}
    )
    assert response.status_code == 201, response.text
    definition: dict[str, Any] = response.json()["definitions"][0]
    return definition


def timer_start_xml(definition: str) -> str:
    """timer_start.bpmn with another timer definition on its start event."""
    original = '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT1S</bpmn:timeDuration>'
    xml = (FIXTURES / "timer_start.bpmn").read_text()
    assert original in xml
    return xml.replace(original, definition)


def started_instances(client: TestClient, key: str) -> list[dict[str, Any]]:
    response = client.get("/api/v1/process-instances", params={"definitionKey": key, "limit": 1000})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def scheduled_starts(client: TestClient, definition_id: str) -> tuple[list[dict[str, Any]], int]:
    """The definition's scheduled starts and its instance count, read in one transaction.

    A start creates its instance in the transaction that moves or deletes its row, so the two are
    always consistent with each other here.
    """
    db = client.app.state.services.db  # type: ignore[attr-defined]
    with db.connect() as conn, conn.begin():
        rows = conn.execute(
            select(start_timers.c.due_at, start_timers.c.remaining).where(
                start_timers.c.definition_id == definition_id
            )
        ).all()
        count = conn.execute(
            select(func.count()).where(instances.c.definition_id == definition_id)
        ).scalar_one()
    return [{"dueAt": r[0], "remaining": r[1]} for r in rows], int(count)


def spent(client: TestClient, definition_id: str) -> bool:
    return scheduled_starts(client, definition_id)[0] == []


def started_fired(client: TestClient) -> float:
    metrics = client.app.state.services.metrics  # type: ignore[attr-defined]
    return float(metrics.counter_value("flowport_start_timers_fired_total"))


def test_timer_start_duration_starts_one_instance(client: TestClient) -> None:
    definition = deploy(client, "timer_start.bpmn")  # PT1S
    starts, count = scheduled_starts(client, definition["id"])
    if starts:  # not due yet: deploying scheduled a start, it created no instance
        assert [s["remaining"] for s in starts] == [1]
        assert count == 0
    wait_for(lambda: spent(client, definition["id"]))
    [instance] = started_instances(client, "timer_start")
    assert instance["definitionId"] == definition["id"]
    assert instance["startedBy"] == "scheduler"
    assert ready_elements(client, instance["id"]) == ["started_by_timer"]
    assert timer_count(client, instance["id"]) == 0  # it does not wait a second time
    [started] = [h for h in history_events(client, instance["id"]) if h["event"] == "instance started"]
    assert started["actor"] == "scheduler"
    assert started["details"]["reason"] == "timer start event"
    assert fired_count(client, instance["id"]) == 0
    assert started_fired(client) == 1


def test_timer_start_cycle_starts_an_instance_per_repetition(client: TestClient) -> None:
    definition = deploy(client, "timer_start_cycle.bpmn")  # R3/PT0.5S
    [start] = scheduled_starts(client, definition["id"])[0]
    assert start["remaining"] == 3
    wait_for(lambda: spent(client, definition["id"]))  # the third start deleted the schedule
    found = started_instances(client, "timer_start_cycle")
    assert len(found) == 3
    for instance in found:
        assert ready_elements(client, instance["id"]) == ["started_by_timer"]
    time.sleep(0.6)  # one more interval: nothing is left to start anything
    assert len(started_instances(client, "timer_start_cycle")) == 3


def test_redeploying_stops_the_old_versions_starts(client: TestClient) -> None:
    cycle = (FIXTURES / "timer_start_cycle.bpmn").read_text()
    first = deploy_xml(client, cycle.replace("R3/PT0.5S", "R9/PT0.5S"))
    wait_for(lambda: scheduled_starts(client, first["id"])[1] >= 1)
    second = deploy_xml(client, cycle.replace("R3/PT0.5S", "R2/PT0.3S"))
    assert second["version"] == first["version"] + 1
    starts, old_count = scheduled_starts(client, first["id"])
    assert starts == []
    assert old_count < 9
    wait_for(lambda: spent(client, second["id"]))
    assert scheduled_starts(client, second["id"])[1] == 2
    assert scheduled_starts(client, first["id"])[1] == old_count


def test_timer_start_date_in_the_past_starts_one_instance_promptly(client: TestClient) -> None:
    xml = timer_start_xml(
        '<bpmn:timeDate xsi:type="bpmn:tFormalExpression">2000-01-01T00:00:00Z</bpmn:timeDate>'
    )
    definition = deploy_xml(client, xml)
    wait_for(lambda: spent(client, definition["id"]))
    [instance] = started_instances(client, "timer_start")
    assert ready_elements(client, instance["id"]) == ["started_by_timer"]


def test_missed_cycle_repetitions_start_one_instance_not_one_each(client: TestClient) -> None:
    xml = timer_start_xml(
        '<bpmn:timeCycle xsi:type="bpmn:tFormalExpression">R3/2000-01-01T00:00:00Z/PT1H</bpmn:timeCycle>'
    )
    definition = deploy_xml(client, xml)
    wait_for(lambda: scheduled_starts(client, definition["id"])[1] == 1)
    [start], count = scheduled_starts(client, definition["id"])
    assert count == 1
    # The cycle goes on at its next repetition in the future, still owing its two other starts.
    assert start["remaining"] == 2
    assert start["dueAt"] > datetime.now(UTC)
    [instance] = started_instances(client, "timer_start")
    assert ready_elements(client, instance["id"]) == ["started_by_timer"]  # one token, not one per miss


def test_timer_start_due_while_the_server_was_down_fires_at_start_up(settings: Settings) -> None:
    stopped = settings.model_copy(update={"scheduler_enabled": False})
    with TestClient(create_app(stopped), headers=AUTH) as first:
        definition = deploy_xml(first, timer_start_xml("<bpmn:timeDuration>PT0.3S</bpmn:timeDuration>"))
        time.sleep(0.4)  # due now, but no scheduler runs
        assert scheduled_starts(first, definition["id"])[1] == 0
    with TestClient(create_app(settings), headers=AUTH) as second:
        wait_for(lambda: spent(second, definition["id"]))
        [instance] = started_instances(second, "timer_start")
        assert ready_elements(second, instance["id"]) == ["started_by_timer"]


def test_deleting_a_definition_removes_its_scheduled_starts(client: TestClient) -> None:
    xml = timer_start_xml('<bpmn:timeCycle xsi:type="bpmn:tFormalExpression">R/PT1H</bpmn:timeCycle>')
    definition = deploy_xml(client, xml)
    [start] = scheduled_starts(client, definition["id"])[0]
    assert start["remaining"] is None  # no end
    response = client.delete(f"/api/v1/process-definitions/{definition['id']}")
    assert response.status_code == 204, response.text
    assert scheduled_starts(client, definition["id"]) == ([], 0)


def test_timer_start_starts_only_through_its_own_start_event(client: TestClient) -> None:
    definition = deploy(client, "timer_start_or_manual.bpmn")  # a none start and a timer start
    wait_for(lambda: spent(client, definition["id"]))
    [scheduled] = started_instances(client, "timer_start_or_manual")
    assert ready_elements(client, scheduled["id"]) == ["started_by_timer"]
    by_hand = start(client, "timer_start_or_manual")
    assert ready_elements(client, by_hand["id"]) == ["manual_task"]
    assert timer_count(client, by_hand["id"]) == 0  # its timer start belongs to the schedule


def test_starting_a_timer_start_process_by_hand_does_not_wait(client: TestClient) -> None:
    deploy(client, "timer_start_cycle.bpmn")
    instance = start(client, "timer_start_cycle")
    assert ready_elements(client, instance["id"]) == ["started_by_timer"]
    assert timer_count(client, instance["id"]) == 0


def test_timer_start_needs_a_literal_the_scheduler_can_plan(client: TestClient) -> None:
    for definition in ("${later}", "0 0 9 * * ?", "R3/PT0S"):
        xml = timer_start_xml(
            f'<bpmn:timeCycle xsi:type="bpmn:tFormalExpression">{definition}</bpmn:timeCycle>'
        )
        response = client.post(
            "/api/v1/process-definitions", content=xml.encode(), headers={"content-type": "application/xml"}
        )
        assert response.status_code == 422, response.text
        assert response.json()["elementId"] == "start"
    assert started_instances(client, "timer_start") == []


def test_two_servers_start_each_repetition_once(settings: Settings) -> None:
    xml = (FIXTURES / "timer_start_cycle.bpmn").read_text().replace("R3/PT0.5S", "R5/PT0.2S")
    with (
        TestClient(create_app(settings), headers=AUTH) as first,
        TestClient(create_app(settings), headers=AUTH) as second,
    ):
        definition = deploy_xml(first, xml)
        wait_for(lambda: spent(second, definition["id"]))
        assert len(started_instances(second, "timer_start_cycle")) == 5
        fired = [started_fired(c) for c in (first, second)]
        assert sum(fired) == 5

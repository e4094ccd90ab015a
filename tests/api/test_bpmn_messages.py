"""Messages (BPMN 2.0 section 10.5.2, 8.4.13 correlation) and signals (broadcast) through the API."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.helpers import complete, deploy, ready_tasks, start


def _wait_for_payment(client: TestClient, **start_extra: Any) -> dict[str, Any]:
    """An instance of message_catch that has passed its first task and now waits for OrderPaid."""
    variables = start_extra.pop("variables", None)
    instance = start(client, "message_catch", variables, **start_extra)
    [first] = ready_tasks(client, instance["id"])
    complete(client, first["id"])
    got = client.get(f"/api/v1/process-instances/{instance['id']}").json()
    assert got["activeElementIds"] == ["wait_paid"]
    return instance


def _send(client: TestClient, body: dict[str, Any]) -> Any:
    return client.post("/api/v1/messages", json={"name": "OrderPaid", **body})


def _elements(client: TestClient, instance_id: str) -> list[str]:
    return sorted(t["elementId"] for t in ready_tasks(client, instance_id))


def test_message_by_instance_id_carries_variables(client: TestClient) -> None:
    deploy(client, "message_catch.bpmn")
    target = _wait_for_payment(client, variables={"orderId": 1})
    other = _wait_for_payment(client, variables={"orderId": 2})
    response = _send(client, {"processInstanceId": target["id"], "variables": {"amount": 99.5}})
    assert response.status_code == 200, response.text
    [delivery] = response.json()["items"]
    assert delivery["processInstanceId"] == target["id"]
    assert delivery["started"] is False
    assert _elements(client, target["id"]) == ["after_paid"]
    assert _elements(client, other["id"]) == []
    variables = client.get(f"/api/v1/process-instances/{target['id']}/variables").json()
    assert variables == {"orderId": 1, "amount": 99.5}
    history = client.get(f"/api/v1/process-instances/{target['id']}/history").json()["items"]
    assert "message correlated" in [h["event"] for h in history]


def test_message_by_business_key(client: TestClient) -> None:
    deploy(client, "message_catch.bpmn")
    target = _wait_for_payment(client, businessKey="order-7")
    other = _wait_for_payment(client, businessKey="order-8")
    response = _send(client, {"businessKey": "order-7", "variables": {"paid": True}})
    assert response.status_code == 200, response.text
    assert [d["processInstanceId"] for d in response.json()["items"]] == [target["id"]]
    assert _elements(client, target["id"]) == ["after_paid"]
    assert _elements(client, other["id"]) == []
    assert client.get(f"/api/v1/process-instances/{target['id']}/variables").json()["paid"] is True


def test_message_by_correlation_key(client: TestClient) -> None:
    deploy(client, "message_catch.bpmn")
    target = _wait_for_payment(client, variables={"correlationKey": "inv-1"})
    other = _wait_for_payment(client, variables={"correlationKey": "inv-2"})
    response = _send(client, {"correlationKey": "inv-1"})
    assert response.status_code == 200, response.text
    assert [d["processInstanceId"] for d in response.json()["items"]] == [target["id"]]
    assert _elements(client, target["id"]) == ["after_paid"]
    assert _elements(client, other["id"]) == []


def test_message_nobody_waits_for_is_404(client: TestClient) -> None:
    deploy(client, "message_catch.bpmn")
    early = start(client, "message_catch")  # still in its first task: not waiting yet
    response = _send(client, {"processInstanceId": early["id"]})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert "OrderPaid" in response.json()["detail"]
    assert client.post("/api/v1/messages", json={"name": "Nobody"}).status_code == 404
    wrong_key = _wait_for_payment(client, businessKey="bk-1")
    assert _send(client, {"businessKey": "bk-2"}).status_code == 404
    assert _elements(client, wrong_key["id"]) == []


def test_message_start_event_creates_an_instance(client: TestClient) -> None:
    deploy(client, "message_start.bpmn")
    response = client.post(
        "/api/v1/messages", json={"name": "StartOrder", "businessKey": "po-1", "variables": {"sku": "X1"}}
    )
    assert response.status_code == 200, response.text
    [delivery] = response.json()["items"]
    assert delivery["started"] is True
    assert delivery["definitionKey"] == "message_start"
    instance = client.get(f"/api/v1/process-instances/{delivery['processInstanceId']}").json()
    assert instance["businessKey"] == "po-1"
    assert instance["status"] == "RUNNING"
    assert instance["variables"] == {"sku": "X1"}
    assert _elements(client, instance["id"]) == ["handle_order"]
    again = client.post("/api/v1/messages", json={"name": "StartOrder", "businessKey": "po-2"}).json()
    assert again["items"][0]["processInstanceId"] != instance["id"]


def test_signal_reaches_every_waiting_instance(client: TestClient) -> None:
    deploy(client, "signal_catch.bpmn")
    deploy(client, "user_task.bpmn")
    waiting = [start(client, "signal_catch")["id"] for _ in range(3)]
    bystander = start(client, "user_task")
    response = client.post("/api/v1/signals", json={"name": "Alarm", "variables": {"level": 3}})
    assert response.status_code == 200, response.text
    assert sorted(d["processInstanceId"] for d in response.json()["items"]) == sorted(waiting)
    for instance_id in waiting:
        assert _elements(client, instance_id) == ["after_signal"]
        assert client.get(f"/api/v1/process-instances/{instance_id}/variables").json() == {"level": 3}
    assert _elements(client, bystander["id"]) == ["task1"]
    again = client.post("/api/v1/signals", json={"name": "Alarm"})
    assert again.status_code == 200
    assert again.json()["items"] == []


def test_starting_a_message_start_process_directly_enters_at_its_start_event(client: TestClient) -> None:
    deploy(client, "message_start.bpmn")
    instance = start(client, "message_start", {"sku": "Y"})
    assert instance["activeElementIds"] == ["handle_order"]
    assert _elements(client, instance["id"]) == ["handle_order"]
    # Nothing waits at the start event: the next StartOrder message starts another instance.
    again = client.post("/api/v1/messages", json={"name": "StartOrder"}).json()["items"]
    assert [d["started"] for d in again] == [True]


def test_thrown_signal_and_message_reach_other_instances(client: TestClient) -> None:
    deploy(client, "throw_to_others.bpmn")
    deploy(client, "signal_catch.bpmn")
    deploy(client, "message_catch.bpmn")
    listeners = [start(client, "signal_catch")["id"] for _ in range(2)]
    payee = _wait_for_payment(client, variables={"correlationKey": "inv-9"})
    other_payee = _wait_for_payment(client, variables={"correlationKey": "inv-10"})
    thrower = start(client, "throw_to_others", {"correlationKey": "inv-9", "amount": 12})
    [prepare] = ready_tasks(client, thrower["id"])
    complete(client, prepare["id"])
    assert client.get(f"/api/v1/process-instances/{thrower['id']}").json()["status"] == "COMPLETED"
    for listener in listeners:
        assert _elements(client, listener) == ["after_signal"]
    assert _elements(client, payee["id"]) == ["after_paid"]
    assert client.get(f"/api/v1/process-instances/{payee['id']}/variables").json()["amount"] == 12
    assert _elements(client, other_payee["id"]) == []
    history = client.get(f"/api/v1/process-instances/{payee['id']}/history").json()["items"]
    [received] = [h for h in history if h["event"] == "message correlated"]
    assert received["details"]["from"] == thrower["id"]

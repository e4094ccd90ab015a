"""The bundled example processes run end to end through the API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from flowport import examples
from tests.helpers import complete, ready_tasks, start

EXAMPLES = Path(examples.__file__).parent


def _deploy_example(client: TestClient, name: str) -> None:
    response = client.post(
        "/api/v1/process-definitions",
        content=(EXAMPLES / name).read_bytes(),
        headers={"content-type": "application/xml"},
    )
    assert response.status_code == 201, response.text


def _status(client: TestClient, instance_id: str) -> str:
    status: str = client.get(f"/api/v1/process-instances/{instance_id}").json()["status"]
    return status


def _work(client: TestClient, topic: str, variables: dict[str, Any]) -> str:
    fetched = client.post(
        "/api/v1/jobs/fetch-and-lock", json={"workerId": "w", "topics": [{"name": topic}]}
    ).json()["items"]
    [job] = fetched
    done = client.post(f"/api/v1/jobs/{job['id']}/complete", json={"workerId": "w", "variables": variables})
    assert done.status_code == 204, done.text
    return str(job["processInstanceId"])


def test_order_example_ships_after_payment(client: TestClient) -> None:
    _deploy_example(client, "order.bpmn")
    instance = start(client, "order", businessKey="o-1")
    [prepare] = ready_tasks(client, instance["id"])
    complete(client, prepare["id"])
    paid = client.post("/api/v1/messages", json={"name": "PaymentReceived", "businessKey": "o-1"})
    assert paid.status_code == 200, paid.text
    [ship] = ready_tasks(client, instance["id"])
    assert ship["elementId"] == "ship_order"
    complete(client, ship["id"])
    assert _status(client, instance["id"]) == "COMPLETED"


def test_invoice_example_charges_and_sends_a_receipt(client: TestClient) -> None:
    _deploy_example(client, "external_service.bpmn")
    instance = start(client, "invoice", {"amount": 30})
    assert _work(client, "payments", {"charged": True}) == instance["id"]
    assert _work(client, "email", {"sent": True}) == instance["id"]
    assert _status(client, instance["id"]) == "COMPLETED"
    variables = client.get(f"/api/v1/process-instances/{instance['id']}/variables").json()
    assert variables == {"amount": 30, "charged": True, "sent": True}


def test_approval_example_records_the_outcome(client: TestClient) -> None:
    _deploy_example(client, "approval.bpmn")
    instance = start(client, "approval")
    [review] = ready_tasks(client, instance["id"])
    assert "managers" in review["candidateGroups"]
    complete(client, review["id"], {"approved": True})
    assert _status(client, instance["id"]) == "COMPLETED"
    assert client.get(f"/api/v1/process-instances/{instance['id']}/variables").json()["outcome"] == "approved"

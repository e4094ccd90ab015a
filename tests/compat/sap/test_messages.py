"""SAP ``/v1/messages``: to one instance, or to a process's instances with a business key."""

from __future__ import annotations

import uuid
from typing import Any

from tests.compat.sap.conftest import Sap
from tests.compat.sap.errors import INSUFFICIENT, sap_error


def _waiting(sap: Sap, business_key: str) -> dict[str, Any]:
    """A message_catch instance past its first task, waiting for OrderPaid."""
    instance = sap.start("message_catch", businessKey=business_key)
    [first] = sap.tasks_of(instance["id"])
    done = sap.http.patch(
        f"/v1/task-instances/{first['id']}", json={"status": "COMPLETED"}, headers=sap.as_("sap-app")
    )
    assert done.status_code == 204, done.text
    return instance


def _active_task(sap: Sap, instance_id: str) -> str | None:
    ready = [t for t in sap.tasks_of(instance_id) if t["status"] in ("READY", "RESERVED")]
    return ready[0]["activityId"] if ready else None


def test_message_to_one_instance(sap: Sap) -> None:
    instance = _waiting(sap, f"order-{uuid.uuid4().hex[:8]}")
    body = {"definitionId": "OrderPaid", "workflowInstanceId": instance["id"], "context": {"paid": 99.5}}
    sent = sap.http.post("/v1/messages", json=body, headers=sap.as_("sap-app"))
    assert sent.status_code == 202, sent.text
    assert sent.json() == [{"id": instance["id"]}]
    assert _active_task(sap, instance["id"]) == "after_paid"
    context = sap.http.get(
        f"/v1/workflow-instances/{instance['id']}/context", headers=sap.as_("sap-app")
    ).json()
    assert context["paid"] == 99.5
    again = sap.http.post("/v1/messages", json=body, headers=sap.as_("sap-app"))
    assert "No process instance is waiting for message 'OrderPaid'" in sap_error(again, 404)


def test_message_by_definition_and_business_key_skips_suspended_instances(sap: Sap) -> None:
    key = f"order-{uuid.uuid4().hex[:8]}"
    first, second, held = _waiting(sap, key), _waiting(sap, key), _waiting(sap, key)
    other_key = _waiting(sap, f"{key}-other")
    app = sap.as_("sap-app")
    assert (
        sap.http.patch(
            f"/v1/workflow-instances/{held['id']}", json={"status": "SUSPENDED"}, headers=app
        ).status_code
        == 202
    )
    body = {
        "definitionId": "OrderPaid",
        "workflowDefinitionId": "message_catch",
        "businessKey": key,
        "context": {},
    }
    sent = sap.http.post("/v1/messages", json=body, headers=app)
    assert sent.status_code == 202, sent.text
    assert {c["id"] for c in sent.json()} == {first["id"], second["id"]}
    assert _active_task(sap, held["id"]) is None and _active_task(sap, other_key["id"]) is None
    wrong_process = {**body, "workflowDefinitionId": "user_task"}
    assert "No running instance of process user_task" in sap_error(
        sap.http.post("/v1/messages", json=wrong_process, headers=app), 404
    )
    suspended = sap.http.post(
        "/v1/messages", json={"definitionId": "OrderPaid", "workflowInstanceId": held["id"]}, headers=app
    )
    assert sap_error(suspended, 409) == f"Process instance {held['id']} is suspended; resume it first"


def test_message_input_errors_and_missing_authority(sap: Sap) -> None:
    instance = _waiting(sap, f"order-{uuid.uuid4().hex[:8]}")
    app = sap.as_("sap-app")
    target = "Give either workflowInstanceId, or workflowDefinitionId and businessKey"
    for body in (
        {"definitionId": "OrderPaid"},
        {"definitionId": "OrderPaid", "workflowDefinitionId": "message_catch"},
        {"definitionId": "OrderPaid", "businessKey": "b"},
        {"definitionId": "OrderPaid", "workflowInstanceId": instance["id"], "businessKey": "b"},
    ):
        assert sap_error(sap.http.post("/v1/messages", json=body, headers=app), 400) == target, body
    assert "body.definitionId" in sap_error(
        sap.http.post("/v1/messages", json={"workflowInstanceId": instance["id"]}, headers=app), 400
    )
    assert "body.context" in sap_error(
        sap.http.post(
            "/v1/messages",
            json={"definitionId": "OrderPaid", "workflowInstanceId": instance["id"], "context": 5},
            headers=app,
        ),
        400,
    )
    unknown = sap.http.post(
        "/v1/messages", json={"definitionId": "OrderPaid", "workflowInstanceId": "no-such-id"}, headers=app
    )
    sap_error(unknown, 404)
    reader = sap.http.post(
        "/v1/messages",
        json={"definitionId": "OrderPaid", "workflowInstanceId": instance["id"]},
        headers=sap.as_("sap-reader"),
    )
    assert sap_error(reader, 403) == INSUFFICIENT
    assert _active_task(sap, instance["id"]) is None  # still waiting: nothing was delivered

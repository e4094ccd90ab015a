"""SAP ``/v1/workflow-instances``: start, filter and page, status changes, context, logs, errors."""

from __future__ import annotations

import uuid

from tests.compat.sap.conftest import Sap
from tests.compat.sap.errors import sap_error


def _key() -> str:
    return f"bk-{uuid.uuid4().hex[:10]}"


def test_start_with_business_key_and_read_back(sap: Sap) -> None:
    key = _key()
    started = sap.start("user_task_candidates", {"amount": 5}, businessKey=key)
    assert started["businessKey"] == key and started["subject"] == "User task with candidates"
    read = sap.http.get(f"/v1/workflow-instances/{started['id']}", headers=sap.as_("sap-reader"))
    assert read.json() == started


def test_filters_paging_order_and_total(sap: Sap) -> None:
    key = _key()
    first = sap.start("user_task", businessKey=key)
    second = sap.start("user_task_candidates", businessKey=key)
    headers = sap.as_("sap-reader")

    def ids(**params: str) -> list[str]:
        response = sap.http.get(
            "/v1/workflow-instances", params={"businessKey": key, **params}, headers=headers
        )
        assert response.status_code == 200, response.text
        return [i["id"] for i in response.json()]

    assert ids() == [second["id"], first["id"]]  # startedAt desc by default
    assert ids(**{"$orderby": "startedAt asc"}) == [first["id"], second["id"]]
    assert ids(definitionId="user_task") == [first["id"]]
    assert ids(startedBy="sap-app", definitionId="user_task_candidates") == [second["id"]]
    assert ids(startedBy="somebody-else") == []
    assert ids(containsText=key.upper()[3:]) == [second["id"], first["id"]]  # case-insensitive
    assert sap.http.get("/v1/workflow-instances", params={"containsText": key}, headers=headers).json() != []
    paged = sap.http.get(
        "/v1/workflow-instances",
        params={"businessKey": key, "$top": "1", "$skip": "1", "$inlinecount": "allpages"},
        headers=headers,
    )
    assert [i["id"] for i in paged.json()] == [first["id"]]
    assert paged.headers["X-Total-Count"] == "2"
    bad_order = sap.http.get("/v1/workflow-instances", params={"$orderby": "price desc"}, headers=headers)
    assert "Unknown $orderby 'price desc'" in sap_error(bad_order, 400)
    bad_status = sap.http.get("/v1/workflow-instances", params={"status": "SLEEPING"}, headers=headers)
    assert sap_error(bad_status, 400) == (
        "Unknown status 'SLEEPING'; use one of RUNNING, ERRONEOUS, SUSPENDED, CANCELED, COMPLETED"
    )
    assert "$top" in sap_error(
        sap.http.get("/v1/workflow-instances", params={"$top": "0"}, headers=headers), 400
    )


def test_status_filters_running_erroneous_suspended_canceled_completed(sap: Sap) -> None:
    key = _key()
    running = sap.start("user_task", businessKey=key)
    erroneous = sap.start("script_divide", {"x": 0}, businessKey=key)
    suspended = sap.start("user_task", businessKey=key)
    canceled = sap.start("user_task", businessKey=key)
    completed = sap.start("script_divide", {"x": 2}, businessKey=key)
    app = sap.as_("sap-app")
    for instance, status in ((suspended, "SUSPENDED"), (canceled, "CANCELED")):
        changed = sap.http.patch(
            f"/v1/workflow-instances/{instance['id']}", json={"status": status}, headers=app
        )
        assert changed.status_code == 202, changed.text
    [after_script] = sap.tasks_of(completed["id"])
    done = sap.http.patch(
        f"/v1/task-instances/{after_script['id']}", json={"status": "COMPLETED"}, headers=app
    )
    assert done.status_code == 204, done.text
    assert erroneous["status"] == "ERRONEOUS"

    def listed(*statuses: str) -> set[str]:
        params = [("businessKey", key), *(("status", s) for s in statuses)]
        response = sap.http.get("/v1/workflow-instances", params=params, headers=app)
        assert response.status_code == 200, response.text
        return {i["id"] for i in response.json()}

    assert listed() == {running["id"], erroneous["id"]}  # SAP's default: still at work
    assert listed("RUNNING") == {running["id"]}
    assert listed("ERRONEOUS") == {erroneous["id"]}
    assert listed("suspended") == {suspended["id"]}  # status values are not case-sensitive
    assert listed("CANCELED") == {canceled["id"]}
    assert listed("COMPLETED") == {completed["id"]}
    assert listed("CANCELED", "COMPLETED") == {canceled["id"], completed["id"]}
    read = sap.http.get(f"/v1/workflow-instances/{completed['id']}", headers=app).json()
    assert read["status"] == "COMPLETED" and read["completedAt"] is not None


def test_suspend_resume_cancel(sap: Sap) -> None:
    instance = sap.start("user_task_candidates")
    url = f"/v1/workflow-instances/{instance['id']}"
    app = sap.as_("sap-app")
    assert sap.http.patch(url, json={"status": "SUSPENDED"}, headers=app).status_code == 202
    assert sap.http.get(url, headers=app).json()["status"] == "SUSPENDED"
    [task] = sap.tasks_of(instance["id"])
    refused = sap.http.patch(f"/v1/task-instances/{task['id']}", json={"status": "COMPLETED"}, headers=app)
    assert "suspended" in sap_error(refused, 409)
    assert sap.http.get(f"/v1/task-instances/{task['id']}", headers=app).json()["status"] == "READY"
    context = sap.http.patch(f"{url}/context", json={"a": 1}, headers=app)
    assert sap_error(context, 409) == f"Process instance {instance['id']} is suspended; resume it first"
    assert sap.http.patch(url, json={"status": "RUNNING"}, headers=app).status_code == 202
    assert sap.http.get(url, headers=app).json()["status"] == "RUNNING"
    again = sap.http.patch(url, json={"status": "RUNNING"}, headers=app)
    assert sap_error(again, 409) == f"Process instance {instance['id']} is not suspended"
    assert sap.http.patch(url, json={"status": "CANCELED", "cascade": False}, headers=app).status_code == 202
    assert sap.http.get(url, headers=app).json()["status"] == "CANCELED"
    assert sap.tasks_of(instance["id"])[0]["status"] == "CANCELED"
    after = sap.http.patch(url, json={"status": "SUSPENDED"}, headers=app)
    assert "canceled" in sap_error(after, 409)


def test_status_change_input_errors(sap: Sap) -> None:
    instance = sap.start("user_task")
    url = f"/v1/workflow-instances/{instance['id']}"
    app = sap.as_("sap-app")
    assert "body.status" in sap_error(sap.http.patch(url, json={"status": "COMPLETED"}, headers=app), 400)
    assert "body.status" in sap_error(sap.http.patch(url, json={}, headers=app), 400)
    assert "body.cascade" in sap_error(
        sap.http.patch(url, json={"status": "CANCELED", "cascade": "yes"}, headers=app), 400
    )
    unknown = sap.http.patch("/v1/workflow-instances/no-such-id", json={"status": "CANCELED"}, headers=app)
    assert sap_error(unknown, 404) == "Process instance no-such-id does not exist"
    assert sap.http.get(url, headers=app).json()["status"] == "RUNNING"  # nothing half-applied
    not_json = sap.http.patch(url, content=b'{"status": "CANCELED",', headers=app)
    sap_error(not_json, 400)
    assert sap.http.get(url, headers=app).json()["status"] == "RUNNING"


def test_context_get_put_patch(sap: Sap) -> None:
    instance = sap.start("user_task", {"product": "Camera", "price": 100})
    url = f"/v1/workflow-instances/{instance['id']}/context"
    app = sap.as_("sap-app")
    assert sap.http.patch(url, json={"price": 120, "discount": {"pct": 5}}, headers=app).status_code == 202
    assert sap.http.get(url, headers=app).json() == {
        "product": "Camera",
        "price": 120,
        "discount": {"pct": 5},
    }
    assert sap.http.put(url, json={"only": True}, headers=app).status_code == 202
    assert sap.http.get(url, headers=app).json() == {"only": True}
    not_an_object = sap.http.put(url, json=[1, 2], headers=app)
    assert sap_error(not_an_object, 400).startswith("body:")
    assert sap.http.get(url, headers=app).json() == {"only": True}
    reader = sap.http.put(url, json={"x": 1}, headers=sap.as_("sap-reader"))
    assert sap_error(reader, 403) == "User does not have sufficient privileges."
    missing = sap.http.get("/v1/workflow-instances/no-such-id/context", headers=app)
    assert sap_error(missing, 404) == "Process instance no-such-id does not exist"


def test_execution_logs_and_error_messages(sap: Sap) -> None:
    app = sap.as_("sap-app")
    failing = sap.start("script_divide", {"x": 0})
    [error] = sap.http.get(f"/v1/workflow-instances/{failing['id']}/error-messages", headers=app).json()
    assert error["activityId"] == "script" and "ZeroDivisionError" in error["message"]
    assert set(error) == {"activityId", "errorCode", "logId", "message", "timestamp"}

    fine = sap.start("user_task_candidates")
    assert sap.http.get(f"/v1/workflow-instances/{fine['id']}/error-messages", headers=app).json() == []
    [task] = sap.tasks_of(fine["id"])
    sap.http.patch(f"/v1/task-instances/{task['id']}", json={"processor": "bob"}, headers=app)
    sap.http.patch(f"/v1/task-instances/{task['id']}", json={"status": "COMPLETED"}, headers=app)
    logs = sap.http.get(f"/v1/workflow-instances/{fine['id']}/execution-logs", headers=app).json()
    assert [log["type"] for log in logs] == [
        "WORKFLOW_STARTED",
        "USERTASK_CREATED",
        "USERTASK_CLAIMED",
        "USERTASK_COMPLETED",
        "WORKFLOW_COMPLETED",
    ]
    assert logs[1]["activityId"] == "task1" and logs[1]["subject"] == "Task for candidates"
    for path in ("execution-logs", "error-messages"):
        missing = sap.http.get(f"/v1/workflow-instances/no-such-id/{path}", headers=app)
        assert sap_error(missing, 404) == "Process instance no-such-id does not exist"


def test_start_input_errors_start_nothing(sap: Sap) -> None:
    app = sap.as_("sap-app")
    key = _key()
    for body in (
        {"definitionId": 7},
        {"context": {}},
        {"definitionId": "user_task", "context": "Camera"},
        {"definitionId": "user_task", "businessKey": key, "price": 100},
    ):
        response = sap.http.post("/v1/workflow-instances", json={"businessKey": key, **body}, headers=app)
        assert sap_error(response, 400).startswith("body."), body
    none = sap.http.get(
        "/v1/workflow-instances", params=[("businessKey", key), ("status", "RUNNING")], headers=app
    )
    assert none.json() == []

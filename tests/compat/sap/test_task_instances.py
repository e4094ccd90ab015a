"""SAP ``/v1/task-instances``: user tasks as a JSON array, reserved, completed with context."""

from __future__ import annotations

from tests.compat.sap.conftest import Sap
from tests.compat.sap.errors import INSUFFICIENT, sap_error

TASK_FIELDS = {
    "id",
    "activityId",
    "createdAt",
    "completedAt",
    "dueDate",
    "processor",
    "recipientUsers",
    "recipientGroups",
    "status",
    "subject",
    "description",
    "priority",
    "workflowDefinitionId",
    "workflowInstanceId",
    "definitionId",
}


def test_a_task_as_sap_shows_it(sap: Sap) -> None:
    instance = sap.start("user_task_candidates", {"amount": 3})
    [task] = sap.tasks_of(instance["id"], client="sap-reader")
    assert set(task) == TASK_FIELDS
    assert task["status"] == "READY" and task["processor"] is None
    assert task["recipientUsers"] == ["bob", "carol"] and task["recipientGroups"] == ["sales", "support"]
    assert task["activityId"] == "task1" and task["subject"] == "Task for candidates"
    assert task["workflowDefinitionId"] == "user_task_candidates"
    assert task["definitionId"] == "task1@user_task_candidates"
    assert task["dueDate"] == "2030-01-01T00:00:00.000Z"
    headers = sap.as_("sap-reader")
    assert sap.http.get(f"/v1/task-instances/{task['id']}", headers=headers).json() == task
    assert sap.http.get(f"/v1/task-instances/{task['id']}/context", headers=headers).json() == {"amount": 3}


def test_filters_status_processor_and_recipients(sap: Sap) -> None:
    reserved = sap.start("user_task")  # assigned to alice: RESERVED from the start
    ready = sap.start("user_task_candidates")
    headers = sap.as_("sap-reader")

    def listed(*params: tuple[str, str]) -> set[str]:
        response = sap.http.get("/v1/task-instances", params=list(params), headers=headers)
        assert response.status_code == 200, response.text
        assert isinstance(response.json(), list)
        return {t["workflowInstanceId"] for t in response.json()}

    ours = {reserved["id"], ready["id"]}
    assert listed(("status", "RESERVED")) & ours == {reserved["id"]}
    assert listed(("status", "READY")) & ours == {ready["id"]}
    assert listed(("status", "READY"), ("status", "RESERVED")) & ours == ours
    assert listed(("processor", "alice")) & ours == {reserved["id"]}
    assert listed(("recipientUsers", "carol")) & ours == {ready["id"]}
    assert listed(("recipientUsers", "nobody"), ("recipientUsers", "bob")) & ours == {ready["id"]}
    assert listed(("recipientGroups", "support")) & ours == {ready["id"]}
    assert listed(("recipientGroups", "finance")) & ours == set()
    assert listed(("workflowDefinitionId", "user_task"), ("workflowInstanceId", reserved["id"])) == {
        reserved["id"]
    }
    counted = sap.http.get(
        "/v1/task-instances",
        params={"workflowInstanceId": ready["id"], "$inlinecount": "allpages"},
        headers=headers,
    )
    assert counted.headers["X-Total-Count"] == "1"
    bad = sap.http.get("/v1/task-instances", params={"status": "DONE"}, headers=headers)
    assert sap_error(bad, 400) == "Unknown status 'DONE'; use one of READY, RESERVED, COMPLETED, CANCELED"


def test_reserve_release_and_complete_with_context(sap: Sap) -> None:
    instance = sap.start("user_task_candidates", {"amount": 3})
    [task] = sap.tasks_of(instance["id"])
    url = f"/v1/task-instances/{task['id']}"
    app = sap.as_("sap-app")
    assert sap.http.patch(url, json={"processor": "carol"}, headers=app).status_code == 204
    reserved = sap.http.get(url, headers=app).json()
    assert (reserved["status"], reserved["processor"]) == ("RESERVED", "carol")
    taken = sap.http.patch(url, json={"processor": "bob"}, headers=app)
    assert sap_error(taken, 409) == f"Task {task['id']} is already claimed by carol"
    assert sap.http.patch(url, json={"processor": ""}, headers=app).status_code == 204
    assert sap.http.get(url, headers=app).json()["status"] == "READY"

    done = sap.http.patch(url, json={"status": "COMPLETED", "context": {"approved": True}}, headers=app)
    assert done.status_code == 204, done.text
    completed = sap.http.get(url, headers=app).json()
    assert completed["status"] == "COMPLETED" and completed["completedAt"] is not None
    assert completed["processor"] == "sap-app"
    context = sap.http.get(f"/v1/workflow-instances/{instance['id']}/context", headers=app).json()
    assert context == {"amount": 3, "approved": True}
    assert (
        sap.http.get(f"/v1/workflow-instances/{instance['id']}", headers=app).json()["status"] == "COMPLETED"
    )
    listed = sap.http.get(
        "/v1/task-instances",
        params={"workflowInstanceId": instance["id"], "status": "COMPLETED"},
        headers=app,
    )
    assert [t["id"] for t in listed.json()] == [task["id"]]

    again = sap.http.patch(url, json={"status": "COMPLETED", "context": {"approved": False}}, headers=app)
    assert sap_error(again, 409) == f"Task {task['id']} is completed, not ready"
    assert (
        sap.http.get(f"/v1/workflow-instances/{instance['id']}/context", headers=app).json()["approved"]
        is True
    )


def test_updates_it_cannot_apply_are_422_and_change_nothing(sap: Sap) -> None:
    instance = sap.start("user_task_candidates")
    [task] = sap.tasks_of(instance["id"])
    url = f"/v1/task-instances/{task['id']}"
    app = sap.as_("sap-app")
    for body, message in (
        ({"status": "READY"}, "body.status"),
        ({"status": "COMPLETED", "context": ["a"]}, "body.context"),
        ({"status": "COMPLETED", "processor": "bob"}, "Complete a task or change its processor, not both"),
        ({"context": {"a": 1}}, "The context changes only when the task is completed"),
        ({}, "Send status COMPLETED"),
        ({"status": "COMPLETED", "decision": "approve"}, "body.decision"),
        ({"processor": 7}, "body.processor"),
    ):
        response = sap.http.patch(url, json=body, headers=app)
        assert message in sap_error(response, 422), body
    unparsable = sap.http.patch(url, content=b"{status: COMPLETED}", headers=app)
    sap_error(unparsable, 422)
    after = sap.http.get(url, headers=app).json()
    assert (after["status"], after["processor"]) == ("READY", None)
    assert sap.http.get(f"/v1/workflow-instances/{instance['id']}/context", headers=app).json() == {}


def test_unknown_tasks_and_missing_authorities(sap: Sap) -> None:
    app = sap.as_("sap-app")
    for method, path in (("GET", ""), ("GET", "/context"), ("PATCH", "")):
        body = {"status": "COMPLETED"} if method == "PATCH" else None
        response = sap.http.request(method, f"/v1/task-instances/no-such-task{path}", json=body, headers=app)
        assert sap_error(response, 404) == "Task no-such-task does not exist"
    instance = sap.start("user_task_candidates")
    [task] = sap.tasks_of(instance["id"])
    url = f"/v1/task-instances/{task['id']}"
    reader = sap.http.patch(url, json={"status": "COMPLETED"}, headers=sap.as_("sap-reader"))
    assert sap_error(reader, 403) == INSUFFICIENT
    # TASK_COMPLETE lets a client complete a task, not reserve it for somebody (SAP: TASK_UPDATE)
    completer = sap.as_("sap-completer")
    reserve = sap.http.patch(url, json={"processor": "bob"}, headers=completer)
    assert sap_error(reserve, 403) == INSUFFICIENT
    assert sap.http.get(url, headers=app).json()["processor"] is None
    assert sap.http.patch(url, json={"status": "COMPLETED"}, headers=completer).status_code == 204

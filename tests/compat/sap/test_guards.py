"""The SAP routes are guarded like the native API: tokens, authorities, environments, visibility."""

from __future__ import annotations

import httpx

from tests.compat.sap.conftest import Sap
from tests.compat.sap.errors import INSUFFICIENT, sap_error
from tests.helpers import AUTH


def test_no_or_bad_token_is_a_401_in_oauth_shape(sap: Sap) -> None:
    for headers, error in (({}, "unauthorized"), ({"Authorization": "Bearer not-a-token"}, "invalid_token")):
        response = sap.http.get("/v1/workflow-definitions", headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
        body = response.json()
        assert body["error"] == error and body["error_description"]


def test_a_missing_authority_is_403_in_sap_shape(sap: Sap) -> None:
    reader = sap.as_("sap-reader")
    start = sap.http.post("/v1/workflow-instances", json={"definitionId": "user_task"}, headers=reader)
    assert sap_error(start, 403) == INSUFFICIENT
    assert start.json()["error"]["code"] == "forbidden"
    assert 'scope="instances:start"' in start.headers["www-authenticate"]
    # ... while the authorities it was given work
    assert sap.http.get("/v1/workflow-definitions", headers=reader).status_code == 200
    assert sap.http.get("/v1/workflow-instances", headers=reader).status_code == 200


def test_own_clients_see_and_touch_only_their_instances(sap: Sap) -> None:
    others = sap.start("user_task_candidates", {"secret": 1})
    mine = sap.start("user_task_candidates", {"mine": 1}, client="sap-own")
    own = sap.as_("sap-own")
    listed = sap.http.get(
        "/v1/workflow-instances", params={"definitionId": "user_task_candidates"}, headers=own
    )
    assert [i["id"] for i in listed.json()] == [mine["id"]]
    url = f"/v1/workflow-instances/{others['id']}"
    for method, path, body in (
        ("GET", "", None),
        ("PATCH", "", {"status": "CANCELED"}),
        ("GET", "/context", None),
        ("PUT", "/context", {"intruder": True}),
        ("PATCH", "/context", {"intruder": True}),
        ("GET", "/execution-logs", None),
        ("GET", "/error-messages", None),
    ):
        response = sap.http.request(method, url + path, json=body, headers=own)
        assert sap_error(response, 404) == f"Process instance {others['id']} does not exist", (method, path)
    [task] = sap.tasks_of(others["id"])
    assert sap_error(sap.http.get(f"/v1/task-instances/{task['id']}", headers=own), 404)
    completing = sap.http.patch(f"/v1/task-instances/{task['id']}", json={"status": "COMPLETED"}, headers=own)
    assert sap_error(completing, 404) == f"Task {task['id']} does not exist"
    app = sap.as_("sap-app")
    assert sap.http.get(url, headers=app).json()["status"] == "RUNNING"
    assert sap.http.get(f"{url}/context", headers=app).json() == {"secret": 1}


def test_another_environments_token_finds_nothing(sap: Sap) -> None:
    instance = sap.start("user_task_candidates")
    [task] = sap.tasks_of(instance["id"])
    sandbox = sap.as_("sap-sandbox")
    assert sap.http.get("/v1/workflow-definitions", headers=sandbox).json() == []
    assert sap_error(sap.http.get("/v1/workflow-definitions/user_task", headers=sandbox), 404)
    assert sap_error(
        sap.http.delete("/v1/workflow-definitions/user_task", params={"cascade": "true"}, headers=sandbox),
        404,
    )
    start = sap.http.post("/v1/workflow-instances", json={"definitionId": "user_task"}, headers=sandbox)
    assert sap_error(start, 404) == "No process definition with key 'user_task' is deployed"
    assert sap_error(sap.http.get(f"/v1/workflow-instances/{instance['id']}", headers=sandbox), 404)
    assert sap.http.get("/v1/workflow-instances", params={"status": "RUNNING"}, headers=sandbox).json() == []
    assert sap.http.get("/v1/task-instances", headers=sandbox).json() == []
    assert sap_error(
        sap.http.patch(f"/v1/task-instances/{task['id']}", json={"status": "COMPLETED"}, headers=sandbox), 404
    )
    # the environment header cannot switch a token into another environment
    switched = sap.http.get("/v1/workflow-definitions", headers={**sandbox, "x-ws-env": "default"})
    assert switched.status_code == 401
    assert sap.http.get("/v1/workflow-definitions/user_task", headers=sap.as_("sap-app")).status_code == 200
    assert sap.tasks_of(instance["id"])[0]["status"] == "READY"


def test_nul_characters_are_refused_not_a_server_error(sap: Sap) -> None:
    """PostgreSQL text cannot hold U+0000: ids, keys and filters with one are a 400, on any database."""
    app = sap.as_("sap-app")
    for method, url, body in (
        ("GET", "/v1/workflow-instances/a%00b", None),
        ("GET", "/v1/workflow-instances?containsText=%00", None),
        ("GET", "/v1/task-instances?processor=x%00", None),
        ("GET", "/v1/workflow-definitions/user_task%00", None),
        ("POST", "/v1/workflow-instances", {"definitionId": "user_task", "businessKey": "a\u0000"}),
        ("POST", "/v1/messages", {"definitionId": "OrderPaid\u0000", "workflowInstanceId": "x"}),
    ):
        response = sap.http.request(method, url, json=body, headers=app)
        message = sap_error(response, 400)
        assert "NUL characters" in message, (method, url, message)


def test_a_logged_in_person_uses_the_sap_api_with_a_session_until_locked(sap: Sap) -> None:
    user = {"username": "sap-person", "password": "a-long-password-1", "profile": "ObjectReadWrite"}
    assert sap.http.post("/api/v1/admin/users", json=user, headers=AUTH).status_code == 201
    instance = sap.start("user_task_candidates")
    [task] = sap.tasks_of(instance["id"])
    with httpx.Client(base_url=sap.server.url) as browser:
        login = browser.post("/api/login", json={"username": "sap-person", "password": "a-long-password-1"})
        assert login.status_code == 200, login.text
        csrf = login.json()["csrfToken"]
        url = f"/v1/task-instances/{task['id']}"
        assert browser.get(url).json()["status"] == "READY"
        without_csrf = browser.patch(url, json={"processor": "sap-person"})
        assert "x-csrf-token header" in sap_error(without_csrf, 403)
        assert browser.get(url).json()["processor"] is None
        assert (
            browser.patch(url, json={"processor": "sap-person"}, headers={"x-csrf-token": csrf}).status_code
            == 204
        )
        assert browser.get(url).json()["processor"] == "sap-person"

        locked = sap.http.patch("/api/v1/admin/users/sap-person", json={"locked": True}, headers=AUTH)
        assert locked.status_code == 200, locked.text
        after = browser.get(url)
        assert after.status_code == 401 and after.json()["error_description"]

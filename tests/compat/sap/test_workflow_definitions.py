"""SAP ``/v1/workflow-definitions``: a process by its id (the BPMN process id), newest version first."""

from __future__ import annotations

from tests.compat.sap.conftest import Sap
from tests.compat.sap.errors import sap_error
from tests.helpers import AUTH, bpmn


def _deploy_as(sap: Sap, key: str, task_name: str) -> None:
    """Deploy user_task.bpmn under another process id (a new version when ``task_name`` changes)."""
    xml = (
        bpmn("user_task.bpmn")
        .replace(b"user_task", key.encode())
        .replace(b'name="Task 1"', task_name.encode())
    )
    response = sap.http.post(
        "/api/v1/process-definitions", content=xml, headers={**AUTH, "Content-Type": "application/xml"}
    )
    assert response.status_code == 201, response.text


def test_get_one_definition_its_versions_and_its_model(sap: Sap) -> None:
    _deploy_as(sap, "sap_versions", 'name="First"')
    _deploy_as(sap, "sap_versions", 'name="Second"')
    headers = sap.as_("sap-reader")
    newest = sap.http.get("/v1/workflow-definitions/sap_versions", headers=headers)
    assert newest.status_code == 200, newest.text
    assert newest.json()["id"] == "sap_versions" and newest.json()["version"] == "2"
    versions = sap.http.get("/v1/workflow-definitions/sap_versions/versions", headers=headers)
    assert [v["version"] for v in versions.json()] == ["2", "1"]
    model = sap.http.get("/v1/workflow-definitions/sap_versions/model", headers=headers)
    assert model.status_code == 200
    assert model.headers["content-type"].startswith("application/xml")
    assert b'name="Second"' in model.content
    # starting by definition id runs the newest version
    assert sap.start("sap_versions")["definitionVersion"] == "2"


def test_paging_with_total_count(sap: Sap) -> None:
    headers = sap.as_("sap-reader")
    everything = sap.http.get(
        "/v1/workflow-definitions", params={"$inlinecount": "allpages"}, headers=headers
    )
    total = int(everything.headers["X-Total-Count"])
    assert total == len(everything.json()) >= 4
    second = sap.http.get(
        "/v1/workflow-definitions",
        params={"$top": "1", "$skip": "1", "$inlinecount": "allpages"},
        headers=headers,
    )
    assert [d["id"] for d in second.json()] == [everything.json()[1]["id"]]
    assert second.headers["X-Total-Count"] == str(total)
    assert "X-Total-Count" not in sap.http.get("/v1/workflow-definitions", headers=headers).headers


def test_unknown_definitions_and_bad_paging_are_errors_in_sap_shape(sap: Sap) -> None:
    headers = sap.as_("sap-reader")
    for path in ("", "/versions", "/model"):
        response = sap.http.get(f"/v1/workflow-definitions/no_such_process{path}", headers=headers)
        assert sap_error(response, 404) == "Process definition no_such_process does not exist"
    too_many = sap.http.get("/v1/workflow-definitions", params={"$top": "1001"}, headers=headers)
    assert "$top" in sap_error(too_many, 400)
    not_a_number = sap.http.get("/v1/workflow-definitions", params={"$skip": "many"}, headers=headers)
    assert "$skip" in sap_error(not_a_number, 400)
    bad_count = sap.http.get("/v1/workflow-definitions", params={"$inlinecount": "some"}, headers=headers)
    assert "$inlinecount" in sap_error(bad_count, 400)
    unknown = sap.http.post(
        "/v1/workflow-instances", json={"definitionId": "no_such_process"}, headers=sap.as_("sap-app")
    )
    assert sap_error(unknown, 404) == "No process definition with key 'no_such_process' is deployed"


def test_delete_refuses_running_instances_unless_cascade(sap: Sap) -> None:
    _deploy_as(sap, "sap_doomed", 'name="One"')
    _deploy_as(sap, "sap_doomed", 'name="Two"')
    running = sap.start("sap_doomed")
    app = sap.as_("sap-app")
    refused = sap.http.delete("/v1/workflow-definitions/sap_doomed", headers=app)
    assert "cascade=true" in sap_error(refused, 409)
    assert [
        v["version"] for v in sap.http.get("/v1/workflow-definitions/sap_doomed/versions", headers=app).json()
    ] == [
        "2",
        "1",
    ]
    reader = sap.http.delete(
        "/v1/workflow-definitions/sap_doomed", params={"cascade": "true"}, headers=sap.as_("sap-reader")
    )
    assert sap_error(reader, 403) == "User does not have sufficient privileges."

    deleted = sap.http.delete("/v1/workflow-definitions/sap_doomed", params={"cascade": "true"}, headers=app)
    assert deleted.status_code == 202, deleted.text
    assert sap_error(sap.http.get("/v1/workflow-definitions/sap_doomed", headers=app), 404)
    assert sap_error(sap.http.get(f"/v1/workflow-instances/{running['id']}", headers=app), 404)
    again = sap.http.delete("/v1/workflow-definitions/sap_doomed", headers=app)
    assert sap_error(again, 404) == "Process definition sap_doomed does not exist"

"""Deploying and managing process definitions through the native API."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.helpers import bpmn, deploy, start

XML = {"content-type": "application/xml"}


def test_deploy_creates_version_one_with_location(client: TestClient) -> None:
    response = client.post("/api/v1/process-definitions", content=bpmn("user_task.bpmn"), headers=XML)
    assert response.status_code == 201
    body = response.json()
    [definition] = body["definitions"]
    assert definition["key"] == "user_task"
    assert definition["version"] == 1
    assert definition["name"]
    assert response.headers["location"] == f"/api/v1/process-definitions/{definition['id']}"


def test_identical_redeploy_returns_existing_version(client: TestClient) -> None:
    first = deploy(client, "user_task.bpmn")
    response = client.post("/api/v1/process-definitions", content=bpmn("user_task.bpmn"), headers=XML)
    assert response.status_code == 200
    assert response.json()["definitions"][0]["id"] == first["id"]
    assert response.json()["created"] == [False]


def test_changed_redeploy_makes_next_version(client: TestClient) -> None:
    deploy(client, "user_task.bpmn")
    changed = bpmn("user_task.bpmn").replace(b'name="Task 1"', b'name="Task one"')
    assert changed != bpmn("user_task.bpmn")
    response = client.post("/api/v1/process-definitions", content=changed, headers=XML)
    assert response.status_code == 201
    assert response.json()["definitions"][0]["version"] == 2
    latest = client.get("/api/v1/process-definitions", params={"key": "user_task", "latest": True}).json()
    assert [d["version"] for d in latest["items"]] == [2]
    every = client.get("/api/v1/process-definitions", params={"key": "user_task"}).json()
    assert sorted(d["version"] for d in every["items"]) == [1, 2]


def test_start_uses_latest_or_given_version(client: TestClient) -> None:
    deploy(client, "user_task.bpmn")
    deploy_changed = bpmn("user_task.bpmn").replace(b'name="Task 1"', b'name="Task one"')
    client.post("/api/v1/process-definitions", content=deploy_changed, headers=XML)
    latest = start(client, "user_task")
    pinned = start(client, "user_task", version=1)
    defs = {d["id"]: d["version"] for d in client.get("/api/v1/process-definitions").json()["items"]}
    assert defs[latest["definitionId"]] == 2
    assert defs[pinned["definitionId"]] == 1


def test_multipart_upload(client: TestClient) -> None:
    response = client.post(
        "/api/v1/process-definitions",
        files={"file": ("user_task.bpmn", bpmn("user_task.bpmn"), "application/octet-stream")},
    )
    assert response.status_code == 201
    assert response.json()["definitions"][0]["key"] == "user_task"


def test_one_file_with_two_processes(client: TestClient) -> None:
    response = client.post("/api/v1/process-definitions", content=bpmn("two_processes.bpmn"), headers=XML)
    assert response.status_code == 201, response.text
    assert sorted(d["key"] for d in response.json()["definitions"]) == ["first_proc", "second_proc"]


def test_get_and_xml(client: TestClient) -> None:
    definition = deploy(client, "user_task.bpmn")
    got = client.get(f"/api/v1/process-definitions/{definition['id']}")
    assert got.status_code == 200
    assert got.json()["key"] == "user_task"
    xml = client.get(f"/api/v1/process-definitions/{definition['id']}/xml")
    assert xml.status_code == 200
    assert xml.headers["content-type"].startswith("application/xml")
    assert xml.content == bpmn("user_task.bpmn")


def test_unknown_definition_is_404_problem(client: TestClient) -> None:
    response = client.get("/api/v1/process-definitions/nope")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 404


def test_delete_refused_while_instances_run_unless_cascade(client: TestClient) -> None:
    definition = deploy(client, "user_task.bpmn")
    instance = start(client, "user_task")
    refused = client.delete(f"/api/v1/process-definitions/{definition['id']}")
    assert refused.status_code == 409
    assert "cascade" in refused.json()["detail"]
    assert client.get(f"/api/v1/process-instances/{instance['id']}").status_code == 200
    deleted = client.delete(f"/api/v1/process-definitions/{definition['id']}", params={"cascade": True})
    assert deleted.status_code == 204
    assert client.get(f"/api/v1/process-definitions/{definition['id']}").status_code == 404
    assert client.get(f"/api/v1/process-instances/{instance['id']}").status_code == 404


def test_malformed_xml_is_422_with_line(client: TestClient) -> None:
    response = client.post("/api/v1/process-definitions", content=bpmn("bad_malformed.bpmn"), headers=XML)
    assert response.status_code == 422
    problem = response.json()
    assert problem["title"] == "Invalid process definition"
    assert isinstance(problem.get("line"), int)


def test_xxe_and_entity_bombs_are_refused(client: TestClient) -> None:
    for name in ("bad_xxe.bpmn", "bad_billion_laughs.bpmn"):
        response = client.post("/api/v1/process-definitions", content=bpmn(name), headers=XML)
        assert response.status_code == 422, name
        assert "DOCTYPE" in response.json()["detail"]
        assert "root:" not in response.text  # /etc/passwd never leaks


def test_invalid_bpmn_names_element(client: TestClient) -> None:
    response = client.post(
        "/api/v1/process-definitions", content=bpmn("bad_missing_target.bpmn"), headers=XML
    )
    assert response.status_code == 422, response.text
    problem = response.json()
    assert "ghost" in problem["detail"] or problem.get("elementId") in ("flow_bad", "ghost")


def test_document_without_process_is_422(client: TestClient) -> None:
    response = client.post("/api/v1/process-definitions", content=bpmn("bad_no_process.bpmn"), headers=XML)
    assert response.status_code == 422
    assert "process" in response.json()["detail"].lower()


def test_empty_and_wrong_content_type(client: TestClient) -> None:
    assert client.post("/api/v1/process-definitions", content=b"", headers=XML).status_code == 422
    response = client.post("/api/v1/process-definitions", json={"xml": "<x/>"})
    assert response.status_code == 400
    assert "application/xml" in response.json()["detail"]


def test_bpmn_over_size_limit_is_413(client: TestClient) -> None:
    padding = b"<!--" + b"x" * (6 * 1024 * 1024) + b"-->"
    response = client.post(
        "/api/v1/process-definitions", content=bpmn("user_task.bpmn") + padding, headers=XML
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


def test_the_media_type_decides_not_a_substring_of_the_header(client: TestClient) -> None:
    """Before, any Content-Type containing "xml" was read as BPMN, JSON with an xml parameter too."""
    response = client.post(
        "/api/v1/process-definitions",
        content=bpmn("user_task.bpmn"),
        headers={"content-type": "application/json; profile=xml"},
    )
    assert response.status_code == 400
    assert response.json()["detail"].endswith("not application/json")
    assert client.get("/api/v1/process-definitions").json()["items"] == []
    for media in ("application/bpmn+xml", "text/xml; charset=utf-8", "application/octet-stream"):
        deployed = client.post(
            "/api/v1/process-definitions", content=bpmn("user_task.bpmn"), headers={"content-type": media}
        )
        assert deployed.status_code in (200, 201), (media, deployed.text)

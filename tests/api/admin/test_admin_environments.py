"""Admin API for environments: create, list, delete (never `default`, never while they hold data)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.auth_helpers import bearer, problem
from tests.helpers import bpmn

ENVS = "/api/v1/admin/environments"


def names(client: TestClient, admin: dict[str, str]) -> list[str]:
    response = client.get(ENVS, headers=admin)
    assert response.status_code == 200, response.text
    return [e["name"] for e in response.json()["items"]]


def test_default_exists_and_new_environments_are_listed(client: TestClient, admin: dict[str, str]) -> None:
    assert names(client, admin) == ["default"]
    response = client.post(ENVS, json={"name": "staging"}, headers=admin)
    assert response.status_code == 201, response.text
    assert response.headers["location"] == f"{ENVS}/staging"
    assert response.json()["name"] == "staging"
    assert names(client, admin) == ["default", "staging"]
    assert client.get(f"{ENVS}/staging", headers=admin).json()["name"] == "staging"


@pytest.mark.parametrize("name", ["Upper", "-dash", "has space", "x" * 64, "ümlaut", ""])
def test_invalid_names_are_refused(client: TestClient, admin: dict[str, str], name: str) -> None:
    problem(client.post(ENVS, json={"name": name}, headers=admin), 400)


def test_a_duplicate_is_a_409(client: TestClient, admin: dict[str, str]) -> None:
    client.post(ENVS, json={"name": "dup"}, headers=admin)
    problem(client.post(ENVS, json={"name": "dup"}, headers=admin), 409)
    problem(client.post(ENVS, json={"name": "default"}, headers=admin), 409)


def test_default_cannot_be_deleted(client: TestClient, admin: dict[str, str]) -> None:
    problem(client.delete(f"{ENVS}/default", headers=admin), 409)
    assert "default" in names(client, admin)


def test_an_environment_that_holds_clients_or_users_is_not_deleted(
    client: TestClient, admin: dict[str, str]
) -> None:
    client.post(ENVS, json={"name": "busy"}, headers=admin)
    created = client.post(
        "/api/v1/admin/clients",
        json={"name": "c", "clientId": "busy-client", "environment": "busy"},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    user = client.post(
        "/api/v1/admin/users",
        json={"username": "ann", "password": "long-enough-1", "environment": "busy"},
        headers=admin,
    )
    assert user.status_code == 201, user.text
    body = problem(client.delete(f"{ENVS}/busy", headers=admin), 409)
    assert body["holds"] == ["clients", "users"] and "clients, users" in body["detail"]
    client.delete("/api/v1/admin/clients/busy-client", headers=admin)
    client.delete("/api/v1/admin/users/ann", params={"environment": "busy"}, headers=admin)
    assert client.delete(f"{ENVS}/busy", headers=admin).status_code == 204
    assert names(client, admin) == ["default"]


def test_an_environment_with_definitions_is_not_deleted(client: TestClient, admin: dict[str, str]) -> None:
    client.post(ENVS, json={"name": "models"}, headers=admin)
    created = client.post(
        "/api/v1/admin/clients",
        json={
            "name": "deployer",
            "clientId": "deployer",
            "environment": "models",
            "permissions": ["definitions:deploy"],
        },
        headers=admin,
    ).json()
    deployer = bearer(client, "deployer", created["clientSecret"])
    deployed = client.post(
        "/api/v1/process-definitions",
        content=bpmn("user_task.bpmn"),
        headers={**deployer, "content-type": "application/xml"},
    )
    assert deployed.status_code in (200, 201), deployed.text
    client.delete("/api/v1/admin/clients/deployer", headers=admin)
    assert problem(client.delete(f"{ENVS}/models", headers=admin), 409)["holds"] == ["definitions"]


def test_deleting_an_unknown_environment_is_a_404(client: TestClient, admin: dict[str, str]) -> None:
    problem(client.delete(f"{ENVS}/nowhere", headers=admin), 404)
    problem(client.get(f"{ENVS}/nowhere", headers=admin), 404)


def test_changes_are_audited(client: TestClient, admin: dict[str, str]) -> None:
    client.post(ENVS, json={"name": "tmp"}, headers=admin)
    client.delete(f"{ENVS}/tmp", headers=admin)
    events = client.get("/api/v1/admin/audit", params={"limit": 1000}, headers=admin).json()["items"]
    assert [e["event"] for e in events if e["subject"] == "tmp"] == [
        "environment.deleted",
        "environment.created",
    ]


def test_environment_routes_need_admin_environments(client: TestClient) -> None:
    problem(client.get(ENVS), 401)
    operations = client.get("/openapi.json").json()["paths"]
    assert operations[ENVS]["post"]["x-permission"] == "admin:environments"
    assert operations[f"{ENVS}/{{name}}"]["delete"]["x-permission"] == "admin:environments"

"""Small helpers the API tests share (plain functions, not fixtures)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

FIXTURES = Path(__file__).parent / "fixtures" / "bpmn"
STATIC_TOKEN = "test-static-token-with-admin-rights"
AUTH = {"Authorization": f"Bearer {STATIC_TOKEN}"}
STATIC_AUTH_SETTINGS = {"static_token": STATIC_TOKEN, "static_token_profile": "Admin"}


def bpmn(name: str) -> bytes:
    """The bytes of a fixture BPMN file."""
    return (FIXTURES / name).read_bytes()


def deploy(client: TestClient, name: str) -> dict[str, Any]:
    response = client.post(
        "/api/v1/process-definitions", content=bpmn(name), headers={"content-type": "application/xml"}
    )
    assert response.status_code in (200, 201), response.text
    return response.json()["definitions"][0]


def start(
    client: TestClient, key: str, variables: dict[str, Any] | None = None, **extra: object
) -> dict[str, Any]:
    response = client.post(
        "/api/v1/process-instances", json={"definitionKey": key, "variables": variables or {}, **extra}
    )
    assert response.status_code == 201, response.text
    return response.json()


def ready_tasks(client: TestClient, instance_id: str) -> list[dict[str, Any]]:
    response = client.get("/api/v1/tasks", params={"processInstanceId": instance_id})
    assert response.status_code == 200, response.text
    return response.json()["items"]


def complete(client: TestClient, task_id: str, variables: dict[str, Any] | None = None) -> None:  # type: ignore[type-arg]
    response = client.post(f"/api/v1/tasks/{task_id}/complete", json={"variables": variables or {}})
    assert response.status_code == 200, response.text

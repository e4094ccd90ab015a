"""Request bodies are typed strictly and bounded where they reach the database; cursors likewise.

Before, ``"version": "1"`` or ``true`` was coerced to 1, and ``10000000000000000000`` was a 500
(SQLite integer overflow); a history cursor of '²' was a 500 too.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.helpers import deploy, start

PROBLEM = "application/problem+json"


def _instances(client: TestClient) -> int:
    return len(client.get("/api/v1/process-instances", params={"limit": 1000}).json()["items"])


@pytest.mark.parametrize(
    "version",
    ['"1"', "true", "1.0", "1e19", "10000000000000000000", str(2**31)],
)
def test_a_version_that_is_not_a_small_integer_is_refused(client: TestClient, version: str) -> None:
    deploy(client, "user_task.bpmn")
    response = client.post(
        "/api/v1/process-instances",
        content=f'{{"definitionKey": "user_task", "version": {version}}}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["detail"].startswith("body.version: ")
    assert _instances(client) == 0
    assert start(client, "user_task", version=1)["version"] == 1  # an integer still does


@pytest.mark.parametrize(
    ("field", "value"),
    [("refreshTokens", "true"), ("refreshTokens", 1), ("tokenLifetime", "600"), ("tokenLifetime", 600.0)],
)
def test_admin_bodies_refuse_wrong_types(client: TestClient, field: str, value: object) -> None:
    before = client.get("/api/v1/admin/clients").json()["items"]
    response = client.post("/api/v1/admin/clients", json={"name": "billing", field: value})
    assert response.status_code == 400, response.text
    assert response.json()["detail"].startswith(f"body.{field}: ")
    assert client.get("/api/v1/admin/clients").json()["items"] == before
    # a literal is a JSON string: strict typing still takes it
    created = client.post("/api/v1/admin/clients", json={"name": "billing", "visibility": "own"})
    assert created.status_code == 201, created.text


@pytest.mark.parametrize("cursor", ["\u00b2", "9" * 20, "1" * 5000, "-1"])
def test_a_row_id_cursor_that_is_not_one_is_a_400(client: TestClient, cursor: str) -> None:
    deploy(client, "user_task.bpmn")
    instance = start(client, "user_task")
    history = client.get(f"/api/v1/process-instances/{instance['id']}/history", params={"cursor": cursor})
    assert history.status_code == 400, history.text
    assert "cursor" in history.json()["detail"]
    audit = client.get("/api/v1/admin/audit", params={"cursor": cursor})
    assert audit.status_code == 400, audit.text


def test_a_nul_character_is_a_clear_400_and_changes_nothing(client: TestClient) -> None:
    """PostgreSQL text cannot hold NUL: the driver's refusal was a 500 (SQLite stores it)."""
    on_postgres = client.app.state.services.db.engine.dialect.name == "postgresql"  # type: ignore[attr-defined]
    deploy(client, "user_task.bpmn")
    looked_up = client.get("/api/v1/process-instances/a%00b")
    assert looked_up.status_code == (400 if on_postgres else 404), looked_up.text
    assert looked_up.headers["content-type"] == PROBLEM
    body = {"definitionKey": "user_task", "businessKey": "a\u0000b"}
    started = client.post("/api/v1/process-instances", json=body)
    if on_postgres:
        assert started.status_code == 400, started.text
        assert "NUL" in started.json()["detail"]
        assert _instances(client) == 0
    else:
        assert started.status_code == 201, started.text

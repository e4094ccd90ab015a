"""Admin API for users: create, show (never a hash), change, lock, delete."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from flowport.persistence.auth_tables import users
from flowport.persistence.db import read_transaction
from tests.api.auth_helpers import bearer, problem, services_of

USERS = "/api/v1/admin/users"


def create(client: TestClient, admin: dict[str, str], **body: Any) -> dict[str, Any]:
    response = client.post(
        USERS, json={"username": "ann", "password": "correct horse", **body}, headers=admin
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def login(client: TestClient, username: str, password: str) -> int:
    return client.post("/api/login", params={"username": username, "password": password}).status_code


def test_create_shows_the_user_without_password_or_hash(client: TestClient, admin: dict[str, str]) -> None:
    response = client.post(
        USERS,
        json={
            "username": "ann",
            "password": "correct horse",
            "groups": ["managers", "sales"],
            "roles": ["approver"],
            "profile": "ObjectReadWrite",
        },
        headers=admin,
    )
    assert response.status_code == 201, response.text
    assert response.headers["location"] == f"{USERS}/ann?environment=default"
    body = response.json()
    assert body["username"] == "ann" and body["environment"] == "default"
    assert body["groups"] == ["managers", "sales"] and body["roles"] == ["approver"]
    assert body["profile"] == "ObjectReadWrite" and body["locked"] is False
    for answer in (response, client.get(f"{USERS}/ann", headers=admin), client.get(USERS, headers=admin)):
        assert "correct horse" not in answer.text and "argon2" not in answer.text
        assert "password" not in answer.text.lower()


def test_passwords_are_stored_as_argon2id_hashes(client: TestClient, admin: dict[str, str]) -> None:
    create(client, admin)
    with read_transaction(services_of(client).db) as conn:
        stored = conn.execute(select(users.c.password_hash).where(users.c.username == "ann")).scalar_one()
    assert stored.startswith("$argon2id$") and "correct horse" not in stored


def test_invalid_users_are_refused(client: TestClient, admin: dict[str, str]) -> None:
    for body in (
        {"username": "bob", "password": "short"},
        {"username": "bob", "password": "long enough", "profile": "Root"},
        {"username": "bob", "password": "long enough", "permissions": ["everything"]},
        {"username": "has space", "password": "long enough"},
        {"username": "bob", "password": "long enough", "environment": "nowhere"},
        {"username": "bob"},
    ):
        problem(client.post(USERS, json=body, headers=admin), 400)


def test_a_duplicate_username_is_a_409_but_other_environments_may_reuse_it(
    client: TestClient, admin: dict[str, str]
) -> None:
    create(client, admin)
    problem(client.post(USERS, json={"username": "ann", "password": "another one"}, headers=admin), 409)
    client.post("/api/v1/admin/environments", json={"name": "sandbox"}, headers=admin)
    assert create(client, admin, environment="sandbox")["environment"] == "sandbox"
    listed = client.get(USERS, params={"environment": "sandbox"}, headers=admin).json()["items"]
    assert [(u["username"], u["environment"]) for u in listed] == [("ann", "sandbox")]


def test_patch_changes_groups_and_profile(client: TestClient, admin: dict[str, str]) -> None:
    create(client, admin, groups=["a"])
    response = client.patch(f"{USERS}/ann", json={"groups": ["b", "c"], "profile": "Worker"}, headers=admin)
    assert response.status_code == 200, response.text
    assert response.json()["groups"] == ["b", "c"] and response.json()["profile"] == "Worker"
    problem(client.patch(f"{USERS}/ann", json={"username": "renamed"}, headers=admin), 400)
    problem(client.patch(f"{USERS}/ann", json={"password": "short"}, headers=admin), 400)
    for field in ("groups", "password", "locked", "visibility"):
        problem(client.patch(f"{USERS}/ann", json={field: None}, headers=admin), 400)


def test_a_new_password_replaces_the_old_one(client: TestClient, admin: dict[str, str]) -> None:
    create(client, admin)
    assert login(client, "ann", "correct horse") == 200
    session = client.cookies.get("flowport_session")
    assert session
    response = client.patch(f"{USERS}/ann", json={"password": "battery staple"}, headers=admin)
    assert response.status_code == 200, response.text
    assert login(client, "ann", "correct horse") == 401
    assert login(client, "ann", "battery staple") == 200
    from flowport.services import sessions

    assert sessions.principal_for_session(services_of(client), session) is None  # old session ended


def test_a_locked_user_cannot_log_in_until_unlocked(client: TestClient, admin: dict[str, str]) -> None:
    create(client, admin)
    assert client.patch(f"{USERS}/ann", json={"locked": True}, headers=admin).json()["locked"] is True
    assert login(client, "ann", "correct horse") == 401
    client.patch(f"{USERS}/ann", json={"locked": False}, headers=admin)
    assert login(client, "ann", "correct horse") == 200


def test_delete_removes_the_user(client: TestClient, admin: dict[str, str]) -> None:
    create(client, admin)
    assert client.delete(f"{USERS}/ann", headers=admin).status_code == 204
    problem(client.get(f"{USERS}/ann", headers=admin), 404)
    problem(client.delete(f"{USERS}/ann", headers=admin), 404)
    problem(client.patch(f"{USERS}/ann", json={"locked": True}, headers=admin), 404)
    assert login(client, "ann", "correct horse") == 401


def test_changes_are_audited_without_passwords(client: TestClient, admin: dict[str, str]) -> None:
    create(client, admin)
    client.patch(f"{USERS}/ann", json={"password": "battery staple", "groups": ["x"]}, headers=admin)
    client.delete(f"{USERS}/ann", headers=admin)
    response = client.get("/api/v1/admin/audit", params={"limit": 1000}, headers=admin)
    events = [e["event"] for e in response.json()["items"] if e["subject"] == "ann"]
    assert events == ["user.deleted", "user.password_changed", "user.updated", "user.created"]
    assert "correct horse" not in response.text and "battery staple" not in response.text


def test_user_routes_need_admin_users(client: TestClient, admin: dict[str, str]) -> None:
    created = client.post(
        "/api/v1/admin/clients",
        json={"name": "c", "clientId": "c", "profile": "ObjectReadWrite"},
        headers=admin,
    ).json()
    headers = bearer(client, "c", created["clientSecret"])
    assert problem(client.get(USERS, headers=headers), 403)["missingPermission"] == "admin:users"
    problem(client.get(USERS), 401)

"""Admin API for the audit log: newest first, filters, paging, and no secrets."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.auth_helpers import bearer, problem

AUDIT = "/api/v1/admin/audit"


def test_events_come_newest_first_and_page(client: TestClient, admin: dict[str, str]) -> None:
    for name in ("e1", "e2", "e3"):
        client.post("/api/v1/admin/environments", json={"name": name}, headers=admin)
    first = client.get(AUDIT, params={"event": "environment.created", "limit": 2}, headers=admin)
    assert first.status_code == 200, first.text
    page = first.json()
    assert [e["subject"] for e in page["items"]] == ["e3", "e2"]
    assert all(e["event"] == "environment.created" for e in page["items"])
    assert page["items"][0]["at"] >= page["items"][1]["at"]
    rest = client.get(
        AUDIT,
        params={"event": "environment.created", "limit": 2, "cursor": page["nextCursor"]},
        headers=admin,
    ).json()
    assert [e["subject"] for e in rest["items"]] == ["e1"] and rest["nextCursor"] is None


def test_failed_logins_are_audited_without_the_password(client: TestClient, admin: dict[str, str]) -> None:
    client.post("/api/login", json={"username": "mallory", "password": "guess-1234"})
    response = client.get(AUDIT, params={"event": "auth.failed"}, headers=admin)
    events = [e for e in response.json()["items"] if e["subject"] == "mallory"]
    assert len(events) == 1 and events[0]["sourceIp"] == "testclient"
    assert events[0]["details"] == {"endpoint": "login", "method": "password", "knownUser": False}
    assert "guess-1234" not in response.text


def test_a_bad_cursor_is_a_400(client: TestClient, admin: dict[str, str]) -> None:
    problem(client.get(AUDIT, params={"cursor": "nonsense"}, headers=admin), 400)
    problem(client.get(AUDIT, params={"limit": 0}, headers=admin), 400)


def test_the_audit_log_needs_admin_audit(client: TestClient, admin: dict[str, str]) -> None:
    created = client.post(
        "/api/v1/admin/clients",
        json={"name": "ops", "clientId": "ops", "profile": None, "permissions": ["admin:clients"]},
        headers=admin,
    ).json()
    headers = bearer(client, "ops", created["clientSecret"])
    assert problem(client.get(AUDIT, headers=headers), 403)["missingPermission"] == "admin:audit"
    problem(client.get(AUDIT), 401)

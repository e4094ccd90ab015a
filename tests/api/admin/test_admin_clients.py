"""Admin API for OAuth clients: register, show (never a secret), change, rotate, disable, delete."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from tests.api.auth_helpers import (
    bearer,
    problem,
    services_of,
    token,
    token_response,
)

CLIENTS = "/api/v1/admin/clients"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def create(client: TestClient, admin: dict[str, str], **body: Any) -> dict[str, Any]:
    response = client.post(CLIENTS, json={"name": "Billing", **body}, headers=admin)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def test_create_returns_the_secret_once_and_never_again(client: TestClient, admin: dict[str, str]) -> None:
    response = client.post(
        CLIENTS,
        json={
            "name": "Billing",
            "clientId": "billing",
            "profile": "ObjectRead",
            "permissions": ["instances:start", "TASK_COMPLETE"],
            "audiences": ["billing-api"],
            "tokenLifetime": 600,
            "refreshTokens": True,
            "visibility": "own",
        },
        headers=admin,
    )
    assert response.status_code == 201, response.text
    assert response.headers["location"] == "/api/v1/admin/clients/billing"
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    secret = body["clientSecret"]
    assert len(secret) >= 43  # 256 bits, URL-safe base64
    assert body["clientId"] == "billing" and body["environment"] == "default"
    assert body["permissions"] == ["TASK_COMPLETE", "instances:start"]
    assert body["tokenLifetime"] == 600 and body["refreshTokens"] is True and body["visibility"] == "own"
    assert body["enabled"] is True and body["source"] == "api"

    one = client.get(f"{CLIENTS}/billing", headers=admin)
    listed = client.get(CLIENTS, headers=admin)
    for answer in (one, listed):
        assert answer.status_code == 200
        assert secret not in answer.text
        assert "secret_hash" not in answer.text and "clientSecret" not in answer.text
    assert one.json()["name"] == "Billing"
    assert "billing" in [c["clientId"] for c in listed.json()["items"]]


def test_the_new_secret_gets_a_token(client: TestClient, admin: dict[str, str]) -> None:
    created = create(client, admin, clientId="worker-1", profile="Worker")
    assert token(client, "worker-1", created["clientSecret"])
    assert token_response(client, "worker-1", "not-the-secret").status_code == 401


def test_a_client_id_is_generated_when_none_is_given(client: TestClient, admin: dict[str, str]) -> None:
    created = create(client, admin)
    assert UUID.match(created["clientId"])


def test_an_unknown_permission_is_a_400_naming_it(client: TestClient, admin: dict[str, str]) -> None:
    response = client.post(CLIENTS, json={"name": "x", "permissions": ["instances:fly"]}, headers=admin)
    assert "instances:fly" in problem(response, 400)["detail"]
    response = client.post(CLIENTS, json={"name": "x", "profile": "Superuser"}, headers=admin)
    assert "Superuser" in problem(response, 400)["detail"]


def test_a_duplicate_client_id_is_a_409(client: TestClient, admin: dict[str, str]) -> None:
    create(client, admin, clientId="dup")
    response = client.post(CLIENTS, json={"name": "again", "clientId": "dup"}, headers=admin)
    assert problem(response, 409)["clientId"] == "dup"


def test_an_unknown_environment_is_refused(client: TestClient, admin: dict[str, str]) -> None:
    response = client.post(CLIENTS, json={"name": "x", "environment": "nowhere"}, headers=admin)
    assert "nowhere" in problem(response, 400)["detail"]


def test_bad_input_is_a_400(client: TestClient, admin: dict[str, str]) -> None:
    for body in (
        {"name": "x", "clientId": "has space"},
        {"name": "x", "tokenLifetime": 5},
        {"name": "x", "visibility": "everyone"},
        {"name": "x", "unknownField": 1},
        {"name": "x", "jwks": {"keys": [{"kty": "RSA", "n": "abc", "e": "AQAB", "d": "private!"}]}},
        {"name": "x", "jwks": {"keys": []}},
    ):
        problem(client.post(CLIENTS, json=body, headers=admin), 400)


def test_unknown_clients_are_404(client: TestClient, admin: dict[str, str]) -> None:
    path = f"{CLIENTS}/ghost"
    for response in (
        client.get(path, headers=admin),
        client.patch(path, json={"name": "x"}, headers=admin),
        client.post(f"{path}/rotate-secret", json={}, headers=admin),
        client.post(f"{path}/disable", headers=admin),
        client.post(f"{path}/enable", headers=admin),
        client.delete(path, headers=admin),
    ):
        assert problem(response, 404)["clientId"] == "ghost"


def test_patch_changes_the_fields_sent_but_never_id_or_environment(
    client: TestClient, admin: dict[str, str]
) -> None:
    create(client, admin, clientId="app", audiences=["a"])
    response = client.patch(
        f"{CLIENTS}/app",
        json={"name": "Renamed", "permissions": ["messages:send"], "tokenLifetime": 120},
        headers=admin,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["name"] == "Renamed" and body["permissions"] == ["messages:send"]
    assert body["tokenLifetime"] == 120 and body["audiences"] == ["a"]  # unchanged: not sent
    problem(client.patch(f"{CLIENTS}/app", json={"clientId": "other"}, headers=admin), 400)
    problem(client.patch(f"{CLIENTS}/app", json={"environment": "x"}, headers=admin), 400)
    problem(client.patch(f"{CLIENTS}/app", json={"permissions": ["nope"]}, headers=admin), 400)
    for field in ("name", "permissions", "tokenLifetime", "refreshTokens", "visibility"):
        problem(client.patch(f"{CLIENTS}/app", json={field: None}, headers=admin), 400)
    cleared = client.patch(f"{CLIENTS}/app", json={"profile": None}, headers=admin)
    assert cleared.status_code == 200 and cleared.json()["profile"] is None
    assert client.get(f"{CLIENTS}/app", headers=admin).json()["name"] == "Renamed"


def test_rotation_keeps_the_old_secret_for_the_grace_period(
    client: TestClient, admin: dict[str, str]
) -> None:
    old = create(client, admin, clientId="rot")["clientSecret"]
    response = client.post(f"{CLIENTS}/rot/rotate-secret", json={"graceSeconds": 3600}, headers=admin)
    assert response.status_code == 200, response.text
    new = response.json()["clientSecret"]
    assert new != old and response.json()["previousSecretValidUntil"] is not None
    assert token(client, "rot", new)
    assert token(client, "rot", old)  # still inside the grace period

    services = services_of(client)
    real_clock = services.clock
    services.clock = lambda: real_clock() + timedelta(seconds=3601)
    try:
        assert token_response(client, "rot", old).status_code == 401  # the grace period is over
        assert token(client, "rot", new)
    finally:
        services.clock = real_clock


def test_rotation_with_now_invalidates_the_old_secret_at_once(
    client: TestClient, admin: dict[str, str]
) -> None:
    old = create(client, admin, clientId="reset")["clientSecret"]
    response = client.post(f"{CLIENTS}/reset/rotate-secret", json={"now": True}, headers=admin)
    new = response.json()["clientSecret"]
    assert response.json()["previousSecretValidUntil"] is None
    assert token_response(client, "reset", old).status_code == 401
    assert token(client, "reset", new)


def test_at_most_two_secrets_are_valid(client: TestClient, admin: dict[str, str]) -> None:
    first = create(client, admin, clientId="two")["clientSecret"]
    second = client.post(f"{CLIENTS}/two/rotate-secret", headers=admin).json()["clientSecret"]
    third = client.post(f"{CLIENTS}/two/rotate-secret", headers=admin).json()["clientSecret"]
    assert token_response(client, "two", first).status_code == 401
    assert token(client, "two", second) and token(client, "two", third)


def test_a_negative_grace_period_is_refused(client: TestClient, admin: dict[str, str]) -> None:
    create(client, admin, clientId="neg")
    problem(client.post(f"{CLIENTS}/neg/rotate-secret", json={"graceSeconds": -1}, headers=admin), 400)


def test_disable_refuses_tokens_until_enabled(client: TestClient, admin: dict[str, str]) -> None:
    secret = create(client, admin, clientId="dis")["clientSecret"]
    assert client.post(f"{CLIENTS}/dis/disable", headers=admin).json()["enabled"] is False
    assert token_response(client, "dis", secret).status_code == 401
    assert client.post(f"{CLIENTS}/dis/enable", headers=admin).json()["enabled"] is True
    assert token(client, "dis", secret)


def test_delete_removes_the_client_and_frees_its_id(client: TestClient, admin: dict[str, str]) -> None:
    secret = create(client, admin, clientId="gone")["clientSecret"]
    assert client.delete(f"{CLIENTS}/gone", headers=admin).status_code == 204
    problem(client.get(f"{CLIENTS}/gone", headers=admin), 404)
    assert token_response(client, "gone", secret).status_code == 401
    create(client, admin, clientId="gone")


def test_listing_pages_and_filters_by_environment(client: TestClient, admin: dict[str, str]) -> None:
    assert (
        client.post("/api/v1/admin/environments", json={"name": "sandbox"}, headers=admin).status_code == 201
    )
    for n in range(3):
        create(client, admin, clientId=f"sb-{n}", environment="sandbox")
    first = client.get(CLIENTS, params={"environment": "sandbox", "limit": 2}, headers=admin).json()
    assert [c["clientId"] for c in first["items"]] == ["sb-2", "sb-1"]
    rest = client.get(
        CLIENTS, params={"environment": "sandbox", "limit": 2, "cursor": first["nextCursor"]}, headers=admin
    ).json()
    assert [c["clientId"] for c in rest["items"]] == ["sb-0"] and rest["nextCursor"] is None


def test_changes_are_audited_without_secrets(client: TestClient, admin: dict[str, str]) -> None:
    secret = create(client, admin, clientId="aud")["clientSecret"]
    client.patch(f"{CLIENTS}/aud", json={"name": "Audited"}, headers=admin)
    rotated = client.post(f"{CLIENTS}/aud/rotate-secret", headers=admin).json()["clientSecret"]
    client.post(f"{CLIENTS}/aud/disable", headers=admin)
    client.post(f"{CLIENTS}/aud/enable", headers=admin)
    client.delete(f"{CLIENTS}/aud", headers=admin)
    response = client.get("/api/v1/admin/audit", params={"limit": 1000}, headers=admin)
    assert response.status_code == 200, response.text
    mine = [e for e in response.json()["items"] if e["subject"] == "aud"]
    assert [e["event"] for e in mine] == [
        "client.deleted",
        "client.enabled",
        "client.disabled",
        "client.secret_rotated",
        "client.updated",
        "client.created",
    ]
    assert all(e["actor"] == "test-admin" for e in mine)
    assert secret not in response.text and rotated not in response.text


def test_admin_routes_need_the_admin_clients_permission(client: TestClient, admin: dict[str, str]) -> None:
    reader = create(client, admin, clientId="reader", profile="ObjectRead")["clientSecret"]
    headers = bearer(client, "reader", reader)
    assert problem(client.get(CLIENTS, headers=headers), 403)["missingPermission"] == "admin:clients"
    assert problem(client.post(CLIENTS, json={"name": "x"}, headers=headers), 403)
    problem(client.get(CLIENTS), 401)
    operations = client.get("/openapi.json").json()["paths"]
    assert operations["/api/v1/admin/clients"]["post"]["x-permission"] == "admin:clients"
    assert operations["/api/v1/admin/clients/{client_id}/rotate-secret"]["post"]["x-permission"] == (
        "admin:clients"
    )


def test_a_recreated_client_does_not_inherit_refresh_tokens(
    client: TestClient, admin: dict[str, str]
) -> None:
    secret = create(client, admin, clientId="phoenix", refreshTokens=True)["clientSecret"]
    issued = token_response(client, "phoenix", secret)
    assert issued.status_code == 200, issued.text
    refresh = issued.json()["refresh_token"]
    client.delete(f"{CLIENTS}/phoenix", headers=admin)
    reborn = create(client, admin, clientId="phoenix", refreshTokens=True)["clientSecret"]
    response = client.post(
        "/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": refresh},
        auth=("phoenix", reborn),
    )
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


def test_declared_clients_are_changed_where_they_are_declared(
    client: TestClient, admin: dict[str, str]
) -> None:
    # The admin of these tests comes from FLOWPORT_ADMIN_CLIENT_SECRET: rotating it here would be
    # undone at the next start, so the API refuses and says where to change it.
    body = problem(client.post(f"{CLIENTS}/test-admin/rotate-secret", headers=admin), 409)
    assert "FLOWPORT_ADMIN_CLIENT_SECRET" in body["detail"]
    problem(client.patch(f"{CLIENTS}/test-admin", json={"name": "x"}, headers=admin), 409)
    assert client.get(f"{CLIENTS}/test-admin", headers=admin).json()["source"] == "environment"

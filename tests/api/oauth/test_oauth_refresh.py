"""Refresh tokens: opaque, stored hashed, rotated on every use; reuse revokes the whole family."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from flowport.config import Settings
from flowport.persistence.auth_tables import refresh_tokens
from tests.api.oauth_support import (
    APP,
    APP_SECRET,
    READER,
    READER_SECRET,
    REFRESHER,
    REFRESHER_SECRET,
    claims_of,
    oauth_error,
    post_token,
    services_of,
)


def refresh(
    http: TestClient, token: str, client_id: str = REFRESHER, secret: str = REFRESHER_SECRET, **extra: Any
) -> Any:
    return http.post(
        "/connect/token",
        data={"grant_type": "refresh_token", "refresh_token": token, **extra},
        auth=(client_id, secret),
    )


def first_refresh_token(http: TestClient, **params: Any) -> str:
    response = post_token(http, REFRESHER, REFRESHER_SECRET, **params)
    assert response.status_code == 200, response.text
    value: str = response.json()["refresh_token"]
    return value


def test_client_credentials_gives_a_refresh_token_to_configured_clients(http: TestClient) -> None:
    token = first_refresh_token(http)
    assert len(token) >= 43  # 256 bits, base64url
    assert "refresh_token" not in post_token(http, READER, READER_SECRET).json()
    with services_of(http).db.connect() as conn:
        stored = [r[0] for r in conn.execute(select(refresh_tokens.c.token_hash))]
    assert len(stored) == 1 and token not in stored[0]


def test_each_use_rotates_and_reuse_revokes_the_family(http: TestClient) -> None:
    first = first_refresh_token(http)
    answer = refresh(http, first)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert answer.headers["cache-control"] == "no-store"
    second = body["refresh_token"]
    assert second != first and claims_of(body["access_token"])["sub"] == REFRESHER
    oauth_error(refresh(http, first), 400, "invalid_grant")  # reuse: the family dies
    oauth_error(refresh(http, second), 400, "invalid_grant")
    services = services_of(http)
    from flowport.services import audit

    events = audit.search(services, env=None, event="refresh_token.reuse", cursor=None, limit=5).items
    assert len(events) == 1 and events[0].subject == REFRESHER


def test_scope_may_narrow_on_refresh_but_not_widen(http: TestClient) -> None:
    token = first_refresh_token(http, scope="instances:read tasks:read")
    narrowed = refresh(http, token, scope="tasks:read")
    assert narrowed.status_code == 200 and narrowed.json()["scope"] == "tasks:read"
    oauth_error(
        refresh(http, narrowed.json()["refresh_token"], scope="definitions:read"), 400, "invalid_scope"
    )


def test_refresh_token_of_another_client_or_unknown_is_invalid_grant(
    http: TestClient, settings: Settings
) -> None:
    token = first_refresh_token(http)
    oauth_error(refresh(http, "not-a-refresh-token"), 400, "invalid_grant")
    # The app client is not configured for refresh tokens: unauthorized_client comes first.
    oauth_error(refresh(http, token, APP, APP_SECRET), 400, "unauthorized_client")
    assert refresh(http, token).status_code == 200  # nothing above used it up


def test_refresh_errors(http: TestClient) -> None:
    oauth_error(
        http.post("/connect/token", data={"grant_type": "refresh_token"}, auth=(REFRESHER, REFRESHER_SECRET)),
        400,
        "invalid_request",
    )
    token = first_refresh_token(http)
    in_query = http.post(
        "/connect/token",
        params={"refresh_token": token},
        data={"grant_type": "refresh_token"},
        auth=(REFRESHER, REFRESHER_SECRET),
    )
    oauth_error(in_query, 400, "invalid_request")
    oauth_error(refresh(http, token, REFRESHER, "wrong"), 401, "invalid_client")


def api_status(http: TestClient, access: str) -> int:
    return http.get("/api/v1/process-instances", headers={"Authorization": f"Bearer {access}"}).status_code


def test_reuse_also_revokes_the_access_tokens_issued_from_the_family(http: TestClient) -> None:
    issued = post_token(http, REFRESHER, REFRESHER_SECRET).json()
    first, first_access = issued["refresh_token"], issued["access_token"]
    rotated = refresh(http, first).json()
    second_access = rotated["access_token"]
    other_family = post_token(http, REFRESHER, REFRESHER_SECRET).json()["access_token"]
    assert claims_of(second_access)["family_id"] == claims_of(first_access)["family_id"]
    assert {api_status(http, t) for t in (first_access, second_access, other_family)} == {200}
    oauth_error(refresh(http, first), 400, "invalid_grant")  # reuse: the thief may hold an access token
    for access in (first_access, second_access):
        refused = http.get("/api/v1/process-instances", headers={"Authorization": f"Bearer {access}"})
        assert refused.status_code == 401 and 'error="invalid_token"' in refused.headers["www-authenticate"]
    assert api_status(http, other_family) == 200  # another grant of the same client is untouched


def test_revoking_a_refresh_token_revokes_its_access_tokens(http: TestClient) -> None:
    issued = post_token(http, REFRESHER, REFRESHER_SECRET).json()
    assert api_status(http, issued["access_token"]) == 200
    revoked = http.post(
        "/connect/revoke", data={"token": issued["refresh_token"]}, auth=(REFRESHER, REFRESHER_SECRET)
    )
    assert revoked.status_code == 200
    assert api_status(http, issued["access_token"]) == 401  # RFC 7009 section 2.1


def test_tokens_without_refresh_carry_no_family(http: TestClient) -> None:
    assert "family_id" not in claims_of(post_token(http, READER, READER_SECRET).json()["access_token"])

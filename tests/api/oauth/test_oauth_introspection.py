"""Introspection (RFC 7662) and revocation (RFC 7009); a revoked access token is refused at once."""

from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient

from flowport.auth import tokens
from flowport.config import Settings
from tests.api.oauth_support import (
    APP,
    APP_SECRET,
    CLIENTS,
    READER,
    READER_SECRET,
    REFRESHER,
    REFRESHER_SECRET,
    access_token,
    claims_of,
    oauth_error,
    oauth_settings,
    post_token,
)

# A resource server: it may introspect other clients' access tokens (RFC 7662 section 4).
INTROSPECTOR, INTROSPECTOR_SECRET = "resource-server", "resource-server-secret-0123456789abcdef"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    introspector = {
        "client_id": INTROSPECTOR,
        "client_secret": INTROSPECTOR_SECRET,
        "profile": "ObjectRead",
        "permissions": ["tokens:introspect"],
    }
    return oauth_settings(database_url, tmp_path, clients=[*CLIENTS, introspector])


def introspect(
    http: TestClient,
    token: str,
    client_id: str = INTROSPECTOR,
    secret: str = INTROSPECTOR_SECRET,
    path: str = "/connect/introspect",
) -> Any:
    response = http.post(path, data={"token": token}, auth=(client_id, secret))
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    return response.json()


def revoke(http: TestClient, token: str, client_id: str, secret: str, path: str = "/connect/revoke") -> None:
    response = http.post(path, data={"token": token}, auth=(client_id, secret))
    assert response.status_code == 200, response.text


def test_introspecting_an_access_token(http: TestClient) -> None:
    token = access_token(http, READER, READER_SECRET)
    info = introspect(http, token)  # a resource server (another client) asks
    claims = claims_of(token)
    assert info["active"] is True and info["token_type"] == "Bearer"
    for name in ("scope", "client_id", "sub", "aud", "iss", "exp", "iat", "jti"):
        assert info[name] == claims[name]
    assert introspect(http, token, path="/oauth/introspect")["active"] is True
    assert introspect(http, token, READER, READER_SECRET) == info  # its own client may ask too


def test_a_client_without_the_introspection_permission_learns_nothing_of_others_tokens(
    http: TestClient,
) -> None:
    token = access_token(http, READER, READER_SECRET)
    assert introspect(http, token, APP, APP_SECRET) == {"active": False}  # ObjectReadWrite: not allowed
    assert introspect(http, token)["active"] is True  # the token is fine: a resource server may see it
    own = access_token(http, APP, APP_SECRET)
    assert introspect(http, own, APP, APP_SECRET)["client_id"] == APP


def test_inactive_answers_say_nothing_more(http: TestClient) -> None:
    for token in ("garbage", "a.b.c", "opaque-but-unknown"):
        assert introspect(http, token) == {"active": False}


def test_introspection_needs_an_authenticated_client_and_a_token(http: TestClient) -> None:
    token = access_token(http)
    oauth_error(http.post("/connect/introspect", data={"token": token}), 401, "invalid_client")
    oauth_error(
        http.post("/connect/introspect", data={"token": token}, auth=(APP, "wrong")), 401, "invalid_client"
    )
    oauth_error(http.post("/connect/introspect", data={}, auth=(APP, APP_SECRET)), 400, "invalid_request")
    in_query = http.post("/connect/introspect", params={"token": token}, auth=(APP, APP_SECRET))
    oauth_error(in_query, 400, "invalid_request")


def test_revoked_access_token_is_refused_at_once(http: TestClient) -> None:
    token = access_token(http, READER, READER_SECRET)
    headers = {"Authorization": f"Bearer {token}"}
    assert http.get("/api/v1/process-instances", headers=headers).status_code == 200
    revoke(http, token, READER, READER_SECRET)
    refused = http.get("/api/v1/process-instances", headers=headers)
    assert refused.status_code == 401 and 'error="invalid_token"' in refused.headers["www-authenticate"]
    assert introspect(http, token) == {"active": False}


def test_only_the_owner_can_revoke_and_unknown_tokens_are_fine(http: TestClient) -> None:
    token = access_token(http, READER, READER_SECRET)
    revoke(http, token, APP, APP_SECRET, path="/oauth/revoke")  # not APP's token: a silent no-op
    assert introspect(http, token)["active"] is True
    revoke(http, "no-such-token", APP, APP_SECRET)
    revoke(http, "x.y.z", APP, APP_SECRET)
    oauth_error(http.post("/connect/revoke", data={"token": token}), 401, "invalid_client")
    oauth_error(http.post("/connect/revoke", data={}, auth=(APP, APP_SECRET)), 400, "invalid_request")


def test_refresh_tokens_introspect_for_their_owner_and_revoke_their_family(http: TestClient) -> None:
    first = post_token(http, REFRESHER, REFRESHER_SECRET).json()["refresh_token"]
    rotated = http.post(
        "/connect/token",
        data={"grant_type": "refresh_token", "refresh_token": first},
        auth=(REFRESHER, REFRESHER_SECRET),
    ).json()["refresh_token"]
    info = introspect(http, rotated, REFRESHER, REFRESHER_SECRET)
    assert info["active"] is True and info["client_id"] == REFRESHER and info["token_type"] == "refresh_token"
    assert introspect(http, rotated) == {"active": False}  # another client's refresh token
    assert introspect(http, first, REFRESHER, REFRESHER_SECRET) == {"active": False}  # used
    revoke(http, first, REFRESHER, REFRESHER_SECRET)  # an old member revokes the family
    assert introspect(http, rotated, REFRESHER, REFRESHER_SECRET) == {"active": False}
    again = http.post(
        "/connect/token",
        data={"grant_type": "refresh_token", "refresh_token": rotated},
        auth=(REFRESHER, REFRESHER_SECRET),
    )
    oauth_error(again, 400, "invalid_grant")


def test_a_token_the_api_already_accepted_is_refused_once_expired(
    http: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = access_token(http, READER, READER_SECRET)  # the reader's tokens live 600 s
    headers = {"Authorization": f"Bearer {token}"}
    assert http.get("/api/v1/process-instances", headers=headers).status_code == 200
    later = time.time() + 600 + 120
    monkeypatch.setattr(tokens, "time", SimpleNamespace(time=lambda: later, monotonic=time.monotonic))
    refused = http.get("/api/v1/process-instances", headers=headers)
    assert refused.status_code == 401
    assert "expired" in refused.json()["detail"]

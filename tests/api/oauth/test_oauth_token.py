"""The token endpoint: every way clients send a client-credentials request, and every error case."""

from __future__ import annotations

import time
import uuid

import pytest
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import RSAKey

from flowport.config import Settings
from tests.api.oauth_support import (
    APP,
    APP_SECRET,
    READER,
    READER_SECRET,
    access_token,
    change_client,
    claims_of,
    client_row,
    oauth_error,
    post_token,
    services_of,
)


def _ok(response: object) -> dict[str, object]:
    assert response.status_code == 200, response.text  # type: ignore[attr-defined]
    headers = response.headers  # type: ignore[attr-defined]
    assert headers["cache-control"] == "no-store" and headers["pragma"] == "no-cache"
    body: dict[str, object] = response.json()  # type: ignore[attr-defined]
    assert body["token_type"] == "Bearer" and isinstance(body["access_token"], str)
    return body


# --- the ways clients ask ----------------------------------------------------------------------------


def test_basic_with_grant_type_in_the_query_string(http: TestClient) -> None:
    body = _ok(http.post("/oauth/token?grant_type=client_credentials", auth=(APP, APP_SECRET)))
    assert body["expires_in"] == 3600 and "refresh_token" not in body
    claims = claims_of(str(body["access_token"]))
    assert claims["sub"] == claims["client_id"] == APP and claims["aud"] == "flowport"
    assert claims["scope"] == body["scope"] and "instances:start" in str(body["scope"]).split()
    assert "admin:clients" not in str(body["scope"]).split()


def test_form_post(http: TestClient) -> None:
    body = _ok(post_token(http, READER, READER_SECRET))
    assert body["expires_in"] == 600  # the client's own token lifetime
    assert body["scope"] == "definitions:read instances:read tasks:read"


def test_json_body_with_audience_as_camunda_sends_it(http: TestClient) -> None:
    payload = {
        "client_id": APP,
        "client_secret": APP_SECRET,
        "audience": "flowport",
        "grant_type": "client_credentials",
    }
    body = _ok(http.post("/oauth/token", json=payload))
    assert claims_of(str(body["access_token"]))["aud"] == "flowport"


def test_the_token_opens_the_api(http: TestClient) -> None:
    token = access_token(http, READER, READER_SECRET)
    response = http.get("/api/v1/process-instances", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    other = access_token(http, APP, APP_SECRET, audience="billing")
    refused = http.get("/api/v1/process-instances", headers={"Authorization": f"Bearer {other}"})
    assert refused.status_code == 401 and 'error="invalid_token"' in refused.headers["www-authenticate"]


def test_private_key_jwt(http: TestClient, settings: Settings) -> None:
    key = RSAKey.generate_key(2048, parameters={"kid": "app-key"})
    change_client(http, APP, jwks={"keys": [key.as_dict(private=False)]})
    now = int(time.time())
    claims = {
        "iss": APP,
        "sub": APP,
        "aud": f"{settings.effective_public_url}/connect/token",
        "iat": now,
        "exp": now + 60,
        "jti": uuid.uuid4().hex,
    }
    assertion = jwt.encode({"alg": "RS256", "kid": "app-key"}, claims, key)
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": assertion,
    }
    body = _ok(http.post("/connect/token", data=form))
    assert claims_of(str(body["access_token"]))["client_id"] == APP
    replay = http.post("/connect/token", data=form)
    oauth_error(replay, 401, "invalid_client")


# --- scope and audience --------------------------------------------------------------------------------


def test_scope_narrows_with_permissions_profiles_and_aliases(http: TestClient) -> None:
    assert _ok(post_token(http, scope="instances:read"))["scope"] == "instances:read"
    assert (
        _ok(post_token(http, scope="tasks:read WORKFLOW_INSTANCE_START"))["scope"]
        == "instances:start tasks:read"
    )
    assert _ok(post_token(http, scope="ObjectRead"))["scope"] == "definitions:read instances:read tasks:read"
    assert "tasks:complete" in str(_ok(post_token(http, scope="write:*"))["scope"])


def test_scope_beyond_the_grant_is_invalid_scope(http: TestClient) -> None:
    body = oauth_error(post_token(http, scope="instances:read admin:clients"), 400, "invalid_scope")
    assert "admin:clients" in body["error_description"]
    oauth_error(post_token(http, READER, READER_SECRET, scope="write:*"), 400, "invalid_scope")
    oauth_error(post_token(http, scope="no-such-permission"), 400, "invalid_scope")


def test_audience_and_resource(http: TestClient) -> None:
    assert claims_of(access_token(http, audience="billing"))["aud"] == "billing"
    both = access_token(http, resource=["flowport", "billing"])
    assert claims_of(both)["aud"] == ["flowport", "billing"]
    oauth_error(post_token(http, audience="payroll"), 400, "invalid_target")
    oauth_error(post_token(http, READER, READER_SECRET, audience="billing"), 400, "invalid_target")


# --- client authentication errors ----------------------------------------------------------------------


def test_wrong_secret_with_basic_is_401_with_a_basic_challenge(http: TestClient) -> None:
    response = http.post("/oauth/token", data={"grant_type": "client_credentials"}, auth=(APP, "wrong"))
    oauth_error(response, 401, "invalid_client")
    assert response.headers["www-authenticate"] == 'Basic realm="flowport"'


def test_unknown_disabled_and_wrong_secret_look_the_same(http: TestClient) -> None:
    wrong = oauth_error(post_token(http, APP, "wrong"), 401, "invalid_client")
    unknown = oauth_error(post_token(http, "nobody", APP_SECRET), 401, "invalid_client")
    change_client(http, READER, enabled=False)
    disabled = oauth_error(post_token(http, READER, READER_SECRET), 401, "invalid_client")
    assert wrong == unknown == disabled


def test_no_credentials(http: TestClient) -> None:
    oauth_error(http.post("/connect/token", data={"grant_type": "client_credentials"}), 401, "invalid_client")
    oauth_error(
        http.post("/connect/token", data={"grant_type": "client_credentials", "client_id": APP}),
        401,
        "invalid_client",
    )


def test_secret_in_the_query_string_is_refused(http: TestClient) -> None:
    response = http.post(
        "/oauth/token",
        params={"grant_type": "client_credentials", "client_id": APP, "client_secret": APP_SECRET},
    )
    oauth_error(response, 400, "invalid_request")


def test_two_authentication_methods_are_refused(http: TestClient) -> None:
    response = http.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_secret": APP_SECRET},
        auth=(APP, APP_SECRET),
    )
    oauth_error(response, 400, "invalid_request")


# --- request errors --------------------------------------------------------------------------------------


def test_missing_and_unsupported_grant_types(http: TestClient) -> None:
    oauth_error(http.post("/oauth/token", auth=(APP, APP_SECRET)), 400, "invalid_request")
    response = http.post("/oauth/token", data={"grant_type": "password"}, auth=(APP, APP_SECRET))
    oauth_error(response, 400, "unsupported_grant_type")
    oauth_error(post_token(http, grant_type="authorization_code"), 400, "unsupported_grant_type")


def test_malformed_bodies(http: TestClient) -> None:
    auth = (APP, APP_SECRET)
    oauth_error(
        http.post(
            "/oauth/token",
            content=b"grant_type=client_credentials",
            headers={"content-type": "text/plain"},
            auth=auth,
        ),
        400,
        "invalid_request",
    )
    bad_json = http.post(
        "/oauth/token", content=b"{nope", headers={"content-type": "application/json"}, auth=auth
    )
    oauth_error(bad_json, 400, "invalid_request")
    oauth_error(http.post("/oauth/token", json=["client_credentials"], auth=auth), 400, "invalid_request")
    repeated = http.post(
        "/oauth/token",
        content=b"grant_type=client_credentials&scope=instances:read&scope=tasks:read",
        headers={"content-type": "application/x-www-form-urlencoded"},
        auth=auth,
    )
    oauth_error(repeated, 400, "invalid_request")
    conflicting = http.post(
        "/oauth/token?grant_type=refresh_token", data={"grant_type": "client_credentials"}, auth=auth
    )
    oauth_error(conflicting, 400, "invalid_request")


def test_refresh_grant_without_refresh_tokens_is_unauthorized_client(http: TestClient) -> None:
    response = http.post(
        "/oauth/token", data={"grant_type": "refresh_token", "refresh_token": "x"}, auth=(APP, APP_SECRET)
    )
    oauth_error(response, 400, "unauthorized_client")


@pytest.mark.parametrize("path", ["/connect/token", "/oauth/token", "/connect/revoke", "/oauth/introspect"])
def test_other_methods_are_405(http: TestClient, path: str) -> None:
    for method in ("GET", "PUT", "DELETE"):
        response = http.request(method, path)
        assert response.status_code == 405, (method, path)
        assert response.headers["allow"] == "POST"


# --- side effects ------------------------------------------------------------------------------------------


def test_issuing_touches_last_used_and_audits_without_secrets(http: TestClient) -> None:
    assert client_row(http, READER).last_used_at is None
    token = access_token(http, READER, READER_SECRET)
    post_token(http, READER, "a-wrong-secret-value")
    services = services_of(http)
    assert services.auth is not None
    services.auth.writes.flush()
    assert client_row(http, READER).last_used_at is not None
    from flowport.services import audit

    events = audit.search(services, env=None, event=None, cursor=None, limit=50).items
    issued = [e for e in events if e.event == "token.issued" and e.subject == READER]
    failed = [e for e in events if e.event == "auth.failed" and e.subject == READER]
    assert issued and issued[0].details and issued[0].details["jti"] == claims_of(token)["jti"]
    assert failed and failed[0].source_ip
    dumped = repr(events)
    assert READER_SECRET not in dumped and "a-wrong-secret-value" not in dumped and token not in dumped

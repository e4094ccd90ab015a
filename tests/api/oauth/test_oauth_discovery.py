"""Discovery (RFC 8414, OpenID Connect), the JWKS, and the token service switched off in external mode."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import KeySet

from flowport.api.app import create_app
from flowport.api.routers.oauth import PUBLIC_PATHS
from tests.api.oauth_support import access_token, oauth_settings

PUBLIC = "https://workflows.example.com/flowport"
STATIC = "static-admin-token-0123456789abcdef0123456789"


def test_metadata_names_the_public_url_behind_a_proxy(database_url: str, tmp_path: Path) -> None:
    settings = oauth_settings(database_url, tmp_path)
    settings.public_url = PUBLIC
    with TestClient(create_app(settings)) as http:
        oidc = http.get("/.well-known/openid-configuration").json()
        rfc8414 = http.get("/.well-known/oauth-authorization-server").json()
        token = access_token(http)
        keys = KeySet.import_key_set(http.get("/.well-known/jwks.json").json())
    assert oidc == rfc8414
    assert oidc["issuer"] == PUBLIC
    assert oidc["token_endpoint"] == f"{PUBLIC}/connect/token"
    assert oidc["introspection_endpoint"] == f"{PUBLIC}/connect/introspect"
    assert oidc["revocation_endpoint"] == f"{PUBLIC}/connect/revoke"
    assert oidc["jwks_uri"] == f"{PUBLIC}/.well-known/jwks.json"
    assert oidc["grant_types_supported"] == ["client_credentials", "refresh_token"]
    assert oidc["token_endpoint_auth_methods_supported"] == [
        "client_secret_basic",
        "client_secret_post",
        "private_key_jwt",
    ]
    assert "RS256" in oidc["token_endpoint_auth_signing_alg_values_supported"]
    assert {"instances:start", "tasks:complete", "admin:clients"} <= set(oidc["scopes_supported"])
    assert jwt.decode(token, keys).claims["iss"] == PUBLIC


def test_jwks_publishes_public_keys_only(database_url: str, tmp_path: Path) -> None:
    with TestClient(create_app(oauth_settings(database_url, tmp_path))) as http:
        response = http.get("/.well-known/jwks.json")
        token = access_token(http)
    assert response.status_code == 200
    (key,) = response.json()["keys"]
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig"
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key)
    assert jwt.decode(token, KeySet.import_key_set(response.json())).header["kid"] == key["kid"]


def test_es256_server(database_url: str, tmp_path: Path) -> None:
    with TestClient(create_app(oauth_settings(database_url, tmp_path, signing_alg="ES256"))) as http:
        keys = http.get("/.well-known/jwks.json").json()
        token = access_token(http)
    assert keys["keys"][0]["kty"] == "EC"
    assert jwt.decode(token, KeySet.import_key_set(keys), algorithms=["ES256"]).header["alg"] == "ES256"


def test_external_mode_hides_every_endpoint(database_url: str, tmp_path: Path) -> None:
    settings = oauth_settings(database_url, tmp_path, mode="external")
    with TestClient(create_app(settings)) as http:
        for path in sorted(PUBLIC_PATHS):
            for method in ("GET", "POST"):
                response = http.request(method, path, data={"grant_type": "client_credentials"})
                assert response.status_code == 404, (method, path)
                assert response.headers["content-type"] == "application/problem+json"


def test_admin_rotates_the_signing_key_and_old_tokens_keep_working(database_url: str, tmp_path: Path) -> None:
    with TestClient(
        create_app(oauth_settings(database_url, tmp_path, static_token=STATIC, static_token_profile="Admin"))
    ) as http:
        admin = {"Authorization": f"Bearer {STATIC}"}
        old_token = access_token(http)
        before = http.get("/api/v1/admin/keys", headers=admin).json()["items"]
        rotated = http.post("/api/v1/admin/keys/rotate", headers=admin)
        after = http.get("/api/v1/admin/keys", headers=admin).json()["items"]
        jwks = http.get("/.well-known/jwks.json").json()
        new_token = access_token(http)
        old_still_valid = http.get(
            "/api/v1/process-instances", headers={"Authorization": f"Bearer {old_token}"}
        )
        denied = http.post(
            "/api/v1/admin/keys/rotate", headers={"Authorization": f"Bearer {access_token(http)}"}
        )
        audit = http.get("/api/v1/admin/audit", params={"event": "key.rotated"}, headers=admin).json()
    assert rotated.status_code == 201, rotated.text
    new_kid = rotated.json()["kid"]
    assert [k["active"] for k in before] == [True]
    assert {k["kid"]: k["active"] for k in after} == {new_kid: True, before[0]["kid"]: False}
    assert all(k["published"] for k in after)
    assert not any("d" in k or "privateKey" in k for k in after)
    assert {k["kid"] for k in jwks["keys"]} == {new_kid, before[0]["kid"]}
    assert jwt.decode(new_token, KeySet.import_key_set(jwks)).header["kid"] == new_kid
    assert jwt.decode(old_token, KeySet.import_key_set(jwks)).header["kid"] == before[0]["kid"]
    assert old_still_valid.status_code == 200
    assert denied.status_code == 403 and denied.json()["missingPermission"] == "admin:keys"
    assert [e["subject"] for e in audit["items"]][:1] == [new_kid]

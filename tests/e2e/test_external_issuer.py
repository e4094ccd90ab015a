"""`external` mode: the API accepts JWTs of another OpenID Connect issuer (here a second Flowport)."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from tests.e2e.server import LiveServer
from tests.helpers import AUTH, STATIC_AUTH_SETTINGS

ISSUER_CLIENTS = [
    {
        "client_id": "billing",
        "client_secret": "billing-secret-0123456789abcdef",
        "profile": "ObjectReadWrite",
    },
    {"client_id": "viewer", "client_secret": "viewer-secret-0123456789abcdef", "profile": "ObjectRead"},
    {
        "client_id": "billing-only",
        "client_secret": "billing-only-secret-0123456789abcdef",
        "profile": "ObjectReadWrite",
        "audiences": ["billing"],
    },
]


def _token(issuer: LiveServer, client_id: str, secret: str, **params: str) -> str:
    response = httpx.post(
        f"{issuer.url}/oauth/token",
        data={"grant_type": "client_credentials", **params},
        auth=(client_id, secret),
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def test_external_mode_trusts_the_configured_issuer(tmp_path: Path) -> None:
    (tmp_path / "issuer").mkdir()
    (tmp_path / "api").mkdir()
    with LiveServer(tmp_path / "issuer", auth={"clients": ISSUER_CLIENTS}) as issuer:
        external = {
            "mode": "external",
            "external_issuers": [{"issuer": issuer.url, "permissions_claim": "scope"}],
        }
        with LiveServer(tmp_path / "api", auth=external) as api:
            writer = _token(issuer, "billing", ISSUER_CLIENTS[0]["client_secret"])
            reader = _token(issuer, "viewer", ISSUER_CLIENTS[1]["client_secret"])
            listed = httpx.get(
                f"{api.url}/api/v1/process-instances", headers={"Authorization": f"Bearer {writer}"}
            )
            assert listed.status_code == 200, listed.text
            forbidden = httpx.post(
                f"{api.url}/api/v1/process-instances",
                json={"definitionKey": "x"},
                headers={"Authorization": f"Bearer {reader}"},
            )
            assert forbidden.status_code == 403
            assert forbidden.json()["missingPermission"] == "instances:start"
            tampered = writer[:-4] + ("AAAA" if not writer.endswith("AAAA") else "BBBB")
            refused = httpx.get(
                f"{api.url}/api/v1/process-instances", headers={"Authorization": f"Bearer {tampered}"}
            )
            assert refused.status_code == 401
            assert 'error="invalid_token"' in refused.headers["www-authenticate"]
            # The API's own token service is off in external mode, and its static token too.
            assert (
                httpx.post(f"{api.url}/oauth/token", data={"grant_type": "client_credentials"}).status_code
                == 404
            )
            static = httpx.get(f"{api.url}/api/v1/process-instances", headers=api.headers)
            assert static.status_code == 401


def _get(api: LiveServer, token: str) -> httpx.Response:
    return httpx.get(f"{api.url}/api/v1/process-definitions", headers={"Authorization": f"Bearer {token}"})


def test_external_roles_audience_and_key_rotation(tmp_path: Path) -> None:
    (tmp_path / "issuer").mkdir()
    (tmp_path / "api").mkdir()
    issuer_auth = {**STATIC_AUTH_SETTINGS, "clients": ISSUER_CLIENTS}
    with LiveServer(tmp_path / "issuer", auth=issuer_auth) as issuer:
        trusted = {
            "issuer": issuer.url,
            "jwks_uri": f"{issuer.url}/.well-known/jwks.json",
            "role_permissions": {"definitions:read": ["ObjectReadWrite"]},  # an external role -> a profile
            "jwks_min_refetch_seconds": 1,
        }
        with LiveServer(tmp_path / "api", auth={"mode": "external", "external_issuers": [trusted]}) as api:
            viewer = _token(issuer, "viewer", ISSUER_CLIENTS[1]["client_secret"])
            assert _get(api, viewer).status_code == 200
            # The mapping turned the viewer's read role into write rights on this API.
            started = httpx.post(
                f"{api.url}/api/v1/process-instances",
                json={"definitionKey": "missing"},
                headers={"Authorization": f"Bearer {viewer}"},
            )
            assert started.status_code == 404, started.text
            # A token for another audience is refused.
            billing = _token(issuer, "billing-only", ISSUER_CLIENTS[2]["client_secret"], audience="billing")
            wrong_audience = _get(api, billing)
            assert wrong_audience.status_code == 401
            assert 'error="invalid_token"' in wrong_audience.headers["www-authenticate"]
            # The issuer rotates its key: the API refetches the JWKS for the unknown kid.
            rotated = httpx.post(f"{issuer.url}/api/v1/admin/keys/rotate", headers=AUTH)
            assert rotated.status_code == 201, rotated.text
            time.sleep(1.1)  # past the minimum refetch interval
            after_rotation = _token(issuer, "viewer", ISSUER_CLIENTS[1]["client_secret"])
            assert _get(api, after_rotation).status_code == 200
            assert _get(api, viewer).status_code == 200  # the old key is still published

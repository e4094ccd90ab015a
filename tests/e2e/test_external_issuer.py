"""`external` mode: the API accepts JWTs of another OpenID Connect issuer (here a second Flowport)."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.e2e.server import LiveServer

ISSUER_CLIENTS = [
    {
        "client_id": "billing",
        "client_secret": "billing-secret-0123456789abcdef",
        "profile": "ObjectReadWrite",
    },
    {"client_id": "viewer", "client_secret": "viewer-secret-0123456789abcdef", "profile": "ObjectRead"},
]


def _token(issuer: LiveServer, client_id: str, secret: str) -> str:
    response = httpx.post(
        f"{issuer.url}/oauth/token",
        data={"grant_type": "client_credentials"},
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

"""Standard OAuth client libraries and plain HTTP requests against a real server process.

Authlib (requests and httpx clients), requests-oauthlib's BackendApplicationClient and PyJWT's
PyJWKClient, plus byte-for-byte the curl commands of the README. The lockout per forwarded source
address is tested in ``test_forwarded_headers`` (it needs a server that trusts a proxy).
"""

from __future__ import annotations

import asyncio
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt as pyjwt
import pytest
from authlib.integrations.httpx_client import AsyncOAuth2Client
from authlib.integrations.requests_client import OAuth2Session as AuthlibSession
from oauthlib.oauth2 import BackendApplicationClient
from requests_oauthlib import OAuth2Session

from tests.e2e.server import LiveServer

ID, SECRET = "app", "app-secret-for-the-e2e-suite-0123456789"
MASTER_KEY = "e2e-master-key-shared-by-every-process"
PLAIN, PLAIN_SECRET = "plain", "plain-secret-for-the-e2e-suite-01234567"
AUTH: dict[str, Any] = {
    "clients": [
        {"client_id": ID, "client_secret": SECRET, "profile": "Admin"},
        {"client_id": PLAIN, "client_secret": PLAIN_SECRET, "profile": "ObjectReadWrite"},
    ],
    "failure_threshold": 3,
    "failure_window_seconds": 60,
    "master_key": MASTER_KEY,
}


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    with LiveServer(tmp_path, database_url, scheduler_enabled=False, auth=AUTH) as live:
        yield live


def verify_with_pyjwt(server: LiveServer, token: str) -> dict[str, Any]:
    """What any resource server would do: discovery -> jwks_uri -> verify the RS256 JWT."""
    metadata = httpx.get(f"{server.url}/.well-known/openid-configuration").json()
    assert metadata["issuer"] == server.url
    signing_key = pyjwt.PyJWKClient(metadata["jwks_uri"]).get_signing_key_from_jwt(token)
    claims: dict[str, Any] = pyjwt.decode(
        token, signing_key.key, algorithms=["RS256"], audience="flowport", issuer=server.url
    )
    assert pyjwt.get_unverified_header(token)["typ"] == "at+jwt"
    assert claims["client_id"] == ID
    return claims


def api_accepts(server: LiveServer, token: str) -> int:
    response = httpx.get(
        f"{server.url}/api/v1/process-instances", headers={"Authorization": f"Bearer {token}"}
    )
    return response.status_code


def test_authlib_requests_client(server: LiveServer) -> None:
    with AuthlibSession(ID, SECRET, token_endpoint_auth_method="client_secret_basic") as session:
        token = session.fetch_token(f"{server.url}/connect/token", grant_type="client_credentials")
    assert token["token_type"] == "Bearer" and token["expires_in"] == 3600
    verify_with_pyjwt(server, token["access_token"])
    assert api_accepts(server, token["access_token"]) == 200


def test_authlib_async_httpx_client_with_client_secret_post(server: LiveServer) -> None:
    async def fetch() -> dict[str, Any]:
        async with AsyncOAuth2Client(ID, SECRET, token_endpoint_auth_method="client_secret_post") as client:
            token: dict[str, Any] = await client.fetch_token(
                f"{server.url}/oauth/token", grant_type="client_credentials"
            )
            return token

    token = asyncio.run(fetch())
    assert verify_with_pyjwt(server, token["access_token"])["sub"] == ID


def test_requests_oauthlib_backend_application_client(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the test server speaks plain HTTP
    session = OAuth2Session(client=BackendApplicationClient(client_id=ID))
    token = session.fetch_token(token_url=f"{server.url}/connect/token", client_id=ID, client_secret=SECRET)
    claims = verify_with_pyjwt(server, token["access_token"])
    assert set(token["scope"]) == set(claims["scope"].split())
    assert api_accepts(server, token["access_token"]) == 200


def test_the_readme_curl_commands(server: LiveServer) -> None:
    base = server.url
    # curl -u ID:SECRET -X POST '<base>/oauth/token?grant_type=client_credentials'
    basic = httpx.post(f"{base}/oauth/token?grant_type=client_credentials", auth=(ID, SECRET))
    # curl -X POST <base>/connect/token -d client_id=ID -d client_secret=SECRET \
    #   -d grant_type=client_credentials
    form = httpx.post(
        f"{base}/connect/token",
        content=f"client_id={ID}&client_secret={SECRET}&grant_type=client_credentials".encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    # curl -X POST <base>/oauth/token -H 'content-type: application/json' -d '{...}'
    as_json = httpx.post(
        f"{base}/oauth/token",
        content=(
            f'{{"client_id":"{ID}","client_secret":"{SECRET}","audience":"flowport",'
            '"grant_type":"client_credentials"}'
        ).encode(),
        headers={"content-type": "application/json"},
    )
    for response in (basic, form, as_json):
        assert response.status_code == 200, response.text
        assert response.headers["cache-control"] == "no-store"
        body = response.json()
        assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
        verify_with_pyjwt(server, body["access_token"])


def test_revocation_is_refused_by_the_api_at_once(server: LiveServer) -> None:
    token = httpx.post(f"{server.url}/oauth/token?grant_type=client_credentials", auth=(ID, SECRET)).json()
    assert api_accepts(server, token["access_token"]) == 200
    revoked = httpx.post(
        f"{server.url}/connect/revoke", data={"token": token["access_token"]}, auth=(ID, SECRET)
    )
    assert revoked.status_code == 200
    assert api_accepts(server, token["access_token"]) == 401


def test_authlib_introspection_needs_the_permission_or_the_own_token(server: LiveServer) -> None:
    url = f"{server.url}/connect/introspect"

    def introspect(client_id: str, secret: str, token: str) -> dict[str, Any]:
        with AuthlibSession(client_id, secret, token_endpoint_auth_method="client_secret_basic") as session:
            response = session.introspect_token(url, token=token)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def token_of(client_id: str, secret: str) -> str:
        with AuthlibSession(client_id, secret) as session:
            token = session.fetch_token(f"{server.url}/connect/token", grant_type="client_credentials")
        return str(token["access_token"])

    admins, plains = token_of(ID, SECRET), token_of(PLAIN, PLAIN_SECRET)
    assert introspect(ID, SECRET, plains)["client_id"] == PLAIN  # Admin holds tokens:introspect
    assert introspect(PLAIN, PLAIN_SECRET, admins) == {"active": False}  # RFC 7662 section 4
    assert introspect(PLAIN, PLAIN_SECRET, plains)["active"] is True  # its own token


def test_key_rotation_reaches_a_running_server(database_url: str, tmp_path: Path) -> None:
    with LiveServer(tmp_path, database_url, scheduler_enabled=False, auth=AUTH) as server:
        old = httpx.post(f"{server.url}/oauth/token?grant_type=client_credentials", auth=(ID, SECRET)).json()
        old_kid = pyjwt.get_unverified_header(old["access_token"])["kid"]
        env = {
            **os.environ,
            "FLOWPORT_DATA_DIR": str(tmp_path),
            "FLOWPORT_DATABASE_URL": database_url,
            "FLOWPORT_AUTH__MASTER_KEY": MASTER_KEY,
        }
        rotated = subprocess.run(
            [sys.executable, "-m", "flowport", "keys", "rotate"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert rotated.returncode == 0, rotated.stderr
        deadline, new_kid = time.monotonic() + 20, old_kid
        while new_kid == old_kid and time.monotonic() < deadline:
            time.sleep(0.5)
            fresh = httpx.post(
                f"{server.url}/oauth/token?grant_type=client_credentials", auth=(ID, SECRET)
            ).json()
            new_kid = pyjwt.get_unverified_header(fresh["access_token"])["kid"]
        assert new_kid != old_kid and new_kid in rotated.stdout
        kids = [k["kid"] for k in httpx.get(f"{server.url}/.well-known/jwks.json").json()["keys"]]
        assert old_kid in kids and new_kid in kids
        verify_with_pyjwt(server, old["access_token"])  # tokens of the old key stay valid
        assert api_accepts(server, old["access_token"]) == 200


def test_revocation_reaches_another_server_process_within_a_second_or_so(
    database_url: str, tmp_path: Path
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    # Two servers behind one load balancer: one public URL (the issuer), one database, one master key.
    shared = {"scheduler_enabled": False, "auth": AUTH, "public_url": "https://flowport.example.com"}
    with (
        LiveServer(tmp_path / "a", database_url, **shared) as first,
        LiveServer(tmp_path / "b", database_url, **shared) as second,
    ):
        token = httpx.post(f"{first.url}/oauth/token?grant_type=client_credentials", auth=(ID, SECRET)).json()
        assert (
            api_accepts(second, token["access_token"]) == 200
        )  # one issuer, keys shared through the database
        revoked = httpx.post(
            f"{first.url}/connect/revoke", data={"token": token["access_token"]}, auth=(ID, SECRET)
        )
        assert revoked.status_code == 200
        assert api_accepts(first, token["access_token"]) == 401  # the revoking process: at once
        # The other one reads it from the database (RevocationCache, about a second later): how soon
        # is a figure for bench/; the behaviour checked is that it refuses the token from then on.
        deadline = time.monotonic() + 30
        while api_accepts(second, token["access_token"]) == 200 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert api_accepts(second, token["access_token"]) == 401, "the other process kept the revoked token"


def _readme_token_commands() -> list[str]:
    """The curl commands of the README's Authentication section that ask for a token, as written."""
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    section = readme[readme.index("## Authentication") :]
    block = section[
        section.index("```bash") + len("```bash") : section.index("```", section.index("```bash") + 3)
    ]
    commands = block.replace("\\\n", " ").strip().splitlines()
    return [c for c in commands if c.startswith("curl ")]


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs the curl command")
def test_the_readme_curl_commands_run_by_curl(server: LiveServer) -> None:
    commands = _readme_token_commands()
    assert len(commands) == 3
    for command in commands:
        line = command.replace("http://127.0.0.1:8077", server.url)
        line = line.replace("ID:SECRET", f"{ID}:{SECRET}").replace("client_id=ID", f"client_id={ID}")
        line = line.replace("client_secret=SECRET", f"client_secret={SECRET}")
        line = line.replace('"client_id":"ID"', f'"client_id":"{ID}"').replace(
            '"client_secret":"SECRET"', f'"client_secret":"{SECRET}"'
        )
        result = subprocess.run([*shlex.split(line), "-s", "-i"], capture_output=True, timeout=30)
        head, _, body = result.stdout.decode().partition("\r\n\r\n")
        assert head.startswith("HTTP/1.1 200"), (command, result.stdout, result.stderr)
        assert "cache-control: no-store" in head.lower()
        verify_with_pyjwt(server, json.loads(body)["access_token"])

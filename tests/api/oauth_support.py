"""What the token-service API tests share: settings with declared clients, token requests, database access."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from flowport.config import Settings
from flowport.persistence.db import read_transaction, write_transaction
from flowport.persistence.repositories import clients as client_repo
from flowport.persistence.repositories.clients import ClientRow
from flowport.services.context import Services

APP, APP_SECRET = "app", "app-secret-0123456789abcdef0123456789"
READER, READER_SECRET = "reader", "reader-secret-0123456789abcdef012345"
REFRESHER, REFRESHER_SECRET = "refresher", "refresher-secret-0123456789abcdef0123"
CLIENTS: list[dict[str, Any]] = [
    {"client_id": APP, "client_secret": APP_SECRET, "profile": "ObjectReadWrite", "audiences": ["billing"]},
    {"client_id": READER, "client_secret": READER_SECRET, "profile": "ObjectRead", "token_lifetime": 600},
    {
        "client_id": REFRESHER,
        "client_secret": REFRESHER_SECRET,
        "profile": "ObjectRead",
        "refresh_tokens": True,
    },
]
NO_STORE = ("no-store", "no-cache")


def oauth_settings(database_url: str, tmp_path: Path, **auth: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": tmp_path,
        "database_url": database_url,
        "scheduler_enabled": False,
        "auth": {"clients": CLIENTS, **auth},
    }
    return Settings(**values)


def services_of(http: TestClient) -> Services:
    services: Services = http.app.state.services  # type: ignore[attr-defined]
    return services


def client_row(http: TestClient, client_id: str) -> ClientRow:
    with read_transaction(services_of(http).db) as conn:
        row = client_repo.get(conn, client_id)
    assert row is not None
    return row


def change_client(http: TestClient, client_id: str, **values: Any) -> None:
    with write_transaction(services_of(http).db) as conn:
        assert client_repo.update_client(conn, client_id, **values)


def post_token(http: TestClient, client_id: str = APP, secret: str = APP_SECRET, **params: Any) -> Any:
    """A client-credentials request with client_secret_post (form)."""
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret, **params}
    return http.post("/connect/token", data=form)


def access_token(http: TestClient, client_id: str = APP, secret: str = APP_SECRET, **params: Any) -> str:
    response = post_token(http, client_id, secret, **params)
    assert response.status_code == 200, response.text
    value: str = response.json()["access_token"]
    return value


def claims_of(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return claims


def oauth_error(response: Any, status: int, error: str) -> dict[str, Any]:
    """An RFC 6749 section 5.2 error answer."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert (response.headers["cache-control"], response.headers["pragma"]) == NO_STORE
    body: dict[str, Any] = response.json()
    assert body["error"] == error and body["error_description"]
    assert set(body) == {"error", "error_description"}
    return body

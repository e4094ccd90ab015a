"""Helpers the admin, login and bootstrap tests share: settings with a known admin client, tokens."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from flowport.api.app import create_app
from flowport.config import Settings
from flowport.services.context import Services

ADMIN_ID = "test-admin"
ADMIN_SECRET = "test-admin-secret-0123456789abcdef"


def admin_settings(database_url: str, tmp_path: Path, **extra: Any) -> Settings:
    """Settings whose first start creates the admin client ``ADMIN_ID`` with ``ADMIN_SECRET``."""
    values: dict[str, Any] = {
        "data_dir": tmp_path,
        "database_url": database_url,
        "scheduler_max_sleep": 0.2,
        "admin_client_id": ADMIN_ID,
        "admin_client_secret": ADMIN_SECRET,
        **extra,
    }
    return Settings(**values)


def bare_client(settings: Settings) -> Iterator[TestClient]:
    """An HTTP client that sends no credentials of its own: each call passes the ones it means."""
    with TestClient(create_app(settings)) as client:
        yield client


def token_response(client: TestClient, client_id: str, secret: str, **params: str) -> Any:
    """The token endpoint's answer to a client-credentials request (HTTP Basic)."""
    return client.post(
        "/oauth/token", data={"grant_type": "client_credentials", **params}, auth=(client_id, secret)
    )


def token(client: TestClient, client_id: str, secret: str, **params: str) -> str:
    response = token_response(client, client_id, secret, **params)
    assert response.status_code == 200, response.text
    access_token: str = response.json()["access_token"]
    return access_token


def bearer(client: TestClient, client_id: str = ADMIN_ID, secret: str = ADMIN_SECRET) -> dict[str, str]:
    """Authorization headers for a client (by default the bootstrap admin)."""
    return {"Authorization": f"Bearer {token(client, client_id, secret)}"}


def services_of(client: TestClient) -> Services:
    services: Services = client.app.state.services  # type: ignore[attr-defined]
    return services


def problem(response: Any, status: int) -> dict[str, Any]:
    """The problem body of a response that must have ``status``."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    return body

"""Fuzzing the native API from its OpenAPI document (schemathesis): whatever a client sends, no 5xx.

Each operation gets generated requests, valid and invalid (wrong types, missing fields, odd
strings, huge numbers), sent with an admin credential so they reach the use cases; the only
check is that the server never answers with a server error.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from flowport.api.app import create_app
from flowport.config import Settings
from tests.helpers import AUTH, STATIC_AUTH_SETTINGS, bpmn

DATA_DIR = Path(tempfile.mkdtemp(prefix="flowport-fuzz-"))
atexit.register(shutil.rmtree, DATA_DIR, ignore_errors=True)  # also when the module is only collected
APP = create_app(
    Settings(
        data_dir=DATA_DIR,
        database_url=f"sqlite:///{DATA_DIR / 'flowport.db'}",  # type: ignore[arg-type]
        scheduler_enabled=False,
        auth=STATIC_AUTH_SETTINGS,  # type: ignore[arg-type]
    )
)
# Built before the app starts: the OpenAPI document needs no database.
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def running_app() -> Iterator[None]:
    """Start the app (database, services) for the module; schemathesis' calls reach the same app."""
    with TestClient(APP, headers=AUTH) as client:
        # Something to find, so generated ids and filters also meet real rows.
        for name in ("user_task.bpmn", "service_task.bpmn", "message_catch.bpmn"):
            deployed = client.post(
                "/api/v1/process-definitions", content=bpmn(name), headers={"content-type": "application/xml"}
            )
            assert deployed.status_code in (200, 201), deployed.text
            key = deployed.json()["definitions"][0]["key"]
            assert client.post("/api/v1/process-instances", json={"definitionKey": key}).status_code == 201
        yield


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,  # the same requests every run: a failure can be replayed
)
def test_no_request_gets_a_server_error(case: Any) -> None:
    case.call_and_validate(headers=AUTH, checks=[not_a_server_error])

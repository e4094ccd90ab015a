"""Start-up: the default environment, the first admin client (once), declared clients, the demo user."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from flowport.api.app import create_app
from flowport.auth.client_secrets import secret_matches
from flowport.config import AuthSettings, ClientConfig, Settings
from flowport.persistence.db import read_transaction
from flowport.persistence.repositories import clients as client_repo
from flowport.persistence.repositories import users as user_repo
from flowport.services.bootstrap import ADMIN_CLIENT_ID, AdminCredentials, bootstrap
from flowport.services.build import build_services
from flowport.services.context import Services
from tests.api.auth_helpers import ADMIN_ID, ADMIN_SECRET, admin_settings, token, token_response

StartServices = Callable[..., Services]


@pytest.fixture
def start(database_url: str, tmp_path: Path) -> Iterator[StartServices]:
    """Start "a process": services on the shared test database with settings of its own."""
    started: list[Services] = []

    def starter(**overrides: Any) -> Services:
        settings = Settings(data_dir=tmp_path, database_url=database_url, **overrides)  # type: ignore[arg-type]
        services = build_services(settings)
        started.append(services)
        return services

    yield starter
    for services in started:
        services.close()


def stored(services: Services, client_id: str) -> Any:
    with read_transaction(services.db) as conn:
        return client_repo.get(conn, client_id)


def matches(services: Services, client_id: str, secret: str) -> bool:
    assert services.auth is not None
    row = stored(services, client_id)
    return row is not None and secret_matches(secret, row.secret_hash, services.auth.pepper)


def admin_count(services: Services) -> int:
    with read_transaction(services.db) as conn:
        rows = client_repo.search(conn, None, None, 100)
    return sum(1 for r in rows if r.profile == "Admin")


def test_first_start_creates_an_admin_once_and_returns_its_secret(start: StartServices) -> None:
    services = start()
    created = bootstrap(services)
    assert isinstance(created, AdminCredentials)
    assert created.client_id == ADMIN_CLIENT_ID and created.secret_generated
    assert len(created.client_secret) >= 43
    assert created.client_secret in str(created)  # what the start-up banner prints, once
    assert created.client_secret not in repr(created)  # and never by accident
    assert matches(services, ADMIN_CLIENT_ID, created.client_secret)
    assert stored(services, ADMIN_CLIENT_ID).source == "bootstrap"

    assert bootstrap(services) is None  # a restart: nothing new, nothing printed
    assert bootstrap(start()) is None
    assert admin_count(services) == 1
    assert matches(services, ADMIN_CLIENT_ID, created.client_secret)  # the secret was not replaced


def test_the_admin_can_come_from_the_environment(start: StartServices) -> None:
    services = start(admin_client_id="ops-admin", admin_client_secret="from-the-environment-1")
    created = bootstrap(services)
    assert created is not None and created.client_id == "ops-admin" and not created.secret_generated
    assert "from-the-environment-1" not in str(created)  # the operator knows it: not printed
    assert matches(services, "ops-admin", "from-the-environment-1")
    assert stored(services, "ops-admin").source == "environment"
    assert bootstrap(services) is None
    # A new FLOWPORT_ADMIN_CLIENT_SECRET takes effect at the next start.
    restarted = start(admin_client_id="ops-admin", admin_client_secret="rotated-by-operator-2")
    assert bootstrap(restarted) is None
    assert matches(restarted, "ops-admin", "rotated-by-operator-2")
    assert not matches(restarted, "ops-admin", "from-the-environment-1")
    assert admin_count(restarted) == 1


def test_a_secret_alone_names_the_default_admin_id(start: StartServices) -> None:
    created = bootstrap(start(admin_client_secret="only-the-secret-1"))
    assert created is not None and created.client_id == ADMIN_CLIENT_ID and not created.secret_generated


def test_an_admin_from_the_settings_file_means_no_generated_one(start: StartServices) -> None:
    declared = ClientConfig(client_id="root", client_secret=SecretStr("declared-secret-123"), profile="Admin")
    services = start(auth=AuthSettings(clients=[declared]))
    assert bootstrap(services) is None
    assert stored(services, ADMIN_CLIENT_ID) is None
    assert stored(services, "root").source == "config"


def test_processes_starting_together_create_one_admin(start: StartServices) -> None:
    processes = [start() for _ in range(4)]
    barrier = threading.Barrier(len(processes))
    results: list[AdminCredentials | None] = []
    errors: list[BaseException] = []

    def run(services: Services) -> None:
        barrier.wait()
        try:
            results.append(bootstrap(services))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(p,)) for p in processes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    created = [r for r in results if r is not None]
    assert len(created) == 1
    assert admin_count(processes[0]) == 1
    assert matches(processes[0], ADMIN_CLIENT_ID, created[0].client_secret)


def test_clients_from_settings_and_code_are_kept_in_step(start: StartServices) -> None:
    from_file = [
        ClientConfig(client_id="erp", client_secret=SecretStr("erp-secret-1"), profile="ObjectRead"),
        ClientConfig(client_id="both", client_secret=SecretStr("file-secret"), profile="ObjectRead"),
    ]
    from_code = [ClientConfig(client_id="both", client_secret=SecretStr("code-secret"), profile="Worker")]
    services = start(auth=AuthSettings(clients=from_file))
    bootstrap(services, from_code)
    assert matches(services, "erp", "erp-secret-1") and stored(services, "erp").source == "config"
    both = stored(services, "both")
    assert both.source == "code" and both.profile == "Worker"  # code wins
    assert matches(services, "both", "code-secret") and not matches(services, "both", "file-secret")

    changed = [
        ClientConfig(
            client_id="erp",
            client_secret=SecretStr("erp-secret-2"),
            profile="ObjectReadWrite",
            environment="plant",
            permissions=["admin:audit"],
        )
    ]
    restarted = start(auth=AuthSettings(clients=changed))
    bootstrap(restarted)
    erp = stored(restarted, "erp")
    assert erp.profile == "ObjectReadWrite" and erp.env == "plant" and erp.permissions == ["admin:audit"]
    assert matches(restarted, "erp", "erp-secret-2") and not matches(restarted, "erp", "erp-secret-1")


def test_a_declared_client_with_an_unknown_permission_stops_the_start(start: StartServices) -> None:
    bad = ClientConfig(client_id="bad", client_secret=SecretStr("x-secret"), permissions=["fly"])
    with pytest.raises(Exception, match="fly"):
        bootstrap(start(auth=AuthSettings(clients=[bad])))


def test_the_demo_user_exists_only_in_demo_mode(
    start: StartServices, caplog: pytest.LogCaptureFixture
) -> None:
    plain = start()
    bootstrap(plain)
    with read_transaction(plain.db) as conn:
        assert user_repo.by_username(conn, "default", "demo") is None
    demo = start(demo=True)
    with caplog.at_level("WARNING"):
        bootstrap(demo)
        bootstrap(demo)  # idempotent
    assert "DEMO MODE" in caplog.text
    with read_transaction(demo.db) as conn:
        user = user_repo.by_username(conn, "default", "demo")
    assert user is not None and user.profile == "ObjectReadWrite" and user.groups == ["managers"]


# --- through the app ------------------------------------------------------------------------------


def test_the_app_registers_code_clients_and_the_admin(database_url: str, tmp_path: Path) -> None:
    settings = admin_settings(database_url, tmp_path)
    code = [
        ClientConfig(client_id="embedded", client_secret=SecretStr("embedded-secret-1"), profile="Worker")
    ]
    with TestClient(create_app(settings, clients=code)) as client:
        assert token(client, "embedded", "embedded-secret-1")
        assert token(client, ADMIN_ID, ADMIN_SECRET)
    with TestClient(create_app(settings)) as client:  # a restart: still one admin, same secret
        assert token(client, ADMIN_ID, ADMIN_SECRET)
        assert token_response(client, ADMIN_CLIENT_ID, "anything").status_code == 401


def test_demo_login_works_only_with_demo(database_url: str, tmp_path: Path) -> None:
    with TestClient(create_app(admin_settings(database_url, tmp_path))) as client:
        assert client.post("/api/login", params={"username": "demo", "password": "demo"}).status_code == 401
    with TestClient(create_app(admin_settings(database_url, tmp_path, demo=True))) as client:
        response = client.post("/api/login", params={"username": "demo", "password": "demo"})
        assert response.status_code == 200, response.text

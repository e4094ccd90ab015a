"""``flowport clients|env|users|audit``: in-process against a SQLite file, checked against a real app."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner, Result

from flowport.api.app import create_app
from flowport.cli.main import app
from flowport.config import Settings
from tests.api.auth_helpers import token_response

SECRET_LINE = re.compile(r"Client secret\s+(\S+)")
ID_LINE = re.compile(r"Client id\s+(\S+)")


@pytest.fixture
def data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A private data directory; no FLOWPORT_* setting or flowport.toml from the caller leaks in."""
    for name in list(os.environ):
        if name.startswith("FLOWPORT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    data = tmp_path / "data"
    monkeypatch.setenv("FLOWPORT_DATA_DIR", str(data))
    return data


def run(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(app, list(args), input=stdin)


def ok(*args: str, stdin: str | None = None) -> str:
    result = run(*args, stdin=stdin)
    assert result.exit_code == 0, result.output
    return result.stdout


def fails(*args: str) -> str:
    result = run(*args)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    return result.stderr


def server(data_dir: Path) -> TestClient:
    """The app on the same data directory (same database, same master key)."""
    return TestClient(create_app(Settings(data_dir=data_dir, scheduler_enabled=False)))


def secret_of(output: str) -> str:
    found = SECRET_LINE.search(output)
    assert found, output
    return found.group(1)


def test_clients_create_show_list_and_the_secret_works(data_dir: Path) -> None:
    out = ok("clients", "create", "Billing", "--id", "billing", "--profile", "Worker", "-p", "messages:send")
    secret = secret_of(out)
    assert len(secret) >= 43 and "shown only this once" in out
    shown = ok("clients", "show", "billing")
    assert "Billing" in shown and "Worker" in shown and "messages:send" in shown and secret not in shown
    listed = ok("clients", "list")
    assert "billing" in listed and secret not in listed
    with server(data_dir) as client:
        assert token_response(client, "billing", secret).status_code == 200


def test_a_generated_client_id_is_printed(data_dir: Path) -> None:
    out = ok("clients", "create", "Anonymous")
    found = ID_LINE.search(out)
    assert found and re.fullmatch(r"[0-9a-f-]{36}", found.group(1))


def test_rotate_secret_now_and_with_grace(data_dir: Path) -> None:
    first = secret_of(ok("clients", "create", "R", "--id", "r"))
    graced = ok("clients", "rotate-secret", "r", "--grace", "600")
    second = secret_of(graced)
    assert "stays valid until" in graced
    now = ok("clients", "rotate-secret", "r", "--now")
    third = secret_of(now)
    assert "no longer works" in now
    with server(data_dir) as client:
        assert token_response(client, "r", third).status_code == 200
        assert token_response(client, "r", second).status_code == 401
        assert token_response(client, "r", first).status_code == 401


def test_disable_enable_delete(data_dir: Path) -> None:
    secret = secret_of(ok("clients", "create", "D", "--id", "d"))
    assert "Disabled" in ok("clients", "disable", "d")
    with server(data_dir) as client:
        assert token_response(client, "d", secret).status_code == 401
    assert "Enabled" in ok("clients", "enable", "d")
    with server(data_dir) as client:
        assert token_response(client, "d", secret).status_code == 200
    assert run("clients", "delete", "d", stdin="n\n").exit_code == 1  # asked, refused: nothing deleted
    assert "d" in ok("clients", "show", "d")
    assert "Deleted" in ok("clients", "delete", "d", "--yes")
    assert "No client with id 'd'" in fails("clients", "show", "d")


def test_client_errors_are_one_line(data_dir: Path) -> None:
    assert "Unknown permission" in fails("clients", "create", "X", "-p", "instances:fly")
    ok("clients", "create", "X", "--id", "x")
    assert "already exists" in fails("clients", "create", "X", "--id", "x")
    assert "No client" in fails("clients", "rotate-secret", "ghost")
    assert "Unknown environment" in fails("clients", "create", "Y", "--env", "nowhere")


def test_environments(data_dir: Path) -> None:
    assert "default" in ok("env", "list")
    assert "Created environment lab" in ok("env", "create", "lab")
    assert "lab" in ok("env", "list")
    assert "Invalid environment name" in fails("env", "create", "Not Valid")
    assert "cannot be deleted" in fails("env", "delete", "default")
    ok("clients", "create", "Lab client", "--id", "lab-client", "--env", "lab")
    assert "still holds clients" in fails("env", "delete", "lab")
    ok("clients", "delete", "lab-client", "-y")
    assert "Deleted environment lab" in ok("env", "delete", "lab")
    assert "lab" not in ok("env", "list")


def test_users_lifecycle(data_dir: Path) -> None:
    out = ok(
        "users",
        "create",
        "ann",
        "--password",
        "correct horse",
        "-g",
        "managers",
        "--profile",
        "ObjectReadWrite",
    )
    assert "Created user ann" in out
    listed = ok("users", "list")
    assert "ann" in listed and "managers" in listed and "argon2" not in listed
    assert "at least 8" in fails("users", "create", "bob", "--password", "short")
    assert "already exists" in fails("users", "create", "ann", "--password", "another one")
    with server(data_dir) as client:
        assert (
            client.post("/api/login", json={"username": "ann", "password": "correct horse"}).status_code
            == 200
        )
    ok("users", "lock", "ann")
    with server(data_dir) as client:
        assert (
            client.post("/api/login", json={"username": "ann", "password": "correct horse"}).status_code
            == 401
        )
    ok("users", "unlock", "ann")
    ok("users", "set-password", "ann", stdin="battery staple\nbattery staple\n")
    with server(data_dir) as client:
        assert (
            client.post("/api/login", json={"username": "ann", "password": "correct horse"}).status_code
            == 401
        )
        assert (
            client.post("/api/login", json={"username": "ann", "password": "battery staple"}).status_code
            == 200
        )
    assert "Deleted user ann" in ok("users", "delete", "ann", "-y")
    assert "No user 'ann'" in fails("users", "lock", "ann")


def test_audit_list_shows_events_without_secrets(data_dir: Path) -> None:
    secret = secret_of(ok("clients", "create", "A", "--id", "audited"))
    ok("clients", "rotate-secret", "audited", "--now")
    out = ok("audit", "list")
    assert "client.created" in out and "client.secret_rotated" in out and "audited" in out
    assert secret not in out
    only = ok("audit", "list", "--event", "client.secret_rotated")
    assert "client.created" not in only and "client.secret_rotated" in only

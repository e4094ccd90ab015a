"""The CLI's remote options without a server: what they refuse, which profile they pick, --json in-process."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from flowport.cli.main import app
from flowport.cli.profiles import Profile, ProfileError, save
from flowport.cli.target import Target, resolve
from tests.helpers import FIXTURES


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A private data directory and XDG_CONFIG_HOME; no FLOWPORT_* setting of the caller leaks in."""
    for name in list(os.environ):
        if name.startswith("FLOWPORT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FLOWPORT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def test_local_only_commands_refuse_a_server() -> None:
    for command in (["init"], ["migrate"], ["config", "show"], ["serve"]):
        result = run("--url", "https://workflows.example.com", *command)
        assert result.exit_code == 2, result.output
        assert "this machine's database" in result.stderr and "without --url" in result.stderr


def test_half_given_credentials_are_refused_before_any_request() -> None:
    only_id = run("--url", "https://workflows.example.com", "--client-id", "app", "instances", "list")
    assert only_id.exit_code == 1 and "No client secret for app" in only_id.stderr
    no_url = run("--client-id", "app", "--client-secret", "s3cret", "instances", "list")
    assert no_url.exit_code == 1 and "need --url" in no_url.stderr
    assert "s3cret" not in no_url.output
    not_http = run("--url", "workflows.example.com", "instances", "list")
    assert not_http.exit_code == 1 and "must start with http:// or https://" in not_http.stderr
    missing = run("--profile", "prod", "instances", "list")
    assert missing.exit_code == 1 and "No profile 'prod'" in missing.stderr
    assert "flowport login --profile prod" in missing.stderr


def test_a_stored_secret_goes_only_to_its_own_server(isolated: Path) -> None:
    save("default", Profile("https://a.example.com", "app", "secret-a"))
    save("prod", Profile("https://b.example.com/", "ops", "secret-b"))
    path = isolated / "config" / "flowport" / "credentials.toml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

    def creds(target: Target | None) -> tuple[str, str | None, str | None] | None:
        return (target.url, target.client_id, target.client_secret) if target else None

    assert resolve(None, None, None, None) is None  # no --url, no --profile: in-process
    assert creds(resolve("https://a.example.com/", None, None, None)) == (
        "https://a.example.com",
        "app",
        "secret-a",
    )
    assert creds(resolve("https://other.example.com", None, None, None)) == (
        "https://other.example.com",
        None,
        None,
    )
    assert creds(resolve(None, None, None, "prod")) == ("https://b.example.com", "ops", "secret-b")
    with pytest.raises(ProfileError, match="No client secret for someone"):
        resolve(None, "someone", None, "prod")  # another client id gets no stored secret
    assert "secret-a" not in repr(resolve("https://a.example.com", None, None, None))


def test_worker_run_needs_a_server_and_one_handler() -> None:
    local = run("worker", "run", "--topic", "payments", "--exec", "./handle.sh")
    assert local.exit_code == 2 and "works on a server" in local.stderr
    both = run(
        "--url", "http://127.0.0.1:9", "worker", "run", "-t", "p", "--exec", "true", "--handler", "m:f"
    )
    assert both.exit_code == 2 and "either --exec" in both.stderr
    unknown = run("--url", "http://127.0.0.1:9", "worker", "run", "-t", "p", "--handler", "no_such_mod:f")
    assert unknown.exit_code == 2 and "cannot import no_such_mod" in unknown.stderr


def test_json_in_process_has_the_apis_shape() -> None:
    deployed = json.loads(run("--json", "deploy", str(FIXTURES / "user_task.bpmn")).stdout)
    assert [(d["key"], d["created"]) for d in deployed] == [("user_task", True)]
    started = json.loads(run("--json", "instances", "start", "user_task", "--var", "n=1").stdout)
    assert started["definitionKey"] == "user_task" and started["variables"] == {"n": 1}
    [task] = json.loads(run("--json", "tasks", "list").stdout)
    assert task["processInstanceId"] == started["id"] and task["elementId"] == "task1"
    [listed] = json.loads(run("--json", "instances", "list").stdout)
    assert listed["id"] == started["id"] and listed["variables"] is None  # as the API's collections
    done = json.loads(run("--json", "tasks", "complete", task["id"]).stdout)
    assert done["state"] == "COMPLETED"
    shown = json.loads(run("--json", "instances", "show", started["id"]).stdout)
    assert shown["status"] == "COMPLETED" and shown["history"][-1]["event"]
    client = json.loads(run("--json", "clients", "create", "Billing", "--id", "billing").stdout)
    assert client["clientId"] == "billing" and client["environment"] == "default" and client["clientSecret"]
    missing = run("--json", "instances", "show", "nope")
    assert missing.exit_code == 1 and missing.stdout == "" and "Not found" in missing.stderr

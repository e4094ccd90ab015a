"""The ``flowport`` command line, in-process against a SQLite file (and ``serve`` as a real process)."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner, Result

from flowport.cli.main import app
from flowport.persistence import migrate
from tests.helpers import FIXTURES

HEAD = str(migrate.head_revision())  # the newest schema revision

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


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


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def ok(*args: str) -> str:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def deploy_user_task() -> None:
    ok("deploy", str(FIXTURES / "user_task.bpmn"))


def test_init_creates_the_database_and_deploys_the_examples(data_dir: Path) -> None:
    out = ok("init")
    assert (data_dir / "flowport.db").is_file()
    assert "approval" in out
    assert HEAD in out  # the schema revision it reached
    listed = ok("definitions", "list", "--key", "approval")
    assert "approval" in listed and "Approval" in listed
    again = ok("init")  # idempotent: nothing new, no error
    assert "already" in again
    assert ok("definitions", "list", "--key", "approval").count("approval") == 1


def test_migrate_prints_the_revision(data_dir: Path) -> None:
    assert HEAD in ok("migrate")
    assert "up to date" in ok("migrate")


def test_deploy_reports_a_bad_file_and_still_deploys_the_good_one(data_dir: Path) -> None:
    bad = FIXTURES / "bad_malformed.bpmn"
    result = run("deploy", str(FIXTURES / "user_task.bpmn"), str(bad), str(data_dir / "missing.bpmn"))
    assert result.exit_code == 1
    assert "user_task" in result.stdout and UUID.search(result.stdout)
    assert "bad_malformed.bpmn" in result.stderr
    assert "not well-formed" in result.stderr and "(line " in result.stderr
    assert "missing.bpmn" in result.stderr
    assert "Traceback" not in result.output
    assert "user_task" in ok("definitions", "list", "--latest")


def test_redeploying_an_identical_file_keeps_its_version(data_dir: Path) -> None:
    deploy_user_task()
    out = ok("deploy", str(FIXTURES / "user_task.bpmn"))
    assert "no (identical" in out
    assert ok("definitions", "list", "--key", "user_task").count("user_task") == 1


def test_config_show_masks_the_database_password(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLOWPORT_DATABASE_URL", "postgresql://u:Pa55w0rdXyz@h/db")
    monkeypatch.setenv("FLOWPORT_PORT", "9123")
    table = ok("config", "show")
    assert "Pa55w0rdXyz" not in table
    assert "postgresql" in table and "9123" in table
    as_json = json.loads(ok("config", "show", "--json"))
    assert "Pa55w0rdXyz" not in json.dumps(as_json)
    assert as_json["port"] == 9123
    assert as_json["effective_database_url"].startswith("postgresql+psycopg://u:")


def test_config_file_option(data_dir: Path, tmp_path: Path) -> None:
    config = tmp_path / "custom.toml"
    config.write_text("workers = 3\n")
    assert json.loads(ok("--config", str(config), "config", "show", "--json"))["workers"] == 3
    missing = run("--config", str(tmp_path / "nope.toml"), "config", "show")
    assert missing.exit_code == 2


def test_start_list_complete_show(data_dir: Path) -> None:
    deploy_user_task()
    instance_id = ok(
        "instances",
        "start",
        "user_task",
        "--var",
        "amount=42",
        "--var",
        "who=bob",
        "--vars-json",
        '{"tags": ["a"]}',
        "--business-key",
        "BK-1",
        "-q",
    ).strip()
    assert UUID.fullmatch(instance_id)

    listed = ok("instances", "list", "--key", "user_task")
    assert instance_id in listed and "RUNNING" in listed and "BK-1" in listed

    tasks = ok("tasks", "list", "--instance", instance_id)
    row = next(line for line in tasks.splitlines() if "task1" in line)
    task_id = UUID.findall(row)[0]
    assert task_id != instance_id
    assert "alice" in ok("tasks", "list", "--assignee", "alice")

    assert "Completed task" in ok("tasks", "complete", task_id, "--var", "approved=true")
    assert "No tasks match" in ok("tasks", "list", "--instance", instance_id)

    shown = ok("instances", "show", instance_id)
    assert "COMPLETED" in shown
    assert '"amount": 42' in shown and '"who": "bob"' in shown and '"approved": true' in shown
    assert "instance completed" in shown  # recent history
    assert instance_id in ok("instances", "list", "--status", "completed")
    assert instance_id not in ok("instances", "list", "--status", "running")


def test_cancel(data_dir: Path) -> None:
    deploy_user_task()
    instance_id = ok("instances", "start", "user_task", "-q").strip()
    assert "Canceled" in ok("instances", "cancel", instance_id)
    assert "CANCELED" in ok("instances", "show", instance_id)


def test_jobs_list_shows_external_work(data_dir: Path) -> None:
    ok("deploy", str(FIXTURES / "service_task.bpmn"))
    assert "No jobs match" in ok("jobs", "list")
    ok("instances", "start", "service_task")
    jobs = ok("jobs", "list", "--topic", "work-topic")
    assert "work-topic" in jobs and UUID.search(jobs)
    assert "No jobs match" in ok("jobs", "list", "--topic", "other")


@pytest.mark.parametrize(
    "args",
    [
        ("instances", "show", "no-such-instance"),
        ("instances", "cancel", "no-such-instance"),
        ("instances", "start", "no_such_process"),
        ("tasks", "complete", "no-such-task"),
    ],
)
def test_domain_errors_print_one_red_line_and_exit_1(data_dir: Path, args: tuple[str, ...]) -> None:
    result = run(*args)
    assert result.exit_code == 1
    assert result.stdout == ""
    message = result.stderr.strip()
    assert "Not found" in message and "\n" not in message
    assert "Traceback" not in result.output


def test_completing_a_task_twice_is_a_conflict(data_dir: Path) -> None:
    deploy_user_task()
    instance_id = ok("instances", "start", "user_task", "-q").strip()
    task_id = UUID.findall(next(r for r in ok("tasks", "list").splitlines() if instance_id in r))[0]
    ok("tasks", "complete", task_id)
    again = run("tasks", "complete", task_id)
    assert again.exit_code == 1
    assert "Conflict" in again.stderr and "not ready" in again.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("instances", "start", "user_task", "--var", "no-equals-sign"),
        ("instances", "start", "user_task", "--vars-json", "[1, 2]"),
        ("instances", "start", "user_task", "--vars-json", "{not json"),
        ("instances", "list", "--status", "sleeping"),
        ("instances", "list", "--limit", "0"),
        ("no-such-command",),
    ],
)
def test_usage_errors_exit_2(data_dir: Path, args: tuple[str, ...]) -> None:
    assert run(*args).exit_code == 2


def test_python_m_flowport_help() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "flowport", "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    for command in ("serve", "init", "deploy", "instances", "tasks"):
        assert command in result.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_really_serves(data_dir: Path, tmp_path: Path) -> None:
    port = _free_port()
    stdout, stderr = tmp_path / "serve.out", tmp_path / "serve.err"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "flowport", "serve", "--port", str(port), "--data-dir", str(data_dir)],
            stdout=out,
            stderr=err,
        )
    try:
        deadline = time.monotonic() + 20
        healthy = False
        while time.monotonic() < deadline and not healthy:
            assert process.poll() is None, f"serve exited early:\n{stderr.read_text()}"
            try:
                healthy = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
            except httpx.HTTPError:
                time.sleep(0.1)
        assert healthy, f"no healthy answer within 20 s:\n{stderr.read_text()}"
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
    banner = stdout.read_text()
    assert f"http://127.0.0.1:{port}/docs" in banner
    assert f"http://127.0.0.1:{port}/api/v1" in banner
    assert f"curl -X POST http://127.0.0.1:{port}/api/v1/process-instances" in banner
    assert str(data_dir / "flowport.db") in banner

"""The command line against a real server process: ``flowport --url ... <command>`` through the SDK.

Every command runs as a user runs it, ``python -m flowport`` in a subprocess, with a private
XDG_CONFIG_HOME (for ``flowport login``) and no FLOWPORT_* variables from the caller.
"""

from __future__ import annotations

import json
import os
import select
import signal
import stat
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from flowport.client import Client
from tests.e2e.server import LiveServer
from tests.helpers import FIXTURES

ADMIN, ADMIN_SECRET = "ops", "ops-secret-for-the-remote-cli-suite-0123"
READER, READER_SECRET = "reader", "reader-secret-for-the-remote-cli-suite-01"
AUTH: dict[str, Any] = {
    "clients": [
        {"client_id": ADMIN, "client_secret": ADMIN_SECRET, "profile": "Admin"},
        {"client_id": READER, "client_secret": READER_SECRET, "profile": "ObjectRead"},
    ],
    "master_key": "remote-cli-master-key-for-the-e2e-suite",
}
SERVICE_TASK = str(FIXTURES / "service_task.bpmn")  # start -> job "work-topic" -> user task -> end

# The job program of the tests: doubles `amount`; `fail` makes it exit 3, `garbage` prints no JSON.
HANDLER = textwrap.dedent(
    """
    import json, os, sys
    variables = json.load(sys.stdin)
    if variables.get("fail"):
        print("card declined for", os.environ["FLOWPORT_PROCESS_INSTANCE_ID"], file=sys.stderr)
        sys.exit(3)
    if variables.get("garbage"):
        print("done!")
        sys.exit(0)
    secret_seen = "FLOWPORT_CLIENT_SECRET" in os.environ
    print(json.dumps({"charged": variables["amount"] * 2, "secret_seen": secret_seen}))
    """
)


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    with LiveServer(tmp_path, database_url, scheduler_max_sleep=0.2, auth=AUTH) as live:
        yield live


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """The user's directory: the job programs live here, XDG_CONFIG_HOME under it."""
    place = tmp_path / "home"
    place.mkdir()
    (place / "handler.py").write_text(HANDLER)
    return place


def environment(home: Path, **extra: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("FLOWPORT_")}
    return {**clean, "XDG_CONFIG_HOME": str(home / "config"), "COLUMNS": "200", **extra}


def flowport(
    home: Path, *args: str, input: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flowport", *args],
        capture_output=True,
        text=True,
        input=input,
        cwd=home,
        env=env or environment(home),
        timeout=120,
    )


def as_admin(server: LiveServer) -> list[str]:
    return ["--url", server.url, "--client-id", ADMIN, "--client-secret", ADMIN_SECRET]


def ok(home: Path, *args: str, **kwargs: Any) -> str:
    done = flowport(home, *args, **kwargs)
    assert done.returncode == 0, done.stderr + done.stdout
    assert done.stderr == ""
    return done.stdout


def one_line_failure(done: subprocess.CompletedProcess[str]) -> str:
    """A failed command: exit code 1, nothing on stdout, one line on stderr (no traceback)."""
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "Traceback" not in done.stderr
    return done.stderr.strip()


def wait_for(condition: Callable[[], bool], what: str) -> None:
    """Wait for something a background process does (a deadline for hangs, not a timed assertion)."""
    deadline = time.monotonic() + 60
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        time.sleep(0.2)


def start_worker(home: Path, server: LiveServer, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "flowport", *as_admin(server), "worker", "run", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=home,
        env=environment(home),
    )


def stop(worker: subprocess.Popen[str]) -> tuple[int, str, str]:
    worker.send_signal(signal.SIGTERM)
    out, err = worker.communicate(timeout=60)
    return worker.returncode, out, err


def test_remote_cli_drives_a_process_from_deploy_to_completion(server: LiveServer, home: Path) -> None:
    admin = as_admin(server)
    deployed = ok(home, *admin, "deploy", SERVICE_TASK)
    assert "service_task" in deployed and "yes" in deployed
    started = json.loads(
        ok(home, *admin, "--json", "instances", "start", "service_task", "--var", "amount=250")
    )
    instance_id = started["id"]
    assert started["status"] == "RUNNING" and started["activeElementIds"] == ["work"]
    assert instance_id in ok(home, *admin, "jobs", "list", "--topic", "work-topic")

    worker = start_worker(home, server, "--topic", "work-topic", "--exec", f"{sys.executable} handler.py")
    sdk = Client(server.url, client_id=ADMIN, client_secret=ADMIN_SECRET)
    try:
        wait_for(lambda: bool(sdk.tasks.search(process_instance_id=instance_id).page().items), "the job done")
    finally:
        code, out, err = stop(worker)
        sdk.close()
    assert code == 0, err
    assert "1 done, 0 failed" in out
    assert f"instance {instance_id}): done" in out  # not a terminal: a log line per job, no live line

    listed = ok(home, *admin, "tasks", "list", "--instance", instance_id)
    assert "after_work" in listed and "After work" in listed
    [task] = json.loads(ok(home, *admin, "--json", "tasks", "list", "--instance", instance_id))
    completed = ok(home, *admin, "tasks", "complete", task["id"], "--var", "approved=true")
    assert f"Completed task {task['id']}" in completed and instance_id in completed

    shown = ok(home, *admin, "instances", "show", instance_id)
    assert "COMPLETED" in shown and '"charged": 500' in shown and "Do work" in shown
    details = json.loads(ok(home, *admin, "--json", "instances", "show", instance_id))
    assert details["status"] == "COMPLETED"
    assert details["variables"] == {
        "amount": 250,
        "charged": 500,
        "secret_seen": False,  # the worker keeps its secret from the programs it runs
        "approved": True,
    }
    assert any(entry["elementId"] == "after_work" for entry in details["history"])
    assert instance_id in ok(home, *admin, "instances", "list", "--status", "completed")


def test_worker_fails_jobs_with_the_programs_stderr_or_a_clear_word_on_its_output(
    server: LiveServer, home: Path
) -> None:
    admin = as_admin(server)
    ok(home, *admin, "deploy", SERVICE_TASK)
    failing = ok(home, *admin, "instances", "start", "service_task", "-q", "--var", "fail=true").strip()
    garbage = ok(home, *admin, "instances", "start", "service_task", "-q", "--var", "garbage=true").strip()

    def errors() -> dict[str, str]:
        jobs = json.loads(ok(home, *admin, "--json", "jobs", "list", "--topic", "work-topic"))
        return {job["processInstanceId"]: job["errorMessage"] for job in jobs if job["errorMessage"]}

    worker = start_worker(
        home, server, "-t", "work-topic", "--exec", f"{sys.executable} handler.py", "--retries", "1"
    )
    try:
        wait_for(lambda: len(errors()) == 2, "both jobs failed")
    finally:
        code, out, _ = stop(worker)
    assert code == 0
    assert "0 done, 2 failed" in out
    reported = errors()
    assert reported[failing].startswith("exit code 3")  # the program's failure, as is (no class name)
    assert f"card declined for {failing}" in reported[failing]
    assert "standard output is not JSON" in reported[garbage] and "done!" in reported[garbage]


def test_worker_runs_a_python_function(server: LiveServer, home: Path) -> None:
    (home / "payments.py").write_text(
        "def charge(variables):\n    return {'charged': variables['amount'] + 1}\n"
    )
    admin = as_admin(server)
    ok(home, *admin, "deploy", SERVICE_TASK)
    instance_id = ok(home, *admin, "instances", "start", "service_task", "-q", "--var", "amount=41").strip()
    worker = start_worker(
        home, server, "--topic", "work-topic", "--handler", "payments:charge", "--max-jobs", "1"
    )
    try:
        wait_for(
            lambda: "after_work" in ok(home, *admin, "instances", "show", instance_id, "--history", "0"),
            "the job done",
        )
    finally:
        code, out, _ = stop(worker)
    assert code == 0 and "1 done" in out
    assert (
        json.loads(ok(home, *admin, "--json", "instances", "show", instance_id))["variables"]["charged"] == 42
    )


def test_login_writes_a_private_profile_that_later_commands_use(server: LiveServer, home: Path) -> None:
    done = flowport(home, "login", "--url", server.url, "--client-id", ADMIN, input=f"{ADMIN_SECRET}\n")
    assert done.returncode == 0, done.stderr
    assert ADMIN_SECRET not in done.stdout + done.stderr  # asked for without echo, never printed
    credentials = home / "config" / "flowport" / "credentials.toml"
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    assert stat.S_IMODE(credentials.parent.stat().st_mode) == 0o700
    assert "default" in done.stdout and str(credentials) in done.stdout

    # A second, named profile keeps the first.
    ok(
        home,
        "--url",
        server.url,
        "login",
        "--profile",
        "reading",
        "--client-id",
        READER,
        input=f"{READER_SECRET}\n",
    )
    ok(home, "--url", server.url, "deploy", SERVICE_TASK)  # --url of the default profile: its credentials
    assert "service_task" in ok(home, "--profile", "default", "definitions", "list")
    by_variable = environment(home, FLOWPORT_PROFILE="reading")
    assert "service_task" in ok(home, "definitions", "list", env=by_variable)
    refused = one_line_failure(flowport(home, "--profile", "reading", "instances", "start", "service_task"))
    assert "missing permission instances:start" in refused
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600


def test_login_with_a_wrong_secret_saves_nothing(server: LiveServer, home: Path) -> None:
    done = flowport(home, "login", "--url", server.url, "--client-id", ADMIN, "--client-secret", "wrong")
    message = one_line_failure(done)
    assert "refused the client credentials" in message and "invalid_client" in message
    assert not (home / "config" / "flowport" / "credentials.toml").exists()


def test_errors_are_one_line_and_exit_code_1(server: LiveServer, home: Path) -> None:
    admin = as_admin(server)
    missing = one_line_failure(flowport(home, *admin, "instances", "show", "no-such-instance"))
    assert missing.startswith("Not found") and "no-such-instance" in missing
    assert one_line_failure(flowport(home, *admin, "--json", "tasks", "complete", "nope")).startswith(
        "Not found"
    )

    reader = ["--url", server.url, "--client-id", READER, "--client-secret", READER_SECRET]
    denied = one_line_failure(flowport(home, *reader, "instances", "start", "service_task"))
    assert "missing permission instances:start" in denied
    assert "missing permission" in one_line_failure(flowport(home, *reader, "clients", "list"))

    wrong = ["--url", server.url, "--client-id", ADMIN, "--client-secret", "not-the-secret"]
    refused = one_line_failure(flowport(home, *wrong, "instances", "list"))
    assert "refused the client credentials" in refused and "not-the-secret" not in refused
    refused_worker = one_line_failure(flowport(home, *wrong, "worker", "run", "-t", "x", "--exec", "true"))
    assert "refused the client credentials" in refused_worker

    free_port_url = "http://127.0.0.1:9"  # discard: nothing listens
    away = one_line_failure(
        flowport(home, "--url", free_port_url, "--client-id", "a", "--client-secret", "b", "jobs", "list")
    )
    assert "Cannot reach the server" in away


def test_json_output_is_one_document_in_the_apis_shape(server: LiveServer, home: Path) -> None:
    admin = as_admin(server)
    deployed = json.loads(ok(home, *admin, "--json", "deploy", SERVICE_TASK))
    assert [(d["key"], d["version"], d["created"]) for d in deployed] == [("service_task", 1, True)]
    ok(home, *admin, "instances", "start", "service_task", "--business-key", "order-7")
    [instance] = json.loads(ok(home, *admin, "--json", "instances", "list"))
    assert instance["businessKey"] == "order-7" and instance["definitionKey"] == "service_task"
    [job] = json.loads(ok(home, *admin, "--json", "jobs", "list"))
    assert job["processInstanceId"] == instance["id"] and job["topic"] == "work-topic"
    assert json.loads(ok(home, *admin, "--json", "tasks", "list")) == []
    clients = json.loads(ok(home, *admin, "--json", "clients", "list"))
    assert {c["clientId"] for c in clients} >= {ADMIN, READER}
    assert all("clientSecret" not in c for c in clients)


def test_administration_works_remotely_through_the_admin_api(server: LiveServer, home: Path) -> None:
    admin = as_admin(server)
    created = json.loads(
        ok(home, *admin, "--json", "clients", "create", "Billing", "--id", "billing", "--profile", "Worker")
    )
    assert created["clientId"] == "billing" and len(created["clientSecret"]) >= 32
    worker_login = ["--url", server.url, "--client-id", "billing", "--client-secret", created["clientSecret"]]
    assert "No jobs match." in ok(home, *worker_login, "jobs", "list")
    ok(home, *admin, "clients", "disable", "billing")
    assert "refused" in one_line_failure(flowport(home, *worker_login, "jobs", "list"))
    assert "billing" in ok(home, *admin, "clients", "list") and "no" in ok(
        home, *admin, "clients", "show", "billing"
    )
    ok(home, *admin, "env", "create", "staging")
    assert "staging" in ok(home, *admin, "env", "list")
    ok(home, *admin, "users", "create", "carol", "--password", "carol-password-1", "--env", "staging")
    ok(home, *admin, "users", "lock", "carol", "--env", "staging")
    [carol] = json.loads(ok(home, *admin, "--json", "users", "list", "--env", "staging"))
    assert carol["username"] == "carol" and carol["locked"] is True
    assert "client.created" in ok(home, *admin, "audit", "list", "--event", "client.created")
    assert "yes" in ok(home, *admin, "keys", "list")


# A job program that says it started, then waits for the test to let it finish.
WAITING = textwrap.dedent(
    """
    import json, pathlib, sys, time
    json.load(sys.stdin)
    pathlib.Path("started").touch()
    while not pathlib.Path("release").exists():
        time.sleep(0.05)
    print(json.dumps({"waited": True}))
    """
)


@contextmanager
def running(worker: subprocess.Popen[str], release: Path) -> Iterator[subprocess.Popen[str]]:
    """The worker, killed if the test fails before it ends, its waiting program let go (no leftovers)."""
    try:
        yield worker
    finally:
        release.touch()
        if worker.poll() is None:
            worker.kill()
            worker.communicate()


def read_until(stream: Any, text: str) -> None:
    """Read the worker's stderr until ``text`` shows up (a deadline for hangs, not a timed assertion)."""
    seen = b""
    deadline = time.monotonic() + 60
    while text.encode() not in seen:
        assert time.monotonic() < deadline, f"gave up waiting for {text!r} in {seen!r}"
        readable, _, _ = select.select([stream], [], [], 0.2)
        if readable:
            seen += os.read(stream.fileno(), 4096)


def test_ctrl_c_lets_the_running_job_finish_and_a_second_one_ends_it(server: LiveServer, home: Path) -> None:
    (home / "wait.py").write_text(WAITING)
    admin = as_admin(server)
    ok(home, *admin, "deploy", SERVICE_TASK)
    first = ok(home, *admin, "instances", "start", "service_task", "-q").strip()
    command = ["--topic", "work-topic", "--exec", f"{sys.executable} wait.py", "--max-jobs", "1"]

    with running(start_worker(home, server, *command), home / "release") as worker:
        wait_for((home / "started").exists, "the job's program started")
        worker.send_signal(signal.SIGINT)
        read_until(worker.stderr, "Stopping after the running jobs")
        (home / "release").touch()  # the program finishes after the Ctrl-C, and its job completes
        out, _ = worker.communicate(timeout=60)
    assert worker.returncode == 0 and "1 done, 0 failed" in out
    assert "after_work" in ok(home, *admin, "instances", "show", first, "--history", "0")

    (home / "started").unlink()
    (home / "release").unlink()
    second = ok(home, *admin, "instances", "start", "service_task", "-q").strip()
    with running(start_worker(home, server, *command), home / "release") as worker:
        wait_for((home / "started").exists, "the job's program started")
        worker.send_signal(signal.SIGINT)
        read_until(worker.stderr, "Stopping after the running jobs")
        worker.send_signal(signal.SIGINT)
        _, err = worker.communicate(timeout=60)
    assert worker.returncode == 130 and "Interrupted" in err
    [job] = json.loads(ok(home, *admin, "--json", "jobs", "list", "--instance", second))
    assert "killed by SIGTERM" in job["errorMessage"]  # reported at once, not left to the lock's expiry

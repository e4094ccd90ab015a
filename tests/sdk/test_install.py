"""The SDK installed alone in a fresh virtual environment: no server packages, and it works.

pip builds the base distribution from a copy of the sources (so nothing is written into the
checkout) through the package index pip is configured with; every cache lives in ``tmp_path``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.e2e.server import LiveServer
from tests.sdk.conftest import ADMIN_ID, ADMIN_SECRET, ROOT

SERVER_PACKAGES = {"sqlalchemy", "spiffworkflow", "uvicorn", "fastapi", "starlette", "pydantic", "alembic"}

SCRIPT = """
import json, sys
from flowport.client import Client, NotFound

url, client_id, secret, document = sys.argv[1:]
with Client(url, client_id=client_id, client_secret=secret) as flowport:
    deployment = flowport.definitions.deploy(open(document, "rb").read())
    instance = flowport.instances.start(deployment.definitions[0].key, {"amount": 1})
    try:
        flowport.instances.get("no-such-instance")
    except NotFound as exc:
        missing = exc.status
    print(json.dumps({"status": flowport.instances.get(instance.id).status, "missing": missing}))
"""


def _copy_sources(target: Path) -> Path:
    target.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, target / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    shutil.copytree(ROOT / "src", target / "src", ignore=ignore)
    return target


def test_the_sdk_installs_alone_and_calls_a_server(tmp_path: Path, server: LiveServer) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")},
        "PIP_CACHE_DIR": str(tmp_path / "pip-cache"),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=env)
    python = str(venv / "bin" / "python")
    source = _copy_sources(tmp_path / "source")
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", str(source)], check=True, env=env, cwd=tmp_path
    )

    listed = subprocess.run(
        [python, "-m", "pip", "list", "--format", "json"], check=True, env=env, capture_output=True, text=True
    )
    installed = {p["name"].lower() for p in json.loads(listed.stdout)}
    assert {"flowport", "httpx"} <= installed
    assert installed & SERVER_PACKAGES == set()

    document = ROOT / "tests" / "fixtures" / "bpmn" / "user_task.bpmn"
    ran = subprocess.run(
        [python, "-c", SCRIPT, server.url, ADMIN_ID, ADMIN_SECRET, str(document)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout) == {"status": "RUNNING", "missing": 404}

    # The server's command says what is missing instead of failing with a traceback.
    command = subprocess.run(
        [str(venv / "bin" / "flowport"), "serve"], env=env, capture_output=True, text=True
    )
    assert command.returncode != 0
    assert "pip install 'flowport[server]'" in command.stderr

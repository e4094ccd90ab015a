"""The README's "Web console" section, as written: create the first user on the server's machine
(the password asked for at the prompt), then log in to the console the banner points at."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx

from tests.compat.readme import bash_blocks
from tests.e2e.server import LiveServer

PASSWORD = "a long enough password"


def test_the_first_user_of_the_readme_logs_in_to_the_console(tmp_path: Path) -> None:
    [block] = bash_blocks("## Web console")
    bin_dir = str(Path(sys.executable).parent)  # the README's .venv/bin is this venv's
    script = block.replace(".venv/bin/", f"{bin_dir}/")
    with LiveServer(tmp_path) as server:
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            input=f"{PASSWORD}\n{PASSWORD}\n",
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "FLOWPORT_DATA_DIR": str(tmp_path)},
        )
        assert result.returncode == 0, result.stderr
        with httpx.Client(base_url=server.url) as browser:
            assert browser.get("/console/").headers["location"] == "/console/login?next=/console/"
            login = browser.post(
                "/console/login", data={"username": "alice", "password": PASSWORD, "next": "/console/"}
            )
            assert login.status_code == 303 and login.headers["location"] == "/console/"
            page = browser.get("/console/")
            assert page.status_code == 200
            assert re.search(r'class="user"[^>]*>alice<', page.text)
            assert 'href="/console/clients"' in page.text  # the Admin profile's menu

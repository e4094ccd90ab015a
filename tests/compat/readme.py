"""The README's "Coming from <product>" examples, run as written (bash and curl against a live server)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

README = Path(__file__).parents[2] / "README.md"
DOCUMENTED_URL = "http://127.0.0.1:8077"


def bash_blocks(heading: str) -> list[str]:
    """The ```bash blocks of the README section under ``heading`` (up to the next ``## ``)."""
    text = README.read_text()
    start = text.index(f"\n{heading}\n")
    end = text.find("\n## ", start + len(heading) + 2)
    section = text[start : end if end != -1 else len(text)]
    blocks, rest = [], section
    while "```bash\n" in rest:
        rest = rest[rest.index("```bash\n") + len("```bash\n") :]
        blocks.append(rest[: rest.index("```")])
        rest = rest[rest.index("```") + 3 :]
    return blocks


def run_bash(script: str, url: str, env: dict[str, str]) -> str:
    """Run ``script`` with ``bash -e`` against ``url`` (instead of the documented one); its stdout."""
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script.replace(DOCUMENTED_URL, url)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
    )
    assert result.returncode == 0, (script, result.stdout, result.stderr)
    return result.stdout

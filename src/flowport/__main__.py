"""``python -m flowport`` and the ``flowport`` script: the command line, when the server is installed.

The base distribution is only the Python SDK (``flowport.client``); the command line needs the
``server`` extra, and says so instead of failing with an import error.
"""

from __future__ import annotations

import sys

SERVER_MISSING = "flowport: the server is not installed (missing {name}): pip install 'flowport[server]'"


def main() -> None:
    try:
        # lazy import: the server's dependencies are an optional extra; without them, say how to get them
        from flowport.cli.main import main as cli_main
    except ModuleNotFoundError as exc:
        if exc.name is None or exc.name.split(".")[0] == "flowport":
            raise
        sys.exit(SERVER_MISSING.format(name=exc.name))
    cli_main()


if __name__ == "__main__":
    main()

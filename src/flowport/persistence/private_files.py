"""Files of the data directory that only the server's user may read: the database, its lock, keys.

Modes are given when a file is created (``os.open``/``mkdir`` with a mode), never by changing the
process umask, which would race other threads creating files meanwhile.
"""

from __future__ import annotations

import os
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def make_private_dir(path: Path) -> None:
    """Create ``path`` (and missing parents) if absent; the directory itself gets mode 0700.

    An existing directory keeps its mode: where it lives and who shares it is the operator's choice.
    """
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)


def create_private_file(path: Path) -> None:
    """Create an empty file of mode 0600 unless one exists (an empty file is an empty SQLite database).

    SQLite gives the ``-wal`` and ``-shm`` files it creates later the database file's mode, so
    creating the database this way before SQLite opens it keeps those private too.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return
    os.close(fd)

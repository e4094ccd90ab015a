"""``~/.config/flowport/credentials.toml``: named profiles (server URL, client id and secret).

The file holds secrets, so it is created with mode 0600 in a directory of mode 0700, written to a
new file and renamed over the old one (a crash never leaves half a file), and rewritten whole so
the other profiles stay as they were. ``XDG_CONFIG_HOME`` moves it, as the XDG base directory
specification says.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

DEFAULT_PROFILE = "default"
FILE_MODE = 0o600
DIR_MODE = 0o700


class ProfileError(Exception):
    """The credentials file cannot be read, or lacks what was asked for."""


@dataclass(frozen=True, repr=False)
class Profile:
    url: str
    client_id: str | None = None
    client_secret: str | None = None

    def __repr__(self) -> str:  # never the secret, not even in a traceback
        return f"Profile(url={self.url!r}, client_id={self.client_id!r})"


def credentials_file() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "flowport" / "credentials.toml"


def load_all(path: Path | None = None) -> dict[str, Profile]:
    """Every profile in the file (none when there is no file)."""
    path = path or credentials_file()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProfileError(f"Cannot read {path}: {exc}") from None
    profiles: dict[str, Profile] = {}
    for name, table in data.items():
        if not isinstance(table, dict) or not isinstance(table.get("url"), str):
            raise ProfileError(f"{path}: profile '{name}' has no url")
        profiles[name] = Profile(
            table["url"], _text(table.get("client_id")), _text(table.get("client_secret"))
        )
    return profiles


def save(name: str, profile: Profile, path: Path | None = None) -> Path:
    """Add or replace profile ``name``, keeping the others; returns the file's path."""
    path = path or credentials_file()
    profiles = {**load_all(path), name: profile}
    path.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    os.chmod(path.parent, DIR_MODE)  # an existing directory too: it holds a secret now
    fresh = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(_render(profiles))
        os.chmod(fresh, FILE_MODE)  # O_CREAT's mode is masked by the umask; the file must be 0600
        os.replace(fresh, path)
    except BaseException:
        fresh.unlink(missing_ok=True)
        raise
    return path


def _render(profiles: dict[str, Profile]) -> str:
    """TOML by hand: the standard library only reads it, and these are flat tables of strings."""
    blocks = ["# Written by `flowport login`; holds client secrets: keep it private (mode 0600).\n"]
    for name, profile in profiles.items():
        lines = [f"[{_quoted(name)}]", f"url = {_quoted(profile.url)}"]
        if profile.client_id is not None:
            lines.append(f"client_id = {_quoted(profile.client_id)}")
        if profile.client_secret is not None:
            lines.append(f"client_secret = {_quoted(profile.client_secret)}")
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


def _quoted(value: str) -> str:
    """A TOML basic string: quote, backslash and control characters escaped (TOML 1.0, "String")."""
    escaped = "".join(
        f"\\u{ord(c):04X}" if ord(c) < 0x20 or ord(c) == 0x7F else "\\" + c if c in '"\\' else c
        for c in value
    )
    return f'"{escaped}"'


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None

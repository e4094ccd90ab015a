"""The server master key and the keys derived from it (HKDF, RFC 5869).

The master key comes from ``settings.auth.master_key`` or from ``data_dir/master.key``, a file of
32 random bytes (base64) created with mode 0600 on first start. From it HKDF-SHA256 derives, with
distinct ``info`` strings, the key-encryption key that protects signing keys at rest and the pepper
that keys client-secret hashes. Changing the master key therefore makes stored signing keys
unreadable and every client secret invalid. Several server processes sharing one database must share
one master key (set it in the settings, or give them the same data directory).

Nothing here logs key material; :class:`MasterKey` hides it from ``repr``.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from flowport.config import Settings
from flowport.persistence.private_files import make_private_dir

log = logging.getLogger("flowport.auth")

KEY_FILE = "master.key"
MASTER_KEY_BYTES = 32
MIN_CONFIGURED_CHARS = 16
_KEK_INFO = b"flowport/v1/signing-key-encryption"
_PEPPER_INFO = b"flowport/v1/client-secret-pepper"


class MasterKeyError(RuntimeError):
    """The master key is missing, unreadable or too short."""


@dataclass(frozen=True)
class MasterKey:
    """The master key and its derived keys (all 32 bytes); never shown in ``repr``."""

    master: bytes = field(repr=False)
    key_encryption_key: bytes = field(repr=False)
    pepper: bytes = field(repr=False)
    source: str = "file"  # "settings" | "file"


def derive(master: bytes, info: bytes, length: int = 32) -> bytes:
    """HKDF-SHA256 (RFC 5869) of ``master`` for one purpose, named by ``info``."""
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(master)


def from_bytes(master: bytes, source: str = "file") -> MasterKey:
    return MasterKey(master, derive(master, _KEK_INFO), derive(master, _PEPPER_INFO), source)


def load(settings: Settings) -> MasterKey:
    """The master key from the settings, else from the key file (created on first start)."""
    configured = settings.auth.master_key
    if configured is not None:
        return from_bytes(_decode_configured(configured.get_secret_value()), "settings")
    return from_bytes(_load_or_create_file(Path(settings.data_dir) / KEY_FILE), "file")


def _decode_configured(value: str) -> bytes:
    value = value.strip()
    if len(value) < MIN_CONFIGURED_CHARS:
        raise MasterKeyError(f"auth.master_key is too short: give at least {MIN_CONFIGURED_CHARS} characters")
    try:
        raw = base64.b64decode(value + "=" * (-len(value) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    # A base64 value of at least 32 bytes is used as is; any other string is key material for HKDF.
    return raw if len(raw) >= MASTER_KEY_BYTES else value.encode()


def _load_or_create_file(path: Path) -> bytes:
    if not path.exists():
        _create_file(path)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        log.warning("the master key file %s is readable by others (mode %o); chmod 600 it", path, mode)
    try:
        raw = base64.b64decode(path.read_text().strip(), validate=True)
    except (OSError, binascii.Error, ValueError) as exc:
        raise MasterKeyError(f"cannot read the master key file {path}: {type(exc).__name__}") from None
    if len(raw) < MASTER_KEY_BYTES:
        raise MasterKeyError(f"the master key file {path} holds fewer than {MASTER_KEY_BYTES} bytes")
    return raw


def _create_file(path: Path) -> None:
    """Write the key to a private temporary file, then link it into place.

    ``os.link`` fails if the file exists, so of several processes starting at once exactly one
    key wins and nobody ever reads a half-written file.
    """
    make_private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(base64.b64encode(secrets.token_bytes(MASTER_KEY_BYTES)).decode() + "\n")
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)
            log.info("created a new master key file %s (mode 600); back it up", path)
        except FileExistsError:
            pass  # another process won the race; its key is the one
    finally:
        tmp.unlink(missing_ok=True)

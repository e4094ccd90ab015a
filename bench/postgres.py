"""A private PostgreSQL database per benchmark run, dropped at the end."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"


def unreachable_reason(admin_url: str = ADMIN_URL) -> str | None:
    """None when PostgreSQL answers at ``admin_url``, else why not."""
    try:
        with psycopg.connect(admin_url, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return f"PostgreSQL at {admin_url} is unreachable: {str(exc).strip().splitlines()[0]}"
    return None


@contextmanager
def private_database(admin_url: str = ADMIN_URL) -> Iterator[str]:
    """Create ``flowport_bench_<random>``; yield its URL; drop it (closing leftover sessions)."""
    name = f"flowport_bench_{secrets.token_hex(4)}"
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        base = admin_url.rsplit("/", 1)[0]
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

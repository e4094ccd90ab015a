"""Test databases: a private schema in the test PostgreSQL, dropped afterwards."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text

from flowport.config import normalize_database_url

PG_URL = os.environ.get("FLOWPORT_TEST_DATABASE_URL")


@contextmanager
def private_postgres_schema() -> Iterator[str]:
    """The URL of a fresh, empty schema of the test PostgreSQL (skips the test when none is set)."""
    if not PG_URL:
        pytest.skip("PostgreSQL tests need FLOWPORT_TEST_DATABASE_URL (CI sets it)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalize_database_url(PG_URL))
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{normalize_database_url(PG_URL)}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()

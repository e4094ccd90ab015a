"""Client rows for the token endpoint, read through a short-lived in-process cache.

Authenticating a client is on the token endpoint's hot path, and a database read was a fifth of
its cost. Rows are kept for ``ttl`` seconds (1 s by default). Changes made through this process
(admin API, CLI in-process, bootstrap) forget the row when their transaction commits, so they take
effect at once here; changes made by another process take effect within ``ttl``, as revocations do.
"""

from __future__ import annotations

import threading
import time

from sqlalchemy import Engine

from flowport.persistence.db import read_transaction
from flowport.persistence.repositories import clients as client_repo
from flowport.persistence.repositories.clients import ClientRow

MAX_ENTRIES = 10_000


class ClientCache:
    def __init__(self, db: Engine, *, ttl: float = 1.0) -> None:
        self._db = db
        self._ttl = ttl
        self._rows: dict[str, tuple[float, ClientRow | None]] = {}
        self._lock = threading.Lock()

    def get(self, client_id: str) -> ClientRow | None:
        """The client's row (None when unknown), at most ``ttl`` seconds old."""
        now = time.monotonic()
        cached = self._rows.get(client_id)
        if cached is not None and now - cached[0] < self._ttl:
            return cached[1]
        with read_transaction(self._db) as conn:
            row = client_repo.get(conn, client_id)
        with self._lock:
            if len(self._rows) >= MAX_ENTRIES:  # many unknown ids: bounded memory, not a leak
                self._rows.clear()
            self._rows[client_id] = (now, row)
        return row

    def forget(self, client_id: str | None = None) -> None:
        """Drop one client's row (or every row) so the next lookup reads the database."""
        with self._lock:
            if client_id is None:
                self._rows.clear()
            else:
                self._rows.pop(client_id, None)

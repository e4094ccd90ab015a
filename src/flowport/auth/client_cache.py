"""Client rows for the token endpoint, read through a short-lived in-process cache."""

from __future__ import annotations

import threading
import time

from flowport.persistence.db import Database, read_transaction
from flowport.persistence.repositories import clients as client_repo
from flowport.persistence.repositories.clients import ClientRow

CACHE_MAX_ENTRIES = 10_000


class ClientCache:
    """Client rows for the token endpoint (RFC 6749 section 2.3 client authentication), cached briefly.

    Authenticating a client is on the token endpoint's hot path, and a database read was a fifth
    of its cost. Rows are kept for ``ttl`` seconds (1 s by default). Every commit of this process
    that changes a client's row forgets it (the database's change notices), so changes made here
    take effect at once; changes made by another process take effect within ``ttl``, as
    revocations do.
    """

    def __init__(self, db: Database, *, ttl: float = 1.0) -> None:
        self._db = db
        self._ttl = ttl
        self._rows: dict[str, tuple[float, ClientRow | None]] = {}
        self._lock = threading.Lock()
        db.changes.on_client_changed(self.forget)

    def get(self, client_id: str) -> ClientRow | None:
        """The client's row (None when unknown), at most ``ttl`` seconds old."""
        now = time.monotonic()
        cached = self._rows.get(client_id)
        if cached is not None and now - cached[0] < self._ttl:
            return cached[1]
        with read_transaction(self._db) as conn:
            row = client_repo.get(conn, client_id)
        with self._lock:
            if len(self._rows) >= CACHE_MAX_ENTRIES:  # many unknown ids: bounded memory, not a leak
                self._rows.clear()
            self._rows[client_id] = (now, row)
        return row

    def forget(self, client_id: str) -> None:
        """Drop one client's row so the next lookup reads the database."""
        with self._lock:
            self._rows.pop(client_id, None)

"""Long-lived token-service state of one process, built in the app lifespan (no global state)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from flowport.auth import master_key as master_keys
from flowport.auth.client_cache import ClientCache
from flowport.auth.keys import KeyRing
from flowport.auth.ratelimit import FailureLimiter
from flowport.auth.tokens import InvalidToken, RevocationCache, read_header, verify_access_token
from flowport.auth.write_behind import WriteBehind
from flowport.config import Settings


@dataclass
class AuthRuntime:
    """Keys and counters the token endpoint and the request guard share.

    Built once per process by :func:`build`; call :meth:`close` at shutdown (flushes queued audit
    events and last-used times).
    """

    master_key: bytes = field(repr=False)
    pepper: bytes = field(repr=False)
    keyring: KeyRing
    limiter: FailureLimiter
    revocations: RevocationCache
    clients: ClientCache
    writes: WriteBehind
    issuer: str
    audience: str
    refresh_token_lifetime: int
    token_threads: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=2, thread_name_prefix="flowport-token")
    )

    def verify_access_token(self, token: str) -> dict[str, Any]:
        """Claims of a valid access token of this server for the API audience, else InvalidToken."""
        return verify_access_token(
            token,
            keyring=self.keyring,
            revocations=self.revocations,
            issuer=self.issuer,
            audience=self.audience,
        )

    def is_foreign(self, token: str) -> bool:
        """Whether a token was not signed by one of our keys (so an external issuer may own it)."""
        try:
            kid = read_header(token).get("kid")
        except InvalidToken:
            return True
        return not isinstance(kid, str) or self.keyring.verification_key(kid) is None

    def close(self) -> None:
        self.token_threads.shutdown(wait=True)
        self.writes.close()


def build(settings: Settings, db: Engine) -> AuthRuntime:
    """Master key, pepper, key ring (loaded, or created on first start), limiter, revocation cache."""
    keys = master_keys.load(settings)
    auth = settings.auth
    keyring = KeyRing(db, keys.key_encryption_key, auth.signing_alg, auth.token_lifetime)
    if auth.mode != "external":  # in external mode this server signs nothing
        keyring.ensure()
    return AuthRuntime(
        master_key=keys.master,
        pepper=keys.pepper,
        keyring=keyring,
        limiter=FailureLimiter(auth.failure_threshold, auth.failure_window_seconds),
        revocations=RevocationCache(db),
        clients=ClientCache(db),
        writes=WriteBehind(db),
        issuer=settings.effective_public_url,
        audience=auth.audience,
        refresh_token_lifetime=auth.refresh_token_lifetime,
    )

"""The token service of one process: keys, caches and counters, built in the lifespan (no global state)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from flowport.auth import master_key as master_keys
from flowport.auth.client_cache import ClientCache
from flowport.auth.endpoints import TOKEN_PATHS
from flowport.auth.keys import KeyRing
from flowport.auth.ratelimit import FailureLimiter
from flowport.auth.tokens import InvalidToken, RevocationCache, check_claims, read_header, verify_signature
from flowport.auth.write_behind import WriteBehind
from flowport.config import Settings
from flowport.persistence.db import Database

VERIFIED_CACHE_SIZE = 4096  # access tokens whose signature was checked (about 2 KB each)


@dataclass
class AuthRuntime:
    """What the OAuth endpoints (token, introspection, revocation, discovery) and the request guard share.

    Built once per process by :func:`build`; call :meth:`close` at shutdown (flushes queued audit
    events and last-used times).
    """

    db: Database
    issues_tokens: bool  # False in ``external`` mode: the built-in endpoints answer 404
    master_key: bytes = field(repr=False)
    pepper: bytes = field(repr=False)
    keyring: KeyRing
    limiter: FailureLimiter
    revocations: RevocationCache
    clients: ClientCache
    writes: WriteBehind
    issuer: str
    audience: str
    audience_aliases: tuple[str, ...]  # other names of the API (Camunda's tasklist-api): same tokens
    # Every name a token may give this API in ``aud``: the audience first, then its aliases (computed
    # once: every authenticated request checks it).
    api_audiences: tuple[str, ...] = field(init=False)
    refresh_token_lifetime: int
    _verified: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)
    token_threads: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=2, thread_name_prefix="flowport-token")
    )

    @property
    def token_endpoint(self) -> str:
        """Where clients get tokens, as they reach this server (discovery's ``token_endpoint``)."""
        return f"{self.issuer}{TOKEN_PATHS[0]}"

    def verify_access_token(self, token: str) -> dict[str, Any]:
        """Claims of a valid access token of this server for the API audience, else InvalidToken.

        An application sends the same token with every call for its whole lifetime, so the
        signature check (the costly part, ~60 µs) runs once per token: the exact token string maps
        to its verified claims. Time, issuer, audience and revocation (of the token, or of the
        refresh-token family it came from) are checked on every call.
        """
        claims = self._verified.get(token)
        if claims is None:
            claims = verify_signature(token, self.keyring)
            if len(self._verified) >= VERIFIED_CACHE_SIZE:
                self._verified.clear()  # bounded memory; the next calls verify again
            self._verified[token] = claims
        check_claims(claims, issuer=self.issuer, audience=self.api_audiences)
        if self.revocations.revokes(claims):
            raise InvalidToken("token revoked")
        return claims

    def __post_init__(self) -> None:
        self.api_audiences = (self.audience, *(a for a in self.audience_aliases if a != self.audience))

    def active_access_claims(self, token: str) -> dict[str, Any] | None:
        """Claims of an unexpired, unrevoked access token of ours for any audience, else None.

        For introspection and revocation, which look at tokens issued for other resource servers too.
        """
        try:
            claims = verify_signature(token, self.keyring)
            check_claims(claims, issuer=self.issuer, audience=None, leeway=0)
        except InvalidToken:
            return None
        if self.revocations.revokes(claims):
            return None
        return claims

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


def build(settings: Settings, db: Database) -> AuthRuntime:
    """Master key, pepper, key ring (loaded, or created on first start), limiter, revocation cache."""
    keys = master_keys.load(settings)
    auth = settings.auth
    keyring = KeyRing(db, keys.key_encryption_key, auth.signing_alg, auth.token_lifetime)
    if auth.mode != "external":  # in external mode this server signs nothing
        keyring.ensure()
    return AuthRuntime(
        db=db,
        issues_tokens=auth.mode != "external",
        master_key=keys.master,
        pepper=keys.pepper,
        keyring=keyring,
        limiter=FailureLimiter(auth.failure_threshold, auth.failure_window_seconds),
        revocations=RevocationCache(db),
        clients=ClientCache(db),
        writes=WriteBehind(db),
        issuer=settings.effective_public_url,
        audience=auth.audience,
        audience_aliases=tuple(auth.audience_aliases),
        refresh_token_lifetime=auth.refresh_token_lifetime,
    )

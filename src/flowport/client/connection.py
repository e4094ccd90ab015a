"""What both clients share when they are built: credentials, the token source, retry policy, repr."""

from __future__ import annotations

import os
from dataclasses import dataclass

from flowport.client.credentials import ClientSecret, Credentials, PrivateKeyJwt, Secret
from flowport.client.retries import RetryPolicy
from flowport.client.tokens import TokenSource

DEFAULT_TIMEOUT = 30.0


@dataclass(frozen=True, repr=False)
class Connection:
    base_url: str
    source: TokenSource
    policy: RetryPolicy
    environment: str | None

    def describe(self, kind: str) -> str:
        """The client's ``repr``: where it connects and as whom, never a secret or a token."""
        client_id = self.source.credentials.client_id if self.source.credentials else None
        parts = [repr(self.base_url)]
        if client_id:
            parts.append(f"client_id={client_id!r}")
        if self.environment:
            parts.append(f"environment={self.environment!r}")
        return f"{kind}({', '.join(parts)})"


def connect(
    base_url: str,
    *,
    client_id: str | None,
    client_secret: str | None,
    token: str | None,
    private_key_file: str | os.PathLike[str] | None,
    key_id: str | None,
    signing_alg: str,
    environment: str | None,
    scope: str | None,
    audience: str | None,
    retries: int,
    retry_backoff: float,
    token_url: str | None,
    token_renew_margin: float | None,
) -> Connection:
    """Check the credential options (exactly one way to authenticate, or none) and build the parts."""
    ways = [client_secret is not None, token is not None, private_key_file is not None]
    if sum(ways) > 1:
        raise ValueError("Give one of client_secret, private_key_file or token")
    if (client_secret is not None or private_key_file is not None) and not client_id:
        raise ValueError("client_id is required with client_secret or private_key_file")
    credentials: Credentials | None = None
    if client_secret is not None and client_id:
        credentials = ClientSecret(client_id, Secret(client_secret))
    elif private_key_file is not None and client_id:
        credentials = PrivateKeyJwt.from_file(client_id, private_key_file, key_id, signing_alg)
    base = base_url.rstrip("/")
    source = TokenSource(
        base,
        credentials,
        static_token=Secret(token) if token is not None else None,
        token_url=token_url,
        scope=scope,
        audience=audience,
        renew_margin=token_renew_margin,
    )
    return Connection(base, source, RetryPolicy(retries=retries, backoff=retry_backoff), environment)

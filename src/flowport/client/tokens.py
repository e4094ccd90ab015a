"""Access tokens: found through discovery, cached, renewed before they expire and after a 401.

:class:`TokenSource` holds the decisions (when a token is stale, what to ask for); the sync and
async clients only add the I/O and their lock, so one token request runs at a time however many
callers wait for it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from flowport.client import errors
from flowport.client.credentials import Credentials, Secret
from flowport.client.operations import Operation

log = logging.getLogger("flowport.client")

DISCOVERY_PATH = "/.well-known/oauth-authorization-server"  # RFC 8414 section 3
FALLBACK_TOKEN_PATH = "/oauth/token"
MAX_RENEW_MARGIN = 30.0
RENEW_FRACTION = 0.1


def default_margin(lifetime: float) -> float:
    """Renew 10 % of the lifetime before expiry, at most 30 s before: a 1 h token at 59:30, 60 s at 54 s."""
    return min(MAX_RENEW_MARGIN, lifetime * RENEW_FRACTION)


@dataclass(frozen=True)
class IssuedToken:
    """A token as the token endpoint answered it (RFC 6749 section 5.1)."""

    value: Secret
    expires_in: float | None


def parse_token(response: httpx.Response) -> IssuedToken:
    data = response.json()
    expires_in = data.get("expires_in")
    return IssuedToken(Secret(str(data["access_token"])), float(expires_in) if expires_in else None)


class TokenSource:
    """The cached token of one client and the requests that renew it (no I/O of its own).

    ``renew_margin`` (seconds before expiry) overrides :func:`default_margin`. ``clock`` is
    monotonic time, replaceable in tests.
    """

    def __init__(
        self,
        base_url: str,
        credentials: Credentials | None,
        *,
        static_token: Secret | None = None,
        token_url: str | None = None,
        scope: str | None = None,
        audience: str | None = None,
        renew_margin: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.credentials = credentials
        self.token_url = token_url
        self.scope = scope
        self.audience = audience
        self.renew_margin = renew_margin
        self.clock = clock
        self._static = static_token
        self._token: Secret | None = None
        self._renew_at = 0.0

    @property
    def renewable(self) -> bool:
        """A 401 can be cured by asking for a new token (not with a ready bearer token)."""
        return self.credentials is not None

    @property
    def needed(self) -> bool:
        return self.credentials is not None or self._static is not None

    def current(self) -> str | None:
        """The token to send now, or None when a new one must be requested first."""
        if self._static is not None:
            return self._static.reveal()
        if self._token is not None and self.clock() < self._renew_at:
            return self._token.reveal()
        return None

    def store(self, issued: IssuedToken, requested_at: float) -> str:
        """Cache ``issued``; its lifetime counts from when it was requested (the safe side)."""
        self._token = issued.value
        if issued.expires_in is None:
            self._renew_at = float("inf")  # the server did not say: renew only when a 401 says so
        else:
            margin = self.renew_margin if self.renew_margin is not None else default_margin(issued.expires_in)
            self._renew_at = requested_at + max(0.0, issued.expires_in - margin)
        client_id = self.credentials.client_id if self.credentials else None
        log.debug("obtained an access token for client %s (expires in %s s)", client_id, issued.expires_in)
        return issued.value.reveal()

    def discard(self, stale: str) -> None:
        """Forget ``stale`` after a 401, unless another caller has already replaced it."""
        if self._token is not None and self._token.reveal() == stale:
            self._token = None

    def discovery(self) -> Operation[str]:
        return Operation("GET", f"{self.base_url}{DISCOVERY_PATH}", _token_endpoint, authenticated=False)

    def fallback_token_url(self) -> str:
        return f"{self.base_url}{FALLBACK_TOKEN_PATH}"

    def token_request(self, token_endpoint: str) -> Operation[IssuedToken]:
        """The client-credentials request; issuing a token twice harms nothing, so it may be retried."""
        assert self.credentials is not None
        form, headers = self.credentials.token_request(token_endpoint)
        form = {"grant_type": "client_credentials", **form}
        if self.scope:
            form["scope"] = self.scope
        if self.audience:
            form["audience"] = self.audience
        return Operation(
            "POST",
            token_endpoint,
            parse_token,
            form=form,
            headers=headers,
            idempotent=True,
            authenticated=False,
            error=errors.from_token_response,
        )


def _token_endpoint(response: httpx.Response) -> str:
    return str(response.json()["token_endpoint"])

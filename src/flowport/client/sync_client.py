"""The blocking client: ``Client(base_url, client_id=..., client_secret=...)``, shared by threads."""

from __future__ import annotations

import os
import threading
import time
from types import TracebackType
from typing import TypeVar

import httpx

from flowport.client import errors, resources
from flowport.client.connection import DEFAULT_TIMEOUT, connect
from flowport.client.operations import Operation, build_request
from flowport.client.retries import Attempts, Done, Retry

T = TypeVar("T")


class Client:
    """The native API of a Flowport server, with the token handled for you.

    Authenticate with ``client_id`` and ``client_secret`` (or ``private_key_file`` for
    ``private_key_jwt``), or pass a ready bearer ``token``. The token is fetched on first use from
    the server's discovery document, renewed ``token_renew_margin`` seconds before it expires
    (default: 10 % of its lifetime, at most 30 s) and once more after a 401 ``invalid_token``.

    Idempotent calls retry ``retries`` times on connection errors and 503, waiting about
    ``retry_backoff * 2**n`` seconds; other calls raise at once (:class:`TransportError`, or the
    problem's exception). ``environment`` sends the ``x-ws-env`` header on every API call.
    """

    def __init__(
        self,
        base_url: str,
        client_id: str | None = None,
        client_secret: str | None = None,
        *,
        token: str | None = None,
        private_key_file: str | os.PathLike[str] | None = None,
        key_id: str | None = None,
        signing_alg: str = "RS256",
        environment: str | None = None,
        scope: str | None = None,
        audience: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = 3,
        retry_backoff: float = 0.5,
        token_url: str | None = None,
        token_renew_margin: float | None = None,
        verify: bool | str = True,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._conn = connect(
            base_url,
            client_id=client_id,
            client_secret=client_secret,
            token=token,
            private_key_file=private_key_file,
            key_id=key_id,
            signing_alg=signing_alg,
            environment=environment,
            scope=scope,
            audience=audience,
            retries=retries,
            retry_backoff=retry_backoff,
            token_url=token_url,
            token_renew_margin=token_renew_margin,
        )
        self._http = httpx.Client(
            base_url=self._conn.base_url, timeout=timeout, verify=verify, transport=transport
        )
        self._token_lock = threading.Lock()
        self._sleep = time.sleep
        self.definitions = resources.Definitions(self)
        self.instances = resources.Instances(self)
        self.tasks = resources.Tasks(self)
        self.messages = resources.Messages(self)
        self.signals = resources.Signals(self)
        self.jobs = resources.Jobs(self)
        self.incidents = resources.Incidents(self)
        self.admin = resources.Admin(self)

    def __repr__(self) -> str:
        return self._conn.describe("Client")

    @property
    def base_url(self) -> str:
        return self._conn.base_url

    @property
    def environment(self) -> str | None:
        return self._conn.environment

    def execute(self, op: Operation[T]) -> T:
        """Send ``op`` with the current token, retrying as :mod:`flowport.client.retries` says."""
        attempts = Attempts(op, self._conn.policy, renewable=self._conn.source.renewable)
        while True:
            token = self.access_token() if op.authenticated else None
            request = build_request(self._http, op, token, self._conn.environment)
            step: Done[T] | Retry
            try:
                response = self._http.send(request)
            except httpx.TransportError as exc:
                step = attempts.after_error(exc)
            else:
                step = attempts.after_response(response)
            if isinstance(step, Done):
                return step.value
            if step.renew_token and token is not None:
                self._conn.source.discard(token)
            self._sleep(step.delay)

    def access_token(self) -> str | None:
        """The bearer token to send: the cached one, or a new one (one request, whoever waits for it)."""
        source = self._conn.source
        token = source.current()
        if token is not None or source.credentials is None:
            return token
        with self._token_lock:
            token = source.current()  # another thread may have renewed it while this one waited
            if token is not None:
                return token
            requested_at = source.clock()
            issued = self.execute(source.token_request(self._token_endpoint()))
            return source.store(issued, requested_at)

    def _token_endpoint(self) -> str:
        source = self._conn.source
        if source.token_url is None:
            try:
                source.token_url = self.execute(source.discovery())
            except errors.NotFound:
                source.token_url = source.fallback_token_url()
        return source.token_url

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

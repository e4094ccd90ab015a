"""Request authentication: the only HTTP-aware module of ``auth/`` (RFC 6750 bearer tokens, sessions).

It turns a request into a :class:`Principal` according to ``settings.auth.mode``:

- ``open``: everyone is an anonymous caller with every permission (local experiments only);
- ``oauth``: Flowport's own JWT access tokens, the optional static API token, external issuers'
  JWTs, and session cookies from ``POST /api/login`` (unsafe methods then need the CSRF header);
- ``external``: only JWTs of the configured external OpenID Connect issuers.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from flowport.auth import tokens
from flowport.auth.external import ExternalIssuers, ExternalTokenError
from flowport.auth.principal import Principal
from flowport.auth.runtime import AuthRuntime
from flowport.config import DEFAULT_ENV, AuthSettings
from flowport.errors import CsrfTokenRequired, Unauthenticated
from flowport.permissions import CATALOG, expand

SESSION_COOKIE = "flowport_session"
CSRF_HEADER = "x-csrf-token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


# Who a session cookie acts as (None: unknown, expired or its user locked), and whether a CSRF
# token belongs to a session. Both read the database: they run in a worker thread.
SessionLookup = Callable[[str], Principal | None]
CsrfCheck = Callable[[str, str], bool]


class Authenticator:
    """Authenticates requests for one app; built in the lifespan from the settings.

    It knows the token service (``runtime``) and, for session cookies, only the two narrow
    lookups it is handed: the sessions themselves are the services' business.
    """

    def __init__(
        self,
        settings: AuthSettings,
        runtime: AuthRuntime,
        *,
        principal_for_session: SessionLookup,
        csrf_matches: CsrfCheck,
    ) -> None:
        self._settings = settings
        self._runtime = runtime
        self._principal_for_session = principal_for_session
        self._csrf_matches = csrf_matches
        self._external = ExternalIssuers(self._settings.external_issuers, self._settings.audience)
        static = self._settings.static_token
        self._static_token = static.get_secret_value().encode() if static is not None else None
        self._static_permissions = expand([self._settings.static_token_profile])

    async def principal(self, request: Request, *, reads_only: bool = False) -> Principal:
        """Who the request acts as (cached on the request); raises :class:`Unauthenticated`.

        ``reads_only``: the route only reads, whatever its method (a search sent as POST), so a
        session cookie needs no CSRF header; a route that then finds it changes data after all (a
        GraphQL mutation) calls :meth:`confirm_change`.
        """
        cached: Principal | None = getattr(request.state, "principal", None)
        if cached is not None:
            return cached
        principal = await self._authenticate(request, reads_only=reads_only)
        requested_env = request.headers.get(self._settings.env_header)
        if requested_env and requested_env != principal.env:
            if principal.kind != "open":
                raise Unauthenticated(
                    f"The credential was issued for environment '{principal.env}', not '{requested_env}'"
                )
            principal = replace(principal, env=requested_env)
        request.state.principal = principal
        return principal

    def principal_for_static_token(self, request: Request, token: str) -> Principal | None:
        """The principal ``Authorization: Bearer <static token>`` gives, for the token sent another way.

        OptimaJet's clients send their "Api access token" as a ``token`` parameter. When it is the
        static API token (compared in constant time), the request authenticates as that token, in its
        environment, and later guards find it cached; otherwise None (the request is not authenticated
        by it, and the usual rules apply).
        """
        static = self._static_token
        given = token.encode("utf-8", "replace")  # a form may carry a lone surrogate
        if self._settings.mode != "oauth" or static is None or not hmac.compare_digest(given, static):
            return None
        principal = self._static_principal()
        requested_env = request.headers.get(self._settings.env_header)
        if requested_env and requested_env != principal.env:
            raise Unauthenticated(
                f"The credential was issued for environment '{principal.env}', not '{requested_env}'"
            )
        request.state.principal = principal
        return principal

    def _static_principal(self) -> Principal:
        return Principal(
            subject="static-token", kind="static", env=DEFAULT_ENV, permissions=self._static_permissions
        )

    async def confirm_change(self, request: Request, csrf_token: str | None = None) -> None:
        """Demand the CSRF token that :meth:`principal` let a ``reads_only`` route skip, if any.

        The token comes from the CSRF header, or as ``csrf_token`` when the edge read it elsewhere
        (the web console's forms carry it as a field, since a plain HTML form sends no headers).
        """
        session: str | None = getattr(request.state, "unconfirmed_session", None)
        if session is not None:
            await self._check_csrf(request, session, csrf_token)
            request.state.unconfirmed_session = None

    async def _authenticate(self, request: Request, *, reads_only: bool) -> Principal:
        mode = self._settings.mode
        if mode == "open":
            return Principal(subject="anonymous", kind="open", env=DEFAULT_ENV, permissions=CATALOG)
        token = _bearer(request)
        if token is not None:
            return await self._from_bearer(token, external_only=mode == "external")
        session = request.cookies.get(SESSION_COOKIE)
        if session and mode == "oauth":
            return await self._from_session(request, session, reads_only=reads_only)
        raise Unauthenticated("Authentication is required: send 'Authorization: Bearer <token>'", error=None)

    async def _from_bearer(self, token: str, *, external_only: bool) -> Principal:
        static = self._static_token
        if not external_only and static is not None and hmac.compare_digest(token.encode(), static):
            return self._static_principal()
        if not external_only:
            local = self._verify_local(token)
            if local is not None:
                return local
        if self._external:
            try:
                return await self._external.verify(token)
            except ExternalTokenError as exc:
                raise Unauthenticated(f"The access token is not valid: {exc}") from exc
        raise Unauthenticated("The access token is not valid, has expired or was revoked")

    def _verify_local(self, token: str) -> Principal | None:
        runtime = self._runtime
        try:
            claims: dict[str, Any] = runtime.verify_access_token(token)
        except tokens.InvalidToken as exc:
            if self._external and runtime.is_foreign(token):
                return None  # let the external issuers try it
            raise Unauthenticated(f"The access token is not valid: {exc}") from exc
        scope = str(claims.get("scope", ""))
        return Principal(
            subject=str(claims.get("sub")),
            kind="client",
            env=str(claims.get("env", DEFAULT_ENV)),
            permissions=expand(scope.split()) if scope else frozenset(),
            visibility=str(claims.get("visibility", "shared")),
            token_id=str(claims.get("jti")),
            client_id=str(claims.get("client_id", claims.get("sub"))),
            claims=claims,
        )

    async def _from_session(self, request: Request, session: str, *, reads_only: bool) -> Principal:
        principal = await run_in_threadpool(self._principal_for_session, session)
        if principal is None:
            raise Unauthenticated("The session has expired or was ended; log in again")
        if request.method not in _SAFE_METHODS:
            if reads_only:
                request.state.unconfirmed_session = session
            else:
                await self._check_csrf(request, session)
        return principal

    async def _check_csrf(self, request: Request, session: str, given: str | None = None) -> None:
        csrf = given if given is not None else request.headers.get(CSRF_HEADER, "")
        if not csrf or not await run_in_threadpool(self._csrf_matches, session, csrf):
            raise CsrfTokenRequired(
                f"Requests that change data with a session cookie need the {CSRF_HEADER} header "
                "with the csrfToken the login returned"
            )


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise Unauthenticated(
            "Use the Bearer scheme: 'Authorization: Bearer <token>'", error="invalid_request"
        )
    return value.strip()

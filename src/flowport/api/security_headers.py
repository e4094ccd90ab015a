"""Response headers every answer carries (OWASP Secure Headers): no sniffing, no framing, no caching.

A route that sets one of them itself (the JWKS its ``max-age``, ``/docs`` its Content-Security-Policy)
keeps its own. Static assets under ``cacheable_prefixes`` may be cached; everything else carries
``Cache-Control: no-store``, so tokens, variables and secrets stay out of shared and browser caches
(RFC 9111 section 5.2.2.5; RFC 6749 section 5.1 for the token endpoint).
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

BASELINE: dict[str, str] = {
    "X-Content-Type-Options": "nosniff",  # a JSON answer is never run as a script or page
    "X-Frame-Options": "DENY",  # RFC 7034: nothing here is meant to be framed (clickjacking)
    "Referrer-Policy": "no-referrer",  # URLs carry ids and query filters
}
NO_STORE = "no-store"


class SecurityHeadersMiddleware:
    """Add :data:`BASELINE` and ``Cache-Control: no-store`` to every response that lacks them."""

    def __init__(self, app: ASGIApp, cacheable_prefixes: tuple[str, ...] = ()) -> None:
        self.app = app
        self.cacheable_prefixes = cacheable_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cacheable = str(scope["path"]).startswith(self.cacheable_prefixes)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in BASELINE.items():
                    headers.setdefault(name, value)
                if not cacheable:
                    headers.setdefault("Cache-Control", NO_STORE)
            await send(message)

        await self.app(scope, receive, send_with_headers)

"""The self-hosted interactive docs (``/docs``): Swagger UI under a Content-Security-Policy.

FastAPI's ``get_swagger_ui_html`` starts Swagger UI with an inline ``<script>``, which a policy
without ``'unsafe-inline'`` blocks. This page has none: it loads the swagger-ui-py package's bundle
from ``/docs/static`` and Flowport's own start-up script from ``/docs/assets`` (no CDN: the server
works offline). The "Authorize" button gets tokens from the token endpoint (``connect-src``).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from flowport.config import Settings

STATIC_PREFIXES = ("/docs/static/", "/docs/assets/")
_ASSETS = Path(__file__).parent / "docs_assets"
_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Flowport API</title>
<link rel="stylesheet" href="/docs/static/swagger-ui.css">
<link rel="icon" type="image/png" href="/docs/static/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui" data-openapi-url="/openapi.json"></div>
<script src="/docs/static/swagger-ui-bundle.js"></script>
<script src="/docs/assets/swagger-init.js"></script>
</body>
</html>
"""


def content_security_policy(settings: Settings) -> str:
    """Scripts and styles only from this origin, no inline ones; nothing may frame the page.

    Swagger UI (its "Authorize" and "Try it out" included) was checked to run under it in Chromium.
    """
    public = urlsplit(settings.effective_public_url)
    token_origin = f"{public.scheme}://{public.netloc}" if public.scheme and public.netloc else ""
    return "; ".join(
        (
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            f"connect-src 'self' {token_origin}".rstrip(),  # openapi.json, the token endpoint, Try it out
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        )
    )


def install(app: FastAPI, settings: Settings) -> None:
    """Serve ``/docs``, the Swagger UI files and Flowport's start-up script."""
    import swagger_ui

    swagger = Path(swagger_ui.__file__).parent / "static"
    app.mount("/docs/static", StaticFiles(directory=swagger), name="docs-static")
    app.mount("/docs/assets", StaticFiles(directory=_ASSETS), name="docs-assets")
    headers = {"Content-Security-Policy": content_security_policy(settings)}

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(_PAGE, headers=headers)

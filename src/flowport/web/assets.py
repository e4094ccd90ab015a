"""The console's own stylesheet and scripts (nothing from a CDN: the console works air-gapped)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from flowport.web.console import PREFIX, STATIC_PREFIX, ConsoleRoute
from flowport.web.diagram import STYLESHEET

STATIC_DIR = Path(__file__).parent / "static"

router = APIRouter(prefix=PREFIX, route_class=ConsoleRoute, include_in_schema=False)


@router.get("/diagram.css")
def diagram_css() -> Response:
    """The diagrams' styles, from the renderer itself: an inlined SVG carries no ``<style>``."""
    return Response(STYLESHEET, media_type="text/css", headers={"Cache-Control": "public, max-age=3600"})


def install(app: FastAPI) -> None:
    """Serve ``/console/static``; installed before the routers, so the console's catch-all 404 page
    (the last console route) does not shadow it."""
    app.mount(STATIC_PREFIX.rstrip("/"), StaticFiles(directory=STATIC_DIR), name="console-static")

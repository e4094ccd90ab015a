"""The console's Definitions pages: the deployed processes, uploading BPMN files, one definition.

Each page checks the permission the native API's route for the same operation declares
(``definitions:read``, ``:deploy``, ``:delete``). An upload deploys each file on its own (one
transaction each, so a file is deployed whole or not at all) and reports every file's outcome:
one bad file never stops the others.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from flowport.errors import FlowportError, PayloadTooLarge, Unauthenticated
from flowport.services import definitions
from flowport.services.views import DefinitionView
from flowport.web.console import (
    PREFIX,
    ChangerDep,
    ConsoleRoute,
    Flash,
    Viewer,
    ViewerDep,
    describe,
    next_page,
    redirect,
    render,
)
from flowport.web.diagram import DiagramError, render_svg

router = APIRouter(prefix=f"{PREFIX}/definitions", route_class=ConsoleRoute, include_in_schema=False)

PAGE_SIZE = 50
FILE_FIELD = "files"
MAX_FILES = 100  # one upload; each file is its own deployment
_FILENAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Row:
    """A line of the list: a process's newest version and how many versions it has."""

    latest: DefinitionView
    versions: int


@dataclass(frozen=True)
class Outcome:
    """What became of one uploaded file: its deployed processes, or the reason it was refused."""

    filename: str
    deployed: list[definitions.Deployed]
    error: str | None = None


@router.get("")
def list_page(
    request: Request,
    looking: ViewerDep,
    q: Annotated[str, Query(max_length=200)] = "",
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> HTMLResponse:
    """The deployed processes (newest version of each), filtered by a part of the key or name."""
    return _list(request, looking, q.strip(), cursor or None)


@router.post("")
async def upload(request: Request, looking: ChangerDep) -> HTMLResponse:
    """Deploy each uploaded BPMN file on its own and show every file's outcome."""
    form = await request.form()  # the same form the CSRF check read
    try:
        looking.require("definitions:deploy")
        files = [f for f in form.getlist(FILE_FIELD) if isinstance(f, UploadFile) and (f.filename or f.size)]
        if not files:
            message = "Choose at least one BPMN file."
            return await run_in_threadpool(
                _list, request, looking, "", None, status=400, upload_error=message
            )
        if len(files) > MAX_FILES:
            message = f"Upload at most {MAX_FILES} files at once ({len(files)} were sent)."
            return await run_in_threadpool(
                _list, request, looking, "", None, status=400, upload_error=message
            )
        outcomes = [await _deploy_one(looking, upload) for upload in files]
    finally:
        await form.close()  # the uploads' temporary files
    return await run_in_threadpool(_list, request, looking, "", None, outcomes=outcomes)


async def _deploy_one(looking: Viewer, upload: UploadFile) -> Outcome:
    name = upload.filename or "(unnamed file)"
    limit = looking.services.settings.max_bpmn_bytes
    xml = await upload.read(limit + 1)
    try:
        if len(xml) > limit:
            raise PayloadTooLarge(f"The file is larger than the limit of {limit} bytes")
        deployed = await run_in_threadpool(definitions.deploy, looking.services, looking.actor, xml)
    except Unauthenticated:
        raise
    except FlowportError as exc:
        return Outcome(name, [], describe(exc))
    return Outcome(name, deployed)


def _list(
    request: Request,
    looking: Viewer,
    text: str,
    cursor: str | None,
    *,
    status: int = 200,
    outcomes: list[Outcome] | None = None,
    upload_error: str | None = None,
) -> HTMLResponse:
    looking.require("definitions:read")
    services, actor = looking.services, looking.actor
    page = definitions.list_definitions(services, actor, None, True, cursor, PAGE_SIZE, text=text or None)
    counts = definitions.version_counts(services, actor, [d.key for d in page.items])
    rows = [Row(d, counts.get(d.key, 1)) for d in page.items]
    next_url = next_page(f"{PREFIX}/definitions", page.next_cursor, q=text)
    settings = services.settings
    return render(
        request,
        looking,
        "definitions.html",
        title="Definitions",
        status=status,
        rows=rows,
        q=text,
        next_url=next_url,
        outcomes=outcomes,
        upload_error=upload_error,
        max_bpmn_bytes=settings.max_bpmn_bytes,
        max_body_bytes=settings.max_body_bytes,
        file_field=FILE_FIELD,
    )


@router.get("/{definition_id}")
def definition_page(
    request: Request,
    looking: ViewerDep,
    definition_id: str,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> HTMLResponse:
    """A definition's facts, its diagram (SVG drawn by the server), its versions and its XML."""
    looking.require("definitions:read")
    services, actor = looking.services, looking.actor
    definition = definitions.get(services, actor, definition_id)
    xml = definitions.get_xml(services, actor, definition_id)
    svg, diagram_error = None, None
    try:
        svg = render_svg(
            xml,
            max_bytes=services.settings.max_bpmn_bytes,
            embed_style=False,
            label=f"Diagram of {definition.name or definition.key}",
        )
    except DiagramError as exc:
        diagram_error = describe(exc)
    versions = definitions.list_definitions(services, actor, definition.key, False, cursor, PAGE_SIZE)
    next_url = next_page(f"{PREFIX}/definitions/{definition.id}", versions.next_cursor)
    return render(
        request,
        looking,
        "definition.html",
        title=definition.name or definition.key,
        definition=definition,
        svg=svg,
        diagram_error=diagram_error,
        versions=versions.items,
        next_url=next_url,
        xml_text=xml.decode("utf-8", errors="replace"),
    )


@router.get("/{definition_id}/xml")
def definition_xml(looking: ViewerDep, definition_id: str) -> Response:
    """The BPMN document as deployed, as a download."""
    looking.require("definitions:read")
    definition = definitions.get(looking.services, looking.actor, definition_id)
    xml = definitions.get_xml(looking.services, looking.actor, definition_id)
    filename = _FILENAME_UNSAFE.sub("_", definition.key)[:100] or "definition"
    return Response(
        xml,
        media_type="application/xml",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}-v{definition.version}.bpmn"',
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.post("/{definition_id}/delete")
async def delete(request: Request, looking: ChangerDep, definition_id: str) -> RedirectResponse:
    """Delete a definition; with ``cascade`` its running instances too (a separate, confirmed choice)."""
    looking.require("definitions:delete")
    form = await request.form()
    cascade = form.get("cascade") == "true"
    services, actor = looking.services, looking.actor
    definition = await run_in_threadpool(definitions.get, services, actor, definition_id)  # or 404
    try:
        await run_in_threadpool(definitions.delete, services, actor, definition_id, cascade)
    except Unauthenticated:
        raise
    except FlowportError as exc:
        back = f"{PREFIX}/definitions/{quote(definition.id, safe='')}"
        return redirect(back, Flash("error", describe(exc)))
    done = f"Deleted version {definition.version} of {definition.key}"
    done += " and its instances." if cascade else "."
    return redirect(f"{PREFIX}/definitions", Flash("success", done))

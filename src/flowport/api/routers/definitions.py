"""Process definitions: deploy, list, get, XML, delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from flowport.api import media_types
from flowport.api.deps import UseCaseContext, require
from flowport.api.native import NativeRoute
from flowport.api.schemas import DefinitionOut, DeploymentOut, PageOut
from flowport.errors import InvalidRequest
from flowport.services import definitions

router = APIRouter(
    prefix="/api/v1/process-definitions", tags=["process definitions"], route_class=NativeRoute
)

Reader = Annotated[UseCaseContext, Depends(require("definitions:read"))]
Deployer = Annotated[UseCaseContext, Depends(require("definitions:deploy"))]
Deleter = Annotated[UseCaseContext, Depends(require("definitions:delete"))]
_RAW_MEDIA = frozenset({"application/octet-stream", "text/plain"})  # what upload tools send for a file

_DEPLOY_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/xml": {"schema": {"type": "string"}},
            "multipart/form-data": {
                "schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
            },
        },
    }
}


@router.post("", status_code=201, response_model=DeploymentOut, openapi_extra=_DEPLOY_BODY)
async def deploy(request: Request, response: Response, use: Deployer) -> DeploymentOut:
    """Deploy a BPMN 2.0 file (raw XML body or multipart field `file`); each process gets a version."""
    xml = await _bpmn_bytes(request)
    deployed = await run_in_threadpool(definitions.deploy, use.services, use.actor, xml)
    if deployed:
        response.headers["Location"] = f"/api/v1/process-definitions/{deployed[0].definition.id}"
    if not any(d.created for d in deployed):
        response.status_code = 200
    return DeploymentOut(
        definitions=[DefinitionOut.model_validate(d.definition) for d in deployed],
        created=[d.created for d in deployed],
    )


async def _bpmn_bytes(request: Request) -> bytes:
    # The media type itself, not a substring of the header ("application/json; x=xml" is not XML);
    # the XML parser reads the document's own encoding declaration.
    declared = media_types.parse(request.headers.get("content-type"))
    if declared.media == "multipart/form-data":
        async with request.form() as form:  # closes the uploads' temporary files
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise InvalidRequest("Send the BPMN file in the multipart field 'file'")
            return await upload.read()
    if declared.media and not declared.is_xml and declared.media not in _RAW_MEDIA:
        raise InvalidRequest(f"Send BPMN as application/xml or multipart/form-data, not {declared.media}")
    return await request.body()


@router.get("", response_model=PageOut[DefinitionOut])
def list_definitions(
    use: Reader,
    key: str | None = None,
    latest: bool = Query(default=False, description="Only the newest version of each key"),
    limit: int = Query(default=50, ge=1, le=1000),
    cursor: str | None = None,
) -> PageOut[DefinitionOut]:
    page = definitions.list_definitions(use.services, use.actor, key, latest, cursor, limit)
    return PageOut[DefinitionOut].model_validate(page)


@router.get("/{definition_id}", response_model=DefinitionOut)
def get_definition(definition_id: str, use: Reader) -> DefinitionOut:
    return DefinitionOut.model_validate(definitions.get(use.services, use.actor, definition_id))


@router.get(
    "/{definition_id}/xml", response_class=Response, responses={200: {"content": {"application/xml": {}}}}
)
def get_definition_xml(definition_id: str, use: Reader) -> Response:
    return Response(definitions.get_xml(use.services, use.actor, definition_id), media_type="application/xml")


@router.delete("/{definition_id}", status_code=204, response_class=Response)
def delete_definition(definition_id: str, use: Deleter, cascade: bool = False) -> Response:
    """Delete a definition; refused (409) while instances run unless `cascade=true`."""
    definitions.delete(use.services, use.actor, definition_id, cascade)
    return Response(status_code=204)

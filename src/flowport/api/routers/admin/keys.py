"""Admin API: the token-signing keys (``/api/v1/admin/keys``): list and rotate."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from flowport.api.deps import UseCaseContext, require
from flowport.api.native import NativeRoute
from flowport.api.schemas import PageOut
from flowport.api.schemas_admin import SigningKeyOut
from flowport.services import keys

router = APIRouter(prefix="/api/v1/admin", tags=["administration"], route_class=NativeRoute)

KeyAdmin = Annotated[UseCaseContext, Depends(require("admin:keys"))]


@router.get("/keys", response_model=PageOut[SigningKeyOut])
def list_signing_keys(use: KeyAdmin) -> PageOut[SigningKeyOut]:
    """Every token-signing key, newest first: which one signs, which are still published."""
    return PageOut[SigningKeyOut](
        items=[SigningKeyOut.model_validate(k) for k in keys.list_keys(use.services)]
    )


@router.post("/keys/rotate", status_code=201, response_model=SigningKeyOut)
def rotate_signing_key(use: KeyAdmin) -> SigningKeyOut:
    """Publish a new signing key and sign with it from now on (as `flowport keys rotate`).

    The previous key stays in the JWKS until every token it signed has expired.
    """
    return SigningKeyOut.model_validate(keys.rotate(use.services, use.actor))

"""Input rules of the SAP facade that the schemas alone cannot state: no NUL characters anywhere.

PostgreSQL text columns cannot hold NUL (U+0000): an id, business key or filter containing one
would fail in the driver (a 500) instead of being refused. The facade refuses it up front, in
SAP's error shape, for path and query values (``refuse_nul``, a router dependency) and for the
strings of request bodies (:data:`Text`). Context values are JSON documents and may contain it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.params import Depends as DependsParam
from pydantic import AfterValidator

from flowport.errors import InvalidRequest

_NUL = "\x00"


def _without_nul(value: str) -> str:
    if _NUL in value:
        raise ValueError("must not contain NUL characters")
    return value


Text = Annotated[str, AfterValidator(_without_nul)]


async def refuse_nul(request: Request) -> None:
    """Refuse a request whose path or query values contain a NUL character."""
    values = [*request.path_params.values(), *(v for _, v in request.query_params.multi_items())]
    if any(_NUL in str(value) for value in values) or _NUL in request.url.path:
        raise InvalidRequest("Path and query values must not contain NUL characters")


GUARDS: list[DependsParam] = [Depends(refuse_nul)]  # every SAP router's dependencies

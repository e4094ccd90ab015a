"""SAP's paging parameters (``$top``, ``$skip``, ``$inlinecount``) and the ``X-Total-Count`` header."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Depends, Query, Response

from flowport.services.counted import MAX_SKIP, MAX_TOP, Counted, OffsetPage

TOTAL_HEADER = "X-Total-Count"


def offset_page(
    top: Annotated[int, Query(alias="$top", ge=1, le=MAX_TOP, description="Records to return")] = 100,
    skip: Annotated[int, Query(alias="$skip", ge=0, le=MAX_SKIP, description="Records to skip")] = 0,
    inlinecount: Annotated[
        Literal["allpages", "none"],
        Query(alias="$inlinecount", description="`allpages` sets the X-Total-Count header"),
    ] = "none",
) -> OffsetPage:
    return OffsetPage(skip=skip, top=top, with_total=inlinecount == "allpages")


Paging = Annotated[OffsetPage, Depends(offset_page)]


def set_total(response: Response, counted: Counted[Any]) -> None:
    """Announce the total count of matches when the caller asked for it (``$inlinecount=allpages``)."""
    if counted.total is not None:
        response.headers[TOTAL_HEADER] = str(counted.total)

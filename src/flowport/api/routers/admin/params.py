"""Query parameters the admin resources share: page size and the environment filter."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

Limit = Annotated[int, Query(ge=1, le=1000)]
EnvFilter = Annotated[str | None, Query(alias="environment", description="default: every environment")]

"""Partial updates (PATCH): which fields a change may clear."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flowport.errors import InvalidRequest


def no_nulls(changes: Mapping[str, Any], nullable: set[str]) -> None:
    """A partial update may clear only the fields that can be empty."""
    nulls = sorted(k for k, v in changes.items() if v is None and k not in nullable)
    if nulls:
        raise InvalidRequest(f"These fields cannot be null: {', '.join(nulls)}")

"""Keyset (cursor) paging: stays fast at millions of rows, unlike OFFSET."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_

from flowport.errors import InvalidRequest


def encode_cursor(at: datetime, row_id: str) -> str:
    raw = json.dumps([at.isoformat(), row_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        at, row_id = json.loads(base64.urlsafe_b64decode(padded))
        return datetime.fromisoformat(at), str(row_id)
    except (ValueError, TypeError) as exc:
        raise InvalidRequest("The cursor is not valid; use nextCursor from a previous page") from exc


def page(
    query: Select[Any], at_col: ColumnElement[Any], id_col: ColumnElement[Any], cursor: str | None, limit: int
) -> Select[Any]:
    """Newest first, ``limit + 1`` rows so the caller knows whether another page exists."""
    if cursor:
        at, row_id = decode_cursor(cursor)
        query = query.where(or_(at_col < at, and_(at_col == at, id_col < row_id)))
    return query.order_by(at_col.desc(), id_col.desc()).limit(limit + 1)

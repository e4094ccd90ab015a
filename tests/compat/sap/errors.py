"""What an SAP Workflow client reads from a failed call."""

from __future__ import annotations

from typing import Any

INSUFFICIENT = "User does not have sufficient privileges."


def sap_error(response: Any, status: int) -> str:
    """Assert SAP's error shape (``{"error": {"message": ..., "code": ...}}``); return the message."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["code"], str)
    message: str = body["error"]["message"]
    return message

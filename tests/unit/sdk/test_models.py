"""Models: camelCase JSON to frozen snake_case dataclasses, tolerant of what the server adds later."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from flowport.client import Instance, IssuedClient
from tests.unit.sdk.fake_server import instance_json


def test_fields_are_snake_case_with_datetimes_and_tuples() -> None:
    instance = Instance.from_json(instance_json())
    assert instance.definition_key == "approval"
    assert instance.started_at == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert instance.active_element_ids == ("review",)
    assert instance.variables == {"amount": 250}
    with pytest.raises(dataclasses.FrozenInstanceError):
        instance.status = "CANCELED"  # type: ignore[misc]


def test_unknown_fields_are_kept_in_raw_and_missing_ones_are_none() -> None:
    data = instance_json(priority="HIGH")
    del data["startedBy"]
    instance = Instance.from_json(data)
    assert instance.started_by is None
    assert instance.raw["priority"] == "HIGH"
    assert "raw" not in repr(instance)


def test_a_new_clients_secret_is_not_in_its_repr() -> None:
    issued = IssuedClient.from_json(
        {
            "clientId": "billing",
            "name": "Billing",
            "environment": "default",
            "permissions": [],
            "audiences": [],
            "tokenLifetime": 3600,
            "refreshTokens": False,
            "visibility": "shared",
            "enabled": True,
            "source": "api",
            "createdAt": "2026-01-02T03:04:05Z",
            "hasJwks": False,
            "clientSecret": "shown-once",
        }
    )
    assert issued.client_secret == "shown-once"
    assert "shown-once" not in repr(issued)

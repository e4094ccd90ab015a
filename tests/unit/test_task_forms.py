"""Camunda form fields read from a user task, and the typed values of a submitted form."""

from __future__ import annotations

from typing import Any

import pytest

from flowport.engine.definitions import parse_deployment
from flowport.engine.model import FormField
from flowport.errors import InvalidRequest
from flowport.services.task_forms import default_of, values_of
from tests.helpers import bpmn


def fields() -> tuple[FormField, ...]:
    (process,) = parse_deployment(bpmn("user_task_form.bpmn"), 1_000_000)
    return process.elements["review"].form_fields


def test_the_fields_are_read_with_types_defaults_constraints_and_enum_values() -> None:
    by_id = {f.id: f for f in fields()}
    assert list(by_id) == ["note", "amount", "rate", "urgent", "payOn", "channel"]
    assert by_id["amount"].type == "long" and by_id["amount"].required
    assert by_id["amount"].constraints == (("min", "0"),)
    assert by_id["note"].default == "Looks fine" and by_id["note"].constraints == (("maxlength", "200"),)
    assert by_id["channel"].options == (("bank", "Bank transfer"), ("cash", "Cash"))
    assert [default_of(f) for f in fields()] == ["Looks fine", None, 1.0, False, None, "bank"]


def test_submitted_text_becomes_typed_json_values() -> None:
    submitted = {"amount": "42", "rate": "2.5", "urgent": "true", "payOn": "31/01/2030", "channel": "cash"}
    assert values_of(fields(), submitted) == {
        "note": None,
        "amount": 42,
        "rate": 2.5,
        "urgent": True,
        "payOn": "2030-01-31",
        "channel": "cash",
    }
    assert values_of(fields(), {"amount": "0"})["urgent"] is False  # an unchecked box is absent


@pytest.mark.parametrize(
    ("submitted", "message"),
    [
        ({"amount": "abc"}, "Approved amount: must be a whole number, not 'abc'"),
        ({"amount": "1.5"}, "must be a whole number"),
        ({}, "Approved amount: is required"),
        ({"amount": "-1"}, "Approved amount: must be at least 0"),
        ({"amount": "1", "rate": "nan"}, "Exchange rate: must be a finite number"),
        ({"amount": "1", "payOn": "tomorrow"}, "Pay on: must be a date"),
        ({"amount": "1", "channel": "gold"}, "Payment channel: must be one of bank, cash, not 'gold'"),
        ({"amount": "1", "note": "x" * 201}, "Note to the claimant: must be at most 200 characters"),
    ],
)
def test_wrong_values_are_named(submitted: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidRequest) as raised:
        values_of(fields(), submitted)
    assert message in raised.value.detail

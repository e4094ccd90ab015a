"""A user task's form: its Camunda form fields, typed values from what a person typed, completion.

A user task may declare ``camunda:formData`` fields (read at deployment by
:func:`flowport.engine.task_facts.declared_form_fields`). A form sends text; these fields say what
JSON type each value becomes: ``long`` a whole number, ``double`` a number, ``boolean`` true or
false, ``date`` an ISO date string (``YYYY-MM-DD``), ``enum`` one of its values' ids, anything else
a string. Required fields and the ``min``/``max``/``minlength``/``maxlength`` constraints are checked
here, so a request that skips the browser's checks is refused the same way (nothing is completed).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flowport.engine.model import ElementInfo, FormField
from flowport.errors import InvalidRequest, NotFound
from flowport.persistence.db import read_transaction
from flowport.persistence.repositories import definitions as definition_repo
from flowport.persistence.repositories import tasks as task_repo
from flowport.services import tasks
from flowport.services.context import Actor, Services
from flowport.services.views import TaskDetail, TaskView

_WHOLE = re.compile(r"[+-]?\d+")
_LONG_MIN, _LONG_MAX = -(2**63), 2**63 - 1  # Camunda's long is a Java long
_TRUE = frozenset({"true", "on", "1", "yes"})
_FALSE = frozenset({"false", "off", "0", "no", ""})


@dataclass(frozen=True)
class TaskForm:
    """A visible task with its process, its instance's variables and its form fields (maybe none)."""

    detail: TaskDetail
    fields: tuple[FormField, ...]
    variables: dict[str, Any]

    @property
    def task(self) -> TaskView:
        return self.detail.task


def form(services: Services, actor: Actor, task_id: str) -> TaskForm:
    """The task ``task_id`` as a person completing it sees it; NotFound when it is not visible."""
    with read_transaction(services.db) as conn:
        row = task_repo.get_task(conn, actor.scope, task_id)
        if row is None:
            raise NotFound(f"Task {task_id} does not exist")
        facts = task_repo.process_facts(conn, actor.env, [row.instance_id]).get(row.instance_id)
        values = task_repo.instance_variables(conn, actor.env, [row.instance_id]).get(row.instance_id, {})
        definition = definition_repo.get(conn, row.env, facts.definition_id) if facts else None
    raw = (definition.elements if definition is not None else {}).get(row.element_id)
    fields = ElementInfo.from_dict(raw).form_fields if raw else ()
    task = TaskView.of_row(row)
    detail = TaskDetail(
        task=task,
        definition_id=facts.definition_id if facts else None,
        definition_key=task.definition_key,
        process_name=facts.name if facts else None,
    )
    return TaskForm(detail, fields, dict(values))


def complete(
    services: Services,
    actor: Actor,
    task_id: str,
    submitted: Mapping[str, str],
    variables: Mapping[str, Any] | None = None,
    *,
    assignee_only: bool = True,
) -> TaskView:
    """Complete the task with its form's typed values on top of ``variables``; bad input changes nothing.

    ``submitted`` maps a field's id to the text sent for it (a checkbox left unchecked is absent).
    ``assignee_only``: as :func:`flowport.services.tasks.complete` (a person claims a task first).
    """
    fields = form(services, actor, task_id).fields
    values = {**dict(variables or {}), **values_of(fields, submitted)}
    return tasks.complete(services, actor, task_id, values, assignee_only=assignee_only)


def values_of(fields: tuple[FormField, ...], submitted: Mapping[str, str]) -> dict[str, Any]:
    """The typed variables of a submitted form; every wrong value is named in one InvalidRequest."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    for field in fields:
        text = (field.default or "") if field.readonly else submitted.get(field.id)
        try:
            values[field.id] = _value(field, text)
        except ValueError as exc:
            problems.append(f"{field.label or field.id}: {exc}")
    if problems:
        raise InvalidRequest("The form has wrong values: " + "; ".join(problems), fields=problems)
    return values


def default_of(field: FormField) -> Any:
    """The field's declared default as its typed value (None when it has none or it does not fit)."""
    if field.default is None:
        return False if field.type == "boolean" else None
    try:
        return _typed(field, field.default.strip())
    except ValueError:
        return None


def _value(field: FormField, text: str | None) -> Any:
    if field.type == "boolean":
        value = _typed(field, (text or "").strip())
        if field.required and value is not True:
            raise ValueError("must be checked")
        return value
    if text is None or not text.strip():
        if field.required:
            raise ValueError("is required")
        return None
    value = _typed(field, text if field.type not in _TYPED else text.strip())
    _check_constraints(field, value)
    return value


_TYPED = frozenset({"long", "double", "boolean", "date", "enum"})


def _typed(field: FormField, text: str) -> Any:
    kind = field.type
    if kind == "long":
        if not _WHOLE.fullmatch(text) or not _LONG_MIN <= int(text) <= _LONG_MAX:
            raise ValueError(f"must be a whole number, not '{text}'")
        return int(text)
    if kind == "double":
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"must be a number, not '{text}'") from None
        if not math.isfinite(number):
            raise ValueError(f"must be a finite number, not '{text}'")
        return number
    if kind == "boolean":
        lowered = text.lower()
        if lowered not in _TRUE | _FALSE:
            raise ValueError(f"must be true or false, not '{text}'")
        return lowered in _TRUE
    if kind == "date":
        return _date(text).isoformat()
    if kind == "enum":
        ids = [option for option, _ in field.options]
        if text not in ids:
            raise ValueError(f"must be one of {', '.join(ids)}, not '{text}'")
        return text
    return text


def _date(text: str) -> date:
    """An ISO date (what a browser's date input sends) or Camunda's ``dd/MM/yyyy``."""
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"must be a date (YYYY-MM-DD), not '{text}'")


def constraint(field: FormField, name: str) -> str | None:
    """The value of one of the field's constraints (``min``, ``maxlength``, ...), if declared."""
    return next((value for key, value in field.constraints if key == name), None)


def _check_constraints(field: FormField, value: Any) -> None:
    if isinstance(value, str) and field.type not in _TYPED:
        low, high = _number(constraint(field, "minlength")), _number(constraint(field, "maxlength"))
        if low is not None and len(value) < low:
            raise ValueError(f"must be at least {low:g} characters long")
        if high is not None and len(value) > high:
            raise ValueError(f"must be at most {high:g} characters long")
    if isinstance(value, int | float) and not isinstance(value, bool):
        low, high = _number(constraint(field, "min")), _number(constraint(field, "max"))
        if low is not None and value < low:
            raise ValueError(f"must be at least {low:g}")
        if high is not None and value > high:
            raise ValueError(f"must be at most {high:g}")


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None  # a constraint that is not a number (an expression) is not checked here

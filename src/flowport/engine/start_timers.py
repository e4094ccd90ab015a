"""When timer start events start new instances (BPMN 2.0 section 10.5.2; timers: section 10.5.4).

A timer start event belongs to its definition, not to an instance: deploying schedules its starts
and the scheduler creates one new instance at each. The expression is the start trigger's name,
``<kind>:<ISO 8601 text>`` with kind ``timeDate``, ``timeDuration`` or ``timeCycle`` (cycles:
``R<n>/<duration>``, ``R/<duration>`` without end, ``R<n>/<start>/<duration>``).

Missed starts (the server was down, or the scheduler ran late) are coalesced: a start that is
overdue fires once, and the cycle then goes on at its first repetition still in the future, on its
original grid. A bounded cycle still creates exactly ``n`` instances; there is no burst of catch-up
starts after an outage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

KINDS = ("timeDate", "timeDuration", "timeCycle")
_CYCLE = re.compile(r"^R(\d*)/([^/]+)(?:/([^/]+))?$", re.I)
_MAX_CATCH_UP_STEPS = 100_000


@dataclass(frozen=True)
class StartSchedule:
    """The next start of a timer start event and how many starts remain, that one included.

    ``remaining`` is None for a cycle without end (``R/<duration>``).
    """

    due_at: datetime
    remaining: int | None


@dataclass(frozen=True)
class _Timer:
    kind: str
    at: datetime | None  # a timeDate, or the first repetition of a cycle with a start
    period: dict[str, float] | None  # ISO duration parts: a timeDuration, or a cycle's interval
    repetitions: int | None  # cycles only; None: no end


def check_start_timer(expression: str) -> None:
    """Raise ValueError (with a message for the deployer) if a timer start expression is unusable."""
    _parse(expression)


def first_start(expression: str, now: datetime) -> StartSchedule | None:
    """The first start after deploying at ``now`` (None: a cycle of zero repetitions)."""
    timer = _parse(expression)
    if timer.kind == "timeDate":
        assert timer.at is not None
        return StartSchedule(timer.at, 1)
    assert timer.period is not None
    if timer.kind == "timeDuration":
        return StartSchedule(_add(timer.period, now), 1)
    if timer.repetitions == 0:
        return None
    return StartSchedule(timer.at or _add(timer.period, now), timer.repetitions)


def next_start(expression: str, fired: StartSchedule, now: datetime) -> StartSchedule | None:
    """The start that follows ``fired`` (None: the timer is spent).

    Repetitions whose moment already passed are skipped without being counted (see the module
    docstring), so the next start is always after ``now``.
    """
    timer = _parse(expression)
    if timer.kind != "timeCycle" or (fired.remaining is not None and fired.remaining <= 1):
        return None
    assert timer.period is not None
    due = _add(timer.period, fired.due_at)
    if due <= now and not (timer.period.get("years") or timer.period.get("months")):
        step = due - fired.due_at  # a fixed length: jump over the missed repetitions at once
        due += step * ((now - due) // step + 1)
    for _ in range(_MAX_CATCH_UP_STEPS):
        if due > now:
            break
        due = _add(timer.period, due)
    remaining = None if fired.remaining is None else fired.remaining - 1
    return StartSchedule(due, remaining)


def _parse(expression: str) -> _Timer:
    kind, _, text = expression.partition(":")
    text = text.strip()
    if kind not in KINDS:
        raise ValueError(f"unknown timer definition '{kind}'")
    if text.startswith("${") or text.startswith("#{"):
        raise ValueError(
            "a timer start event needs an ISO 8601 date, duration or cycle; an expression has no "
            "instance variables to read before the instance exists"
        )
    if kind == "timeDate":
        return _Timer(kind, _date(text), None, None)
    if kind == "timeDuration":
        return _Timer(kind, None, _duration(text), None)
    match = _CYCLE.match(text)
    if match is None:
        raise ValueError(
            f"'{text}' is not a supported cycle: use R<n>/<duration>, R/<duration> or "
            "R<n>/<start>/<duration> (ISO 8601 repeating intervals; cron cycles are not supported)"
        )
    repetitions = int(match[1]) if match[1] else None
    if match[3] is None:
        return _Timer(kind, None, _duration(match[2]), repetitions)
    return _Timer(kind, _date(match[2]), _duration(match[3]), repetitions)


def _date(text: str) -> datetime:
    try:
        value = TimerEventDefinition.parse_time_or_duration(text)
    except Exception as exc:  # SpiffWorkflow raises bare Exception and ValueError alike
        raise ValueError(f"'{text}' is not an ISO 8601 date and time") from exc
    if not isinstance(value, datetime):
        raise ValueError(f"'{text}' is a duration where a date and time is expected")
    return value


def _duration(text: str) -> dict[str, float]:
    try:
        value = TimerEventDefinition.parse_time_or_duration(text)
    except Exception as exc:
        raise ValueError(f"'{text}' is not an ISO 8601 duration") from exc
    if not isinstance(value, dict):
        raise ValueError(f"'{text}' is a date where a duration is expected")
    if not any(value.values()):
        raise ValueError(f"the duration '{text}' is zero")
    return value


def _add(period: dict[str, float], start: datetime) -> datetime:
    # Years and months have no fixed length: SpiffWorkflow counts them from the start date.
    delta: timedelta = TimerEventDefinition.get_timedelta_from_start(dict(period), start)
    return start + delta

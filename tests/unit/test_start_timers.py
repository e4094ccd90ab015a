"""Planning the starts of timer start events (BPMN 2.0 section 10.5.2), including missed repetitions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from flowport.engine.start_timers import StartSchedule, check_start_timer, first_start, next_start

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def test_date_and_duration_start_once() -> None:
    assert first_start("timeDate:2031-02-03T04:05:06Z", NOW) == StartSchedule(
        datetime(2031, 2, 3, 4, 5, 6, tzinfo=UTC), 1
    )
    fired = first_start("timeDuration:PT90S", NOW)
    assert fired == StartSchedule(NOW + timedelta(seconds=90), 1)
    assert next_start("timeDuration:PT90S", fired, NOW + timedelta(seconds=90)) is None


def test_a_bounded_cycle_starts_n_times() -> None:
    expression = "timeCycle:R3/PT10M"
    planned = first_start(expression, NOW)
    dues = []
    while planned is not None:
        dues.append(planned.due_at)
        planned = next_start(expression, planned, planned.due_at)
    assert dues == [NOW + timedelta(minutes=10 * k) for k in (1, 2, 3)]


def test_a_cycle_without_end_never_runs_out() -> None:
    planned = first_start("timeCycle:R/PT1H", NOW)
    assert planned == StartSchedule(NOW + timedelta(hours=1), None)
    following = next_start("timeCycle:R/PT1H", planned, planned.due_at)
    assert following == StartSchedule(NOW + timedelta(hours=2), None)


def test_a_cycle_with_a_start_date_counts_months_from_it() -> None:
    expression = "timeCycle:R2/2030-01-31T00:00:00Z/P1M"
    planned = first_start(expression, NOW - timedelta(days=30))
    assert planned == StartSchedule(datetime(2030, 1, 31, tzinfo=UTC), 2)
    following = next_start(expression, planned, planned.due_at)
    assert following == StartSchedule(datetime(2030, 3, 3, tzinfo=UTC), 1)  # January has 31 days


def test_missed_repetitions_are_coalesced_and_not_counted() -> None:
    fired = StartSchedule(NOW, 5)
    # Down for 35 minutes: one start fires late, the next is the first repetition still ahead.
    following = next_start("timeCycle:R5/PT10M", fired, NOW + timedelta(minutes=35))
    assert following == StartSchedule(NOW + timedelta(minutes=40), 4)
    monthly = next_start("timeCycle:R/P1M", StartSchedule(NOW, None), NOW + timedelta(days=70))
    assert monthly == StartSchedule(datetime(2030, 4, 1, 12, 0, tzinfo=UTC), None)


def test_a_cycle_of_zero_repetitions_starts_nothing() -> None:
    assert first_start("timeCycle:R0/PT1M", NOW) is None


@pytest.mark.parametrize(
    "expression",
    [
        "timeDuration:${delay}",
        "timeCycle:0 0 9 * * ?",
        "timeCycle:R/PT0S",
        "timeDate:PT1H",
        "timeDuration:2030-01-01T00:00:00Z",
        "timeDate:tomorrow",
    ],
)
def test_expressions_the_scheduler_cannot_plan_are_refused(expression: str) -> None:
    with pytest.raises(ValueError):
        check_start_timer(expression)

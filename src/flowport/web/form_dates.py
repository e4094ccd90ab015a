"""Days typed in a console filter form, as the half-open UTC range the services search."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flowport.errors import InvalidRequest


def day_range(first: str, last: str) -> tuple[datetime | None, datetime | None]:
    """``first`` and ``last`` (``YYYY-MM-DD``, either may be empty) as ``[first 00:00, last+1 00:00)`` UTC.

    Both days are included, as a person reading "from 1 May to 3 May" means; a bad day or a range
    that ends before it starts is an :class:`InvalidRequest` naming it.
    """
    first_day, last_day = _day(first, "from"), _day(last, "to")
    if first_day and last_day and last_day < first_day:
        raise InvalidRequest("The range ends before it starts; the 'to' day must not precede 'from'")
    start = datetime.combine(first_day, time(), UTC) if first_day else None
    end = datetime.combine(last_day + timedelta(days=1), time(), UTC) if last_day else None
    return start, end


def _day(text: str, name: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidRequest(f"The {name} date '{text}' is not a date (use YYYY-MM-DD)") from None

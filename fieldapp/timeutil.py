"""Time helpers. Instants are stored in UTC; periods are calendar days in Europe/Amsterdam."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def local_date(value: datetime) -> date:
    return as_utc(value).astimezone(AMSTERDAM).date()


EPOCH = date(1970, 1, 1)


def day_number(day: date) -> int:
    """Days since 1970-01-01."""
    return (day - EPOCH).days


def amsterdam_day(value: datetime) -> int:
    """The moment's Amsterdam calendar day as a number (day_number). The follow-up desk stores its
    moments so, and sqlfuncs.amsterdam_day is the same in SQL."""
    return day_number(local_date(value))


def amsterdam_day_of_stored(value: str | None) -> int | None:
    """amsterdam_day of a UTC moment as SQLite stores it ('2026-03-09 10:00:00.000000'): the
    function SQLite calls for sqlfuncs.amsterdam_day, having no time zones of its own."""
    return None if value is None else amsterdam_day(datetime.fromisoformat(value))


def period_bounds(first: date | None, last: date | None) -> tuple[datetime | None, datetime | None]:
    """[start, end) in UTC for the Amsterdam calendar days first..last, both included."""
    start = datetime.combine(first, time.min, AMSTERDAM).astimezone(timezone.utc) if first else None
    end = (
        datetime.combine(last + timedelta(days=1), time.min, AMSTERDAM).astimezone(timezone.utc)
        if last
        else None
    )
    return start, end

"""Working days (DOMAIN.md, part two): Monday to Friday except the Netherlands' public holidays
as the maintained `holidays` library lists them, on Europe/Amsterdam calendar days.

The working days between a moment and a later one are the working days after the first
moment's calendar day, up to and including the second's: the same day gives 0, a Friday to the
next Monday 1.

A Calendar gives every day from FIRST_DAY on a count: the working days from FIRST_DAY up to and
including it. The working days between two days are the difference of their counts, so SQL
turns each day into its count once (a lookup, no walk over the days between) and subtracts. The
follow-up desk stores its days as numbers (timeutil.amsterdam_day); PostgreSQL reads a day's
count from an array of all counts passed as one parameter, SQLite (no arrays) from a calendar
table, temporary, per connection.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays
from sqlalchemy import Connection, Integer, column, table

from .timeutil import day_number, local_date

# No record lies before 2000 (records refuses an earlier occurred_at), so counting from here
# covers every referral.
FIRST_DAY = date(2000, 1, 1)


@lru_cache(maxsize=8)
def weekday_holidays(first_year: int, last_year: int) -> frozenset[date]:
    """The Dutch public holidays of these years that fall on a weekday."""
    listed = holidays.country_holidays("NL", years=range(first_year, last_year + 1))
    return frozenset(day for day in listed if day.weekday() < 5)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in weekday_holidays(day.year, day.year)


def working_days_between(start: datetime, end: datetime) -> int:
    """Working days after `start`'s Amsterdam day up to and including `end`'s (0 the same day)."""
    first, last = local_date(start), local_date(end)
    return sum(1 for offset in range(1, (last - first).days + 1) if is_working_day(first + timedelta(days=offset)))


FIRST_DAY_NUMBER = day_number(FIRST_DAY)


@dataclass(frozen=True)
class Calendar:
    """FIRST_DAY .. `last`: each day's working-day count."""

    last: date
    counts: tuple[int, ...]

    def count(self, day: date) -> int:
        return self.counts[(day - FIRST_DAY).days]


@lru_cache(maxsize=4)
def calendar(last_year: int) -> Calendar:
    """The calendar up to the end of `last_year` (built once a process: the holidays library
    takes about half a second the first time)."""
    off = weekday_holidays(FIRST_DAY.year, last_year)
    last = date(last_year, 12, 31)
    counts, count, day = [], 0, FIRST_DAY
    while day <= last:
        count += day.weekday() < 5 and day not in off
        counts.append(count)
        day += timedelta(days=1)
    return Calendar(last, tuple(counts))


def calendar_until(today: date) -> Calendar:
    """A calendar that covers every moment up to today (and the year after: an appointment)."""
    return calendar(today.year + 1)


# SQLite's calendar: a temporary table of the connection, made on first use. Its INTEGER
# PRIMARY KEY makes every lookup a rowid search, whatever the planner knows of the other tables
# (a calendar joined as a CTE was scanned once a row on a database never ANALYZEd).
SQLITE_CALENDAR = table("workday_calendar", column("day", Integer), column("day_count", Integer), schema="temp")


def ensure_sqlite_calendar(connection: Connection, cal: Calendar) -> None:
    """Fill this connection's calendar when it has none yet or ends before `cal` (a new year)."""
    last = connection.exec_driver_sql("SELECT max(day) FROM temp.workday_calendar").scalar() \
        if _has_calendar(connection) else None
    if last == day_number(cal.last):
        return
    connection.exec_driver_sql("DROP TABLE IF EXISTS temp.workday_calendar")
    connection.exec_driver_sql("CREATE TEMP TABLE workday_calendar (day INTEGER PRIMARY KEY, day_count INTEGER)")
    connection.exec_driver_sql("INSERT INTO temp.workday_calendar VALUES (?, ?)",
                               [(FIRST_DAY_NUMBER + i, count) for i, count in enumerate(cal.counts)])


def _has_calendar(connection: Connection) -> bool:
    return connection.exec_driver_sql(
        "SELECT count(*) FROM temp.sqlite_master WHERE name = 'workday_calendar'").scalar() > 0

"""Working days (DOMAIN.md, part two): Monday to Friday except the Netherlands' public holidays
as the maintained `holidays` library lists them, on Europe/Amsterdam calendar days.

The working days between a moment and a later one are the working days after the first
moment's calendar day, up to and including the second's: the same day gives 0, a Friday to the
next Monday 1.

A Calendar gives every day from FIRST_DAY on a count: the working days from FIRST_DAY up to and
including it. The working days between two days are the difference of their counts, so SQL
turns each moment into its day's count once (a lookup, no walk over the days between) and
subtracts:
- PostgreSQL converts the moment to its Amsterdam day itself and reads the count from an array
  of all counts, passed as one parameter;
- SQLite has no time zones and no arrays: it looks the moment's UTC day up in a calendar table
  (temporary, per connection), whose row carries the count of that day as an Amsterdam day and
  of the next one, and the second of the UTC day from which Amsterdam is already on the next day
  (22:00 UTC in summer time, 23:00 in winter, from zoneinfo).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache

import holidays
from sqlalchemy import Connection, Integer, column, table

from .timeutil import AMSTERDAM, local_date

# No record lies before 2000 (records refuses an earlier occurred_at), so counting from here
# covers every referral.
FIRST_DAY = date(2000, 1, 1)
SECONDS_A_DAY = 86_400
EPOCH = date(1970, 1, 1)


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


def day_number(day: date) -> int:
    """Days since 1970-01-01: SQLite's UTC day of a moment is its unixepoch() // 86400."""
    return (day - EPOCH).days


@dataclass(frozen=True)
class Calendar:
    """FIRST_DAY .. `last`: each day's working-day count and, for SQLite, the second of its UTC
    day from which Amsterdam is on the next day."""

    last: date
    counts: tuple[int, ...]
    next_day_from: tuple[int, ...]

    def count(self, day: date) -> int:
        return self.counts[(day - FIRST_DAY).days]


@lru_cache(maxsize=4)
def calendar(last_year: int) -> Calendar:
    """The calendar up to the end of `last_year` (built once a process: the holidays library
    takes about half a second the first time)."""
    off = weekday_holidays(FIRST_DAY.year, last_year)
    last = date(last_year, 12, 31)
    counts, seconds, count, day = [], [], 0, FIRST_DAY
    while day <= last + timedelta(days=1):  # one day beyond: SQLite's last UTC day looks at the next
        count += day.weekday() < 5 and day not in off
        counts.append(count)
        midnight = datetime.combine(day + timedelta(days=1), time.min, AMSTERDAM).astimezone(timezone.utc)
        seconds.append(int((midnight - datetime.combine(day, time.min, timezone.utc)).total_seconds()))
        day += timedelta(days=1)
    return Calendar(last, tuple(counts), tuple(seconds))


def calendar_until(today: date) -> Calendar:
    """A calendar that covers every moment up to today (and the year after: an appointment)."""
    return calendar(today.year + 1)


# SQLite's calendar: a temporary table of the connection, made on first use. Its INTEGER
# PRIMARY KEY makes every lookup a rowid search, whatever the planner knows of the other tables
# (a calendar joined as a CTE was scanned once a row on a database never ANALYZEd).
SQLITE_CALENDAR = table("workday_calendar", column("day", Integer), column("day_count", Integer),
                        column("next_count", Integer), column("next_day_from", Integer), schema="temp")


def ensure_sqlite_calendar(connection: Connection, cal: Calendar) -> None:
    """Fill this connection's calendar when it has none yet or ends before `cal` (a new year)."""
    last = connection.exec_driver_sql("SELECT max(day) FROM temp.workday_calendar").scalar() \
        if _has_calendar(connection) else None
    wanted = day_number(FIRST_DAY) + len(cal.counts) - 2
    if last == wanted:
        return
    connection.exec_driver_sql("DROP TABLE IF EXISTS temp.workday_calendar")
    connection.exec_driver_sql("CREATE TEMP TABLE workday_calendar (day INTEGER PRIMARY KEY, day_count INTEGER, "
                               "next_count INTEGER, next_day_from INTEGER)")
    start = day_number(FIRST_DAY)
    connection.exec_driver_sql(
        "INSERT INTO temp.workday_calendar VALUES (?, ?, ?, ?)",
        [(start + i, cal.counts[i], cal.counts[i + 1], cal.next_day_from[i]) for i in range(len(cal.counts) - 1)])


def _has_calendar(connection: Connection) -> bool:
    return connection.exec_driver_sql(
        "SELECT count(*) FROM temp.sqlite_master WHERE name = 'workday_calendar'").scalar() > 0

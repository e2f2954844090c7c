"""Working days (DOMAIN.md, part two): Monday to Friday except the Netherlands' public holidays
as the maintained `holidays` library lists them, on Europe/Amsterdam calendar days.

The working days between a moment and a later one are the working days after the first
moment's calendar day, up to and including the second's: the same day gives 0, a Friday to the
next Monday 1.

A Calendar gives every day from FIRST_DAY on a count: the working days from FIRST_DAY up to and
including it: the day's **working-day ordinal**. The working days between two days are the
difference of their ordinals. The follow-up desk stores each of its days (record, first contact,
end; timeutil.amsterdam_day) with its ordinal, written with the day, so the figures subtract two
stored numbers and look nothing up.
The rule that makes storing it safe: a day's ordinal depends only on the days from FIRST_DAY up
to it, so a calendar that grows (a new year, a referral in it) never changes an ordinal already
stored; a day beyond the calendar at hand is counted on a calendar grown to its year. (Should a
new release of the holidays library change a past year's holidays, the stored ordinals would have
to be written again, as migration 0014_followup_speed writes them.)
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays
from sqlalchemy import Integer, bindparam, func
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql.elements import Grouping

from .timeutil import EPOCH, day_number, local_date, utcnow

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


def ordinal(day: int) -> int:
    """The working-day ordinal of a day given as timeutil.day_number: the working days from
    FIRST_DAY up to and including it. The calendar of this year and the next serves nearly
    every day; a later one is counted on a calendar grown to its year, with the same result for
    every earlier day."""
    if day < FIRST_DAY_NUMBER:
        raise ValueError(f"day {day} lies before {FIRST_DAY}: no working-day ordinal")
    cal = calendar_until(local_date(utcnow()))
    if day > day_number(cal.last):
        cal = calendar((EPOCH + timedelta(days=day)).year)
    return cal.counts[day - FIRST_DAY_NUMBER]


def ordinal_or_none(day: int | None) -> int | None:
    """ordinal, NULL staying NULL: the function SQLite calls for ordinal_sql."""
    return None if day is None else ordinal(day)


def ordinal_sql(dialect_name: str, days: list, since: date = FIRST_DAY):
    """SQL expressions giving the working-day ordinal of each of `days` (day-number expressions;
    NULL stays NULL), for statements that store days as SQL computes them (routing). PostgreSQL
    subscripts one array of the counts from `since` up to the end of next year, passed as one
    parameter: a day there lies no later than now (records and events refuse the future), and
    the caller promises none lies before `since` (the array is shorter the later it starts: a
    referral stored today sends a year of counts, not the 27 years since FIRST_DAY). SQLite
    calls `ordinal` (db registers it on every connection)."""
    if dialect_name != "postgresql":
        return [func.fieldapp_workday_ordinal(day) for day in days]
    cal = calendar_until(local_date(utcnow()))
    skipped = max(0, (since - FIRST_DAY).days)
    # In brackets: PostgreSQL subscripts a cast parameter only inside them. One parameter for
    # every day of the statement: two of the same name would conflict.
    counts = Grouping(bindparam("workday_ordinals", value=list(cal.counts[skipped:]), type_=postgresql.ARRAY(Integer)))
    return [counts[day - (FIRST_DAY_NUMBER + skipped - 1)] for day in days]

"""The few SQL expressions SQLite and PostgreSQL spell differently, behind one name each."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import Float, Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from .timeutil import AMSTERDAM, EPOCH


class days_between(FunctionElement):
    """Elapsed days (fractional) from the first timestamp to the second."""

    type = Float()
    inherit_cache = True
    name = "days_between"


@compiles(days_between)
def _days_between_default(element, compiler, **kw):
    start, end = list(element.clauses)
    return f"(EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - {compiler.process(start, **kw)})) / 86400.0)"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    start, end = list(element.clauses)
    return f"(julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)}))"


class week_start(FunctionElement):
    """The Monday (UTC calendar) of a timestamp's week, as text YYYY-MM-DD."""

    inherit_cache = True
    name = "week_start"


@compiles(week_start)
def _week_start_default(element, compiler, **kw):
    (value,) = list(element.clauses)
    return f"to_char(date_trunc('week', {compiler.process(value, **kw)} AT TIME ZONE 'UTC'), 'YYYY-MM-DD')"


@compiles(week_start, "sqlite")
def _week_start_sqlite(element, compiler, **kw):
    (value,) = list(element.clauses)
    # 'weekday 0' moves forward to Sunday (or stays); six days back is that week's Monday.
    return f"date({compiler.process(value, **kw)}, 'weekday 0', '-6 days')"


class amsterdam_day(FunctionElement):
    """A UTC moment's Europe/Amsterdam calendar day, as days since 1970-01-01 (NULL stays NULL);
    timeutil.amsterdam_day in Python."""

    type = Integer()
    inherit_cache = True
    name = "amsterdam_day"


@compiles(amsterdam_day)
def _amsterdam_day_default(element, compiler, **kw):
    (value,) = list(element.clauses)
    return f"(CAST(timezone('{AMSTERDAM.key}', {compiler.process(value, **kw)}) AS DATE) - DATE '{EPOCH}')"


@compiles(amsterdam_day, "sqlite")
def _amsterdam_day_sqlite(element, compiler, **kw):
    # SQLite has no time zones: db registers the Python function on every connection.
    (value,) = list(element.clauses)
    return f"fieldapp_amsterdam_day({compiler.process(value, **kw)})"


class number_list(FunctionElement):
    """An aggregate: the group's integers, NULLs left out, as text "3,0,12" (NULL when none);
    with a second argument, each integer with how often it stands for, "3:40,0:2,12:1".
    count_number_list reads both back. Lists of small numbers travel and sort cheaper than a
    group each."""

    inherit_cache = True
    name = "number_list"


def _number_list_item(element, compiler, kw, concat: str) -> str:
    value, *weight = [compiler.process(clause, **kw) for clause in element.clauses]
    return f"CAST({value} AS TEXT) {concat} ':' {concat} CAST({weight[0]} AS TEXT)" if weight else value


@compiles(number_list)
def _number_list_default(element, compiler, **kw):
    return f"string_agg(CAST({_number_list_item(element, compiler, kw, '||')} AS TEXT), ',')"


@compiles(number_list, "sqlite")
def _number_list_sqlite(element, compiler, **kw):
    return f"group_concat({_number_list_item(element, compiler, kw, '||')}, ',')"


def count_number_list(text: str | None) -> Counter:
    """A number_list read back as how often each number occurs (counted as text, then turned
    into numbers: a few distinct ones among hundreds of thousands)."""
    counts: Counter = Counter()
    if text:
        for item, times in Counter(text.split(",")).items():
            number, _, weight = item.partition(":")
            counts[int(number)] += times * int(weight or 1)
    return counts


class greatest(FunctionElement):
    """The largest of its arguments (none of them NULL): GREATEST, or SQLite's many-argument max."""

    inherit_cache = True
    name = "greatest"


class least(FunctionElement):
    """The smallest of its arguments (none of them NULL)."""

    inherit_cache = True
    name = "least"


@compiles(greatest)
def _greatest_default(element, compiler, **kw):
    return f"GREATEST({compiler.process(element.clauses, **kw)})"


@compiles(greatest, "sqlite")
def _greatest_sqlite(element, compiler, **kw):
    return f"max({compiler.process(element.clauses, **kw)})"


@compiles(least)
def _least_default(element, compiler, **kw):
    return f"LEAST({compiler.process(element.clauses, **kw)})"


@compiles(least, "sqlite")
def _least_sqlite(element, compiler, **kw):
    return f"min({compiler.process(element.clauses, **kw)})"

"""The revisit queue and its conversion per language (DOMAIN.md part two, "The revisit queue").

Registered addresses are read from the covering index ix_records_dashboard (street_id,
address_id, occurred_at, channel, outcome, language, ...): in its order and without touching
the table. Numbers the register does not know are few; they are told apart by street, number
and addition, read from the table (among every record without an address). The same Core
statements run on SQLite (3.25 or later) and PostgreSQL; bench/revisits.py times them at a
million records.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import Boolean, Integer, String, and_, case, cast, func, null, or_, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from ..db import no_jit
from ..records.models import Record
from ..streets.models import Address, Street
from ..timeutil import as_utc, period_bounds, utcnow

R = Record.__table__
A = Address.__table__
S = Street.__table__

# A door nobody could talk at: nobody home, or a language the volunteer did not speak.
QUEUE_OUTCOMES = ("no_answer_language", "not_home")
# What a revisit hopes for: a real conversation, or being let in.
CONVERTED_OUTCOMES = ("talked", "let_in")
# The third knock in a row without an answer takes the door off the list.
MAX_ATTEMPTS = 3
# A refusal keeps the door off the list this long.
REFUSAL_DAYS = 365
# A revisit counts as converted when the next record comes within this many days.
CONVERSION_DAYS = 30


class _within_days(FunctionElement):
    """True when the second timestamp lies at most `days` days (of 24 hours) after the first.
    Unlike sqlfuncs.days_between, PostgreSQL compares intervals here: EXTRACT(EPOCH ...) is a
    numeric there, and dividing one per record cost a third of the conversion's time."""

    type = Boolean()
    inherit_cache = True
    name = "within_days"


@compiles(_within_days)
def _within_days_default(element, compiler, **kw):
    start, end, days = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(({end}) - ({start}) <= {days} * INTERVAL '1 day')"


@compiles(_within_days, "sqlite")
def _within_days_sqlite(element, compiler, **kw):
    start, end, days = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(julianday({end}) - julianday({start}) <= {days})"


def _is_queue(outcome):
    # A loket walk-in or an event sign-up has no outcome: like any other outcome, it ends a run.
    return func.coalesce(outcome, "").in_(QUEUE_OUTCOMES)


class _Doors:
    """How records are told apart by address: by the register's id, or, for a number the
    register does not know, by street, number and addition. Either way each row carries
    street_id, address_id, house_number and addition, so the two kinds unite."""

    def __init__(self, registered: bool):
        # Typed NULLs: PostgreSQL reads a bare NULL leaving a subquery as text, which a UNION
        # with the other kind's integer refuses.
        if registered:
            self.key = (R.c.street_id, R.c.address_id)
            self.where = R.c.address_id.is_not(None)
            self.columns = (R.c.street_id, R.c.address_id, cast(null(), Integer).label("house_number"),
                            cast(null(), String).label("addition"))
        else:
            # GROUP BY and PARTITION BY take NULLs (no addition) as equal.
            self.key = (R.c.street_id, R.c.house_number, R.c.house_addition)
            self.where = and_(R.c.address_id.is_(None), R.c.house_number.is_not(None))
            self.columns = (R.c.street_id, cast(null(), Integer).label("address_id"), R.c.house_number,
                            R.c.house_addition.label("addition"))
        self.registered = registered

    def records_of(self, door, records=R):
        """The records at the door of a row of `door` (a subquery with the columns above)."""
        if self.registered:
            return and_(records.c.street_id == door.c.street_id, records.c.address_id == door.c.address_id)
        return and_(records.c.street_id == door.c.street_id, records.c.address_id.is_(None),
                    records.c.house_number == door.c.house_number,
                    records.c.house_addition.is_not_distinct_from(door.c.addition))


DOORS = (_Doors(registered=True), _Doors(registered=False))


def _streets(neighbourhood_ids, street_id: int | None = None):
    stmt = select(S.c.id).where(S.c.neighbourhood_id.in_(sorted(neighbourhood_ids)))
    if street_id is not None:
        stmt = stmt.where(S.c.id == street_id)
    return stmt


def _queued(doors: _Doors, streets, cutoff: datetime, languages):
    """Two grouped passes instead of a window over every record: first each door's latest
    record and latest other outcome ("break"), keeping the doors whose latest record comes
    after their last break; then only those doors' records after the break, counted (the
    attempts) and the latest one's language and outcome read, and their last year searched
    for a refusal."""
    last_at = func.max(R.c.occurred_at)
    break_at = func.max(case((~_is_queue(R.c.outcome), R.c.occurred_at)))
    door = (
        select(*doors.columns, last_at.label("last_at"), break_at.label("break_at"))
        .where(R.c.street_id.in_(streets), doors.where)
        .group_by(*doors.key)
        .having(or_(break_at.is_(None), last_at > break_at))
        .subquery()
    )
    earlier = R.alias("earlier")
    refused = select(earlier.c.id).where(
        doors.records_of(door, earlier), earlier.c.occurred_at >= cutoff, earlier.c.outcome == "refused")
    latest = R.c.occurred_at == door.c.last_at
    language = func.max(case((latest, R.c.language)))
    grouped = (door.c.street_id, door.c.address_id, door.c.house_number, door.c.addition, door.c.last_at)
    stmt = (
        select(*grouped, language.label("language"), func.max(case((latest, R.c.outcome))).label("outcome"),
               func.count().label("attempts"))
        .select_from(door)
        # Every door kept has a record after its break, so an outer join finds the same rows;
        # it keeps the few doors the outer loop (SQLite never reorders a LEFT JOIN), instead of
        # every record without an address_id probing them.
        .outerjoin(R, and_(doors.records_of(door), or_(door.c.break_at.is_(None), R.c.occurred_at > door.c.break_at)))
        .where(~refused.exists())
        .group_by(*grouped)
        .having(func.count() < MAX_ATTEMPTS)
    )
    if languages is not None:
        stmt = stmt.having(language.in_(sorted(languages)))
    return stmt


def revisit_queue(session: Session, neighbourhood_ids, languages=None, street_id: int | None = None,
                  now: datetime | None = None) -> list[dict]:
    """The doors to knock on again, one dict per address, unordered.

    An address (street + house number + addition) is queued when its latest record's outcome
    is `no_answer_language` or `not_home`, the run of such records ending with it is shorter
    than 3 (its length is the number of attempts), and no record there was `refused` in the
    365 days before `now`. A record without a house number never queues. Records at the very
    same instant: one of another outcome counts as the later. `languages`: keep only addresses
    whose latest record is in one of them (None: all).
    """
    cutoff = (now or utcnow()) - timedelta(days=REFUSAL_DAYS)
    streets = _streets(neighbourhood_ids, street_id)
    queued = union_all(*(_queued(doors, streets, cutoff, languages) for doors in DOORS)).subquery()
    rows = session.execute(
        select(
            queued.c.street_id, S.c.name,
            func.coalesce(queued.c.house_number, A.c.number).label("house_number"),
            func.coalesce(queued.c.addition, func.nullif(A.c.addition, "")).label("house_addition"),
            queued.c.language, queued.c.outcome, queued.c.last_at, queued.c.attempts,
        )
        .join(S, S.c.id == queued.c.street_id)
        .outerjoin(A, A.c.id == queued.c.address_id)
    )
    return [{"street_id": row.street_id, "street": row.name, "house_number": row.house_number,
             "house_addition": row.house_addition, "language": row.language, "attempts": row.attempts,
             "last_at": as_utc(row.last_at), "last_outcome": row.outcome}
            for row in rows]


def _knocks(doors: _Doors, streets, start: datetime | None, end: datetime | None):
    """One ordered pass over each door's records, every window function in one frame (lag
    and a running max: SQLite computes them together, and each one more costs it about a
    tenth of the whole; a lead would cost a pass of its own). A record of the period after
    which its address was in the queue comes out as `queuing`; a record that answered such a
    record within 30 days (the next one, a conversation or an invitation inside) as
    `converting`, at the time of the record it answered."""
    order = (R.c.occurred_at, R.c.channel, R.c.outcome, R.c.language)  # ties: index columns

    def over(function):
        return function.over(partition_by=doors.key, order_by=order, rows=(None, 0))

    history = select(
        *doors.columns, R.c.occurred_at, R.c.outcome, R.c.language,
        # The record before: its time when it was a knock without an answer, else NULL.
        over(func.lag(case((_is_queue(R.c.outcome), R.c.occurred_at)), 1)).label("knock1_at"),
        *(over(func.lag(R.c.outcome, back)).label(f"outcome{back}") for back in range(2, MAX_ATTEMPTS + 1)),
        # Up to and including this record; a converting record is no refusal itself, so for
        # it this is also the latest refusal up to the record it answered.
        over(func.max(case((R.c.outcome == "refused", R.c.occurred_at)))).label("refused_at"),
    ).where(R.c.street_id.in_(streets), doors.where)
    if end is not None:
        # A later record answers no record of the period within 30 days.
        history = history.where(R.c.occurred_at < end + timedelta(days=CONVERSION_DAYS))
    h = history.subquery()
    # knocks[k]: the k-th record before this one (0: this one) was a knock without an answer.
    knocks = [_is_queue(h.c.outcome), h.c.knock1_at.is_not(None),
              *(_is_queue(h.c[f"outcome{back}"]) for back in range(2, MAX_ATTEMPTS + 1))]

    def queuing(run, at):
        """The record at `at` (run[0] its knock, run[1:] those before it): did it leave its
        address in the queue, and was it made in the period?"""
        conditions = [run[0], ~and_(*run[1:]),
                      or_(h.c.refused_at.is_(None), ~_within_days(h.c.refused_at, at, REFUSAL_DAYS))]
        if start is not None:
            conditions.append(at >= start)
        if end is not None:
            conditions.append(at < end)
        return and_(*conditions)

    queued = queuing(knocks[:MAX_ATTEMPTS], h.c.occurred_at)
    converting = and_(h.c.outcome.in_(CONVERTED_OUTCOMES), queuing(knocks[1:], h.c.knock1_at),
                      _within_days(h.c.knock1_at, h.c.occurred_at, CONVERSION_DAYS))
    return select(
        h.c.street_id, h.c.address_id, h.c.house_number, h.c.addition,
        case((queued, h.c.occurred_at), else_=h.c.knock1_at).label("at"),
        case((queued, h.c.language)).label("language"),
        case((queued, 1), else_=0).label("queuing"),
        case((queued, 0), else_=1).label("converting"),
    ).where(or_(queued, converting))


def conversion_by_language(session: Session, neighbourhood_ids, first: date | None, last: date | None) -> list[dict]:
    """Did the second knock work? Per language, over the period first..last (Europe/Amsterdam
    days, both included; None: open-ended).

    Counted once per address and period. An address is **queued** in the period when at least
    one of its records made in the period left it in the queue: the record's outcome is
    `no_answer_language` or `not_home`, it is the first or second of such records in a row, and
    the address had no `refused` record in the 365 days before it. It is **converted** when,
    after one of those records, the address's very next record (any channel, by anyone, also
    after the period's end) came within 30 days (30 x 24 hours) and has outcome `talked` or
    `let_in`. An address counts under the language of its last queuing record in the period
    (the language the list showed last). Figures of the last 30 days can still grow.

    Returns [{"language", "queued", "converted", "share"}] by language; share = converted /
    queued (0 to 1, four decimals).
    """
    start, end = period_bounds(first, last)
    # The streets' ids read first: PostgreSQL then filters the index's rows by them instead of
    # merge-joining the streets into a pass over every record.
    streets = sorted(session.scalars(_streets(neighbourhood_ids)))
    no_jit(session, sort_memory="32MB")  # the addresses' knocks are sorted once more
    knocks = union_all(*(_knocks(doors, streets, start, end) for doors in DOORS)).subquery()
    address = (knocks.c.street_id, knocks.c.address_id, knocks.c.house_number, knocks.c.addition)
    # Each address once: the language of its last queuing record, converted if any was answered.
    per_address = select(
        knocks.c.language,
        func.row_number().over(partition_by=address, order_by=(knocks.c.queuing.desc(), knocks.c.at.desc()))
        .label("latest"),
        func.max(knocks.c.converting).over(partition_by=address).label("converted"),
    ).subquery()
    rows = session.execute(
        select(per_address.c.language, func.count().label("queued"), func.sum(per_address.c.converted).label("converted"))
        .where(per_address.c.latest == 1)
        .group_by(per_address.c.language)
        .order_by(per_address.c.language)
    )
    return [{"language": row.language, "queued": row.queued, "converted": int(row.converted),
             "share": round(int(row.converted) / row.queued, 4)}
            for row in rows]

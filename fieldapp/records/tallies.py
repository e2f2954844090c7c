"""Running all-time tallies per address, kept in step with the records as they arrive.

The dashboard's all-time view (the default, and what the map shows) would otherwise group
every record ever made; at a million records that is about a second per request. These tables
hold the same per-address groups that query makes, so the all-time view reads one row per
address instead. A chosen period still groups the records themselves (dashboard/queries.py).

Both are derived data: `add` folds newly inserted records in, inside the transaction that
inserted them; `rebuild` recomputes them from the records, for whatever changed records in
place (linking to a new address, retention, erasure) or loaded them without `store`.

The per-record contributions (`record_columns`) are the one definition of the ladder's
record-level rules; the period query groups the same columns.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from functools import cache, lru_cache
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import (
    ForeignKey, Integer, SmallInteger, String, and_, bindparam, case, delete, func, literal, or_, select, true,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..codes import CHANNELS, NO_CONTACT_OUTCOMES
from ..db import Base, UtcDateTime, conflict_dialect, row_arrays, row_values, unnest_rows, value_binds
from ..sqlfuncs import week_start
from ..streets.models import Street
from .models import Record, Referral

ANONYMOUS = 0  # address_key of a street's records without a registered address


class AddressTally(Base):
    """One address's records summed over all time; address_key 0 holds the street's anonymous
    contacts (no house number, or one the register does not know)."""

    __tablename__ = "address_tallies"

    street_id: Mapped[int] = mapped_column(ForeignKey("streets.id"), primary_key=True, autoincrement=False)
    address_key: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    records: Mapped[int] = mapped_column(Integer)
    refusals: Mapped[int] = mapped_column(Integer)
    taalcoach: Mapped[int] = mapped_column(Integer)
    koppel: Mapped[int] = mapped_column(Integer)
    ch_rally: Mapped[int] = mapped_column(Integer)
    ch_klus: Mapped[int] = mapped_column(Integer)
    ch_loket: Mapped[int] = mapped_column(Integer)
    ch_visit: Mapped[int] = mapped_column(Integer)
    # The highest step one record gives on its own: 1, 2, 4 or 5 (see record_columns).
    best: Mapped[int] = mapped_column(SmallInteger)
    first_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_loket: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Records holding a consented referral (ladder step 3 when > 0).
    consented_records: Mapped[int] = mapped_column(Integer)


class StreetWeekTally(Base):
    """Records per (street, week, channel) over all time, for the records-per-week chart.
    The week is the Monday of its UTC calendar week (sqlfuncs.week_start)."""

    __tablename__ = "street_week_tallies"

    street_id: Mapped[int] = mapped_column(ForeignKey("streets.id"), primary_key=True, autoincrement=False)
    week: Mapped[str] = mapped_column(String(10), primary_key=True)
    channel: Mapped[str] = mapped_column(String(10), primary_key=True)
    records: Mapped[int] = mapped_column(Integer)


class StreetVersion(Base):
    """A counter per street, raised by every change to its records or referrals (in the same
    transaction): figures derived per street are current when computed at this version."""

    __tablename__ = "street_versions"

    street_id: Mapped[int] = mapped_column(ForeignKey("streets.id"), primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer)


class StreetLanguageTally(Base):
    """Records per (street, language) over all time: the language mix without a scan."""

    __tablename__ = "street_language_tallies"

    street_id: Mapped[int] = mapped_column(ForeignKey("streets.id"), primary_key=True, autoincrement=False)
    language: Mapped[str] = mapped_column(String(3), primary_key=True)
    records: Mapped[int] = mapped_column(Integer)


T = AddressTally.__table__
L = StreetLanguageTally.__table__
V = StreetVersion.__table__
W = StreetWeekTally.__table__
R = Record.__table__
F = Referral.__table__
S = Street.__table__
SUMMED = ("records", "refusals", "taalcoach", "koppel", *(f"ch_{code}" for code in CHANNELS.codes),
          "consented_records")


def _count_if(condition):
    return func.sum(case((condition, 1), else_=0))


def record_columns(table=R) -> list:
    """Per-(street, address) aggregates of records: counts, and what decides the ladder step."""
    contact = func.coalesce(table.c.outcome, "").not_in(NO_CONTACT_OUTCOMES)
    step4 = and_(or_(table.c.channel.in_(("klus", "visit")), table.c.outcome == "let_in"), contact)
    step2 = or_(table.c.outcome.in_(("talked", "let_in")), table.c.channel == "loket")
    return [
        func.count().label("records"),
        _count_if(table.c.outcome == "refused").label("refusals"),
        _count_if(table.c.taalcoach_present == True).label("taalcoach"),  # noqa: E712
        _count_if(table.c.partner_count >= 2).label("koppel"),
        # The highest step a record gives on its own (steps 3 and "returned" need other rows):
        # one aggregate instead of a flag per step keeps the per-record work small.
        func.max(case((table.c.ambassador == True, 5), (step4, 4), (step2, 2), else_=1)).label("best"),  # noqa: E712
        # The latest walk-in is enough: if any walk-in had an earlier record, this one has.
        func.max(case((table.c.channel == "loket", table.c.occurred_at), else_=None)).label("last_loket"),
        func.min(table.c.occurred_at).label("first_at"),
        *[_count_if(table.c.channel == code).label(f"ch_{code}") for code in CHANNELS.codes],
    ]


def _later(new, old):
    """The later of two timestamps, either of which may be NULL (portable GREATEST)."""
    return case((or_(old.is_(None), new > old), new), else_=old)


def _merged(new) -> dict:
    """How a tally row takes in another one for the same address."""
    return {name: T.c[name] + new[name] for name in SUMMED} | {
        "best": case((new.best > T.c.best, new.best), else_=T.c.best),
        "first_at": case((new.first_at < T.c.first_at, new.first_at), else_=T.c.first_at),
        "last_loket": _later(new.last_loket, T.c.last_loket),
    }


# Each derived table: its key, and how a stored row takes in a new one for the same key.
KEYS = {T: ("street_id", "address_key"), L: ("street_id", "language"), W: ("street_id", "week", "channel"),
        V: ("street_id",)}
MERGES = {T: _merged, L: lambda new: {"records": L.c.records + new.records},
          W: lambda new: {"records": W.c.records + new.records}, V: lambda _new: {"version": V.c.version + 1}}


def _upsert(dialect, table, rows=None, columns=None, values=None):
    """Insert into a derived table, merging into the row already there for the same key: the
    values given when executed, what the select `rows` gives for `columns`, or `values`."""
    insert = dialect.insert(table)
    if rows is not None:
        insert = insert.from_select(columns, rows)
    if values is not None:
        insert = insert.values(values)
    return insert.on_conflict_do_update(index_elements=[table.c[key] for key in KEYS[table]],
                                        set_=MERGES[table](insert.excluded))


def _upsert_addresses(dialect, where):
    """Recount the chosen records into address tallies. Which of them hold a consented referral
    is read from the referrals, grouped once: a per-record EXISTS was tried, and without table
    statistics SQLite probes it through the consent index and slows down with every referral."""
    key = func.coalesce(R.c.address_id, ANONYMOUS).label("address_key")
    consented = (
        select(F.c.record_id).where(F.c.consent == True).group_by(F.c.record_id).subquery()  # noqa: E712
    )
    holds_consent = consented.c.record_id.is_not(None)
    source = R.outerjoin(consented, consented.c.record_id == R.c.id)
    grouped = (
        select(R.c.street_id, key, *record_columns(), _count_if(holds_consent).label("consented_records"))
        .select_from(source)
        .where(where)
        .group_by(R.c.street_id, key)
        # One order for every writer, so concurrent transactions lock tally rows in the same
        # sequence and cannot deadlock each other on PostgreSQL.
        .order_by(R.c.street_id, key)
    )
    columns = ["street_id", "address_key", *(c.name for c in record_columns()), "consented_records"]
    return _upsert(dialect, T, grouped, columns)


def _upsert_languages(dialect, where):
    grouped = (
        select(R.c.street_id, R.c.language, func.count().label("records"))
        .where(where)
        .group_by(R.c.street_id, R.c.language)
        .order_by(R.c.street_id, R.c.language)
    )
    return _upsert(dialect, L, grouped, ["street_id", "language", "records"])


def _upsert_weeks(dialect, where):
    week = week_start(R.c.occurred_at)
    grouped = (
        select(R.c.street_id, week, R.c.channel, func.count().label("records"))
        .where(where)
        .group_by(R.c.street_id, week, R.c.channel)
        .order_by(R.c.street_id, week, R.c.channel)
    )
    return _upsert(dialect, W, grouped, ["street_id", "week", "channel", "records"])


def week_of(moment: datetime) -> str:
    """sqlfuncs.week_start for a timestamp in memory: the Monday of its UTC week."""
    return _monday_of(moment.astimezone(timezone.utc).date())


@lru_cache(maxsize=1024)
def _monday_of(day: date) -> str:
    # A batch's records share days; 1,024 days are nearly three years of them.
    return (day - timedelta(days=day.weekday())).isoformat()


def _raise_versions(dialect, street_ids):
    """Raise the version of the streets `street_ids` selects (a one-column select, sorted so
    concurrent writers lock the rows in the same order)."""
    changed = street_ids.add_columns(literal(1)).order_by(street_ids.selected_columns[0])
    return _upsert(dialect, V, changed, ["street_id", "version"])


@cache
def _statements(dialect, scope: str) -> tuple:
    """The upserts that recount from the records, built once per dialect and scope (building
    these constructs costs more than running them for a few streets)."""
    if scope == "streets":
        where = R.c.street_id.in_(bindparam("street_ids", expanding=True))
        streets = select(S.c.id).where(S.c.id.in_(bindparam("street_ids", expanding=True)))
    else:
        where, streets = true(), select(S.c.id).where(true())
    return (_upsert_addresses(dialect, where), _upsert_languages(dialect, where), _upsert_weeks(dialect, where),
            _raise_versions(dialect, streets))


# The tables `add` writes, in this order; on PostgreSQL the prefix of each one's parameters.
ADDED = ((T, "a"), (L, "l"), (W, "w"), (V, "v"))


@cache
def _value_upserts(dialect) -> tuple:
    """The upserts fed with rows counted in Python (add), one executemany per table."""
    return tuple(_upsert(dialect, table) for table, _prefix in ADDED)


@cache
def _combined_upsert(one_row: bool):
    """PostgreSQL: the four upserts of `add` as one statement, each fed by unnest() of one array
    per column, or, when every table gets one row (a single record), by plain values
    (db.value_binds). An executemany costs PostgreSQL a parse, bind and execute per row (a batch
    of 500 records gives about 1,000 tally rows); this is one statement, and for a single record
    one round trip instead of four. unnest() keeps the arrays' (sorted) order, so rows are still
    locked in one order by every writer."""
    upserts = []
    for table, prefix in ADDED:
        names = list(table.c.keys())
        if one_row:
            upserts.append(_upsert(postgresql, table, values=value_binds(table, names, f"{prefix}_")))
        else:
            upserts.append(_upsert(postgresql, table, unnest_rows(table, names, f"{prefix}_"), names))
    *first, last = upserts
    return last.add_cte(*(upsert.cte(f"{prefix}_upsert") for upsert, (_table, prefix) in zip(first, ADDED)))


def best_step(channel: str, outcome: str | None, ambassador: bool) -> int:
    """record_columns' "best" for one record, for counting rows still in memory (add); the
    tests check both give the same tallies."""
    if ambassador:
        return 5
    if (channel in ("klus", "visit") or outcome == "let_in") and (outcome or "") not in NO_CONTACT_OUTCOMES:
        return 4
    if outcome in ("talked", "let_in") or channel == "loket":
        return 2
    return 1


def _address_rows(rows: list[dict], consented_ids: set) -> list[dict]:
    tallies: dict[tuple, dict] = {}
    for row in rows:
        key = (row["street_id"], row["address_id"] or ANONYMOUS)
        channel, outcome, occurred_at = row["channel"], row["outcome"], row["occurred_at"]
        tally = tallies.get(key)
        if tally is None:
            tally = tallies[key] = dict.fromkeys(SUMMED, 0) | {
                "street_id": key[0], "address_key": key[1], "best": 1,
                "first_at": occurred_at, "last_loket": None,
            }
        tally["records"] += 1
        tally["ch_" + channel] += 1
        # Most counters stay 0 for most records: add only when there is something to add.
        if outcome == "refused":
            tally["refusals"] += 1
        if row["taalcoach_present"]:
            tally["taalcoach"] += 1
        if row["partner_count"] >= 2:
            tally["koppel"] += 1
        if row["id"] in consented_ids:
            tally["consented_records"] += 1
        step = best_step(channel, outcome, row["ambassador"])
        if step > tally["best"]:
            tally["best"] = step
        if occurred_at < tally["first_at"]:
            tally["first_at"] = occurred_at
        if channel == "loket" and (tally["last_loket"] is None or occurred_at > tally["last_loket"]):
            tally["last_loket"] = occurred_at
    return [tallies[key] for key in sorted(tallies)]


def mark_changed(session: Session, street_ids: Iterable[int]) -> None:
    """Something on these streets changed outside the records (a referral answered)."""
    ids = sorted(set(street_ids))
    if ids:
        session.execute(_statements(conflict_dialect(session), "streets")[-1], {"street_ids": ids})


def add(session: Session, rows: list[dict], consented_ids: Iterable = ()) -> None:
    """Fold records just inserted into the tallies: `rows` as they were inserted,
    `consented_ids` the ids of those holding a referral with consent."""
    if not rows:
        return
    spoken = Counter((row["street_id"], row["language"]) for row in rows)
    per_week = Counter((row["street_id"], week_of(row["occurred_at"]), row["channel"]) for row in rows)
    # Each list sorted: concurrent transactions lock tally rows in the same order (no deadlock).
    tables = (
        _address_rows(rows, set(consented_ids)),
        [{"street_id": sid, "language": language, "records": spoken[sid, language]} for sid, language in sorted(spoken)],
        [{"street_id": sid, "week": week, "channel": channel, "records": per_week[sid, week, channel]}
         for sid, week, channel in sorted(per_week)],
        [{"street_id": sid, "version": 1} for sid in sorted({row["street_id"] for row in rows})],
    )
    dialect = conflict_dialect(session)
    if dialect is postgresql:
        one_row = all(len(table_rows) == 1 for table_rows in tables)
        params = {}
        for (table, prefix), table_rows in zip(ADDED, tables):
            names = list(table.c.keys())
            params |= (row_values(names, table_rows[0], f"{prefix}_") if one_row
                       else row_arrays(table, names, table_rows, f"{prefix}_"))
        session.execute(_combined_upsert(one_row), params)
        return
    for statement, table_rows in zip(_value_upserts(dialect), tables):
        session.execute(statement, table_rows)


def rebuild(session: Session, street_ids: Iterable[int] | None = None) -> None:
    """Recompute the tallies of these streets (all streets when None) from their records."""
    if street_ids is None:
        for table in (T, L, W):
            session.execute(delete(table))
        for statement in _statements(conflict_dialect(session), "all"):
            session.execute(statement)
        return
    ids = sorted(set(street_ids))
    if not ids:
        return
    for table in (T, L, W):
        session.execute(delete(table).where(table.c.street_id.in_(ids)))
    for statement in _statements(conflict_dialect(session), "streets"):
        session.execute(statement, {"street_ids": ids})

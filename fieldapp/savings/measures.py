"""Installed measures as rows: copied from klus records when they are stored, and their
address kept in step with the record's; each home's first row of a day marked with the home's
previous day (models.InstalledMeasure.home_prev_day)."""
from __future__ import annotations

from sqlalchemy import Table, and_, case, func, insert, select, text, update
from sqlalchemy.orm import Session

from ..records.models import Record
from ..records.operations import copy_record_addresses
from ..timeutil import amsterdam_day
from .models import NO_EARLIER_DAY, InstalledMeasure

R = Record.__table__
M: Table = InstalledMeasure.__table__
CHUNK = 500


def measure_rows(records) -> list[dict]:
    """Rows for the installed measures of (id, street_id, address_id, occurred_at, measures)."""
    rows = []
    for record_id, street_id, address_id, occurred_at, measures in records:
        installed = [m for m in measures or [] if "not_possible" not in m and m.get("quantity")]
        if installed:
            day = amsterdam_day(occurred_at)
            rows.extend({"record_id": record_id, "street_id": street_id, "address_id": address_id, "day": day,
                         "code": m["code"], "quantity": m["quantity"]} for m in installed)
    return rows


def fold_in(session: Session, measured_ids: list, **_facts) -> None:
    """Copy the installed measures of records just stored (hooks.RECORDS_STORED): only records
    that list measures are read again (their address was found in SQL), so a store without
    any asks nothing here."""
    ids = list(measured_ids)
    streets, addresses, anonymous = set(), set(), set()
    for start in range(0, len(ids), CHUNK):
        records = session.execute(
            select(R.c.id, R.c.street_id, R.c.address_id, R.c.occurred_at, R.c.measures)
            .where(R.c.id.in_(ids[start:start + CHUNK]), R.c.channel == "klus"))
        rows = measure_rows(records)
        if rows:
            session.execute(insert(M), rows)
            for row in rows:
                streets.add(row["street_id"])
                if row["address_id"] is None:
                    anonymous.add(row["record_id"])
                else:
                    addresses.add(row["address_id"])
    if streets:
        _lock_streets(session, streets)
        mark_homes(session, addresses, anonymous)


def follow_addresses(session: Session, street_ids: list[int] | None) -> None:
    """Records of these streets changed in place (a number linked to the register, an erasure):
    their measures take the record's address again (hooks.RECORDS_CHANGED)."""
    if street_ids is not None and not street_ids:
        return
    copy_record_addresses(session, M, street_ids)
    recount_homes(session, street_ids)


def _home_marks():
    """The value of home_prev_day for a row, from the other rows of its home: a record without a
    registered address is a home of its own (one day); a registered address is one home."""
    x = M.alias("x")
    # "No row of the home before it" rather than "its id is the smallest": without statistics
    # (a recount right after a bulk load) PostgreSQL plans min(id) as a walk along the primary
    # key until a row of the record turns up, for every row.
    first_of_record = ~select(x.c.id).where(x.c.record_id == M.c.record_id, x.c.id < M.c.id).exists()
    first_of_day = ~select(x.c.id).where(x.c.address_id == M.c.address_id, x.c.day == M.c.day,
                                         x.c.id < M.c.id).exists()
    earlier = select(func.max(x.c.day)).where(x.c.address_id == M.c.address_id, x.c.day < M.c.day).scalar_subquery()
    return case(
        (M.c.address_id.is_(None), case((first_of_record, NO_EARLIER_DAY), else_=None)),
        (first_of_day, func.coalesce(earlier, NO_EARLIER_DAY)),
        else_=None)


def _mark(session: Session, where) -> None:
    session.execute(update(M).where(where).values(home_prev_day=_home_marks())
                    .execution_options(synchronize_session=False))


def mark_homes(session: Session, addresses: set, records: set) -> None:
    """Mark again every row of these homes (registered addresses, and records at none): a row
    stored late may come before a home's other days."""
    address_ids, record_ids = sorted(addresses), sorted(records)
    for start in range(0, len(address_ids), CHUNK):
        _mark(session, M.c.address_id.in_(address_ids[start:start + CHUNK]))
    for start in range(0, len(record_ids), CHUNK):
        _mark(session, and_(M.c.record_id.in_(record_ids[start:start + CHUNK]), M.c.address_id.is_(None)))


def recount_homes(session: Session, street_ids: list[int] | None = None) -> None:
    """Mark every row of these streets (every street when None) from scratch: after addresses
    changed under the rows, and for `fieldapp rebuild-tallies`."""
    if street_ids is None:
        _mark(session, M.c.id.is_not(None))
        return
    ids = sorted(set(street_ids))
    if ids:
        _lock_streets(session, ids)
        _mark(session, M.c.street_id.in_(ids))


# An arbitrary number naming this lock class among PostgreSQL's advisory locks.
_HOMES_LOCK = 17_0015


def _lock_streets(session: Session, street_ids) -> None:
    """On PostgreSQL, one writer at a time marks a street's homes, and the next one starts its
    marking after the first committed: each UPDATE reads a fresh snapshot (read committed), so it
    sees the other's rows of the same home. Taken in street order, before the dashboard's
    tallies lock their rows (savings listens first), so two writers cannot wait for each other.
    SQLite has one writer at a time anyway."""
    if session.get_bind().dialect.name != "postgresql":
        return
    session.execute(text(
        "SELECT count(pg_advisory_xact_lock(CAST(:class_id AS integer), street_id)) "
        "FROM (SELECT CAST(unnest(CAST(:street_ids AS integer[])) AS integer) AS street_id ORDER BY 1) AS ordered"),
        {"class_id": _HOMES_LOCK, "street_ids": sorted(set(street_ids))})

"""Storing records exactly once.

A record arrives under a UUID the phone made when the form opened. The insert is
insert-or-nothing on the primary key (INSERT ... ON CONFLICT DO NOTHING), so concurrent
identical requests can never make two rows, whatever order they land in. A UUID that is
already stored is answered by comparing fingerprints: the same body from the same sender is a
retry ("duplicate"), anything else is a conflict, and the stored row is never touched.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import time
import uuid
from dataclasses import dataclass, field
from functools import cache
from datetime import datetime, timedelta, timezone

from ..i18n.messages import N_
from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from ..accounts.models import Partner, User
from ..db import conflict_dialect, row_arrays, row_values, unnest_rows, value_binds
from ..streets.models import Address, Street
from ..timeutil import as_utc, local_date, period_bounds, utcnow
from . import tallies
from .models import Record, Referral

CREATED, DUPLICATE, CONFLICT, INVALID = "created", "duplicate", "conflict", "invalid"


@dataclass
class Outcome:
    id: uuid.UUID | str
    status: str
    errors: dict = field(default_factory=dict)
    # For a record created now, when store() was asked for them (a PUT answers with the stored
    # record): the stored columns, and its referrals' columns with their ids, enough to answer
    # without reading it back.
    row: dict | None = None
    referrals: list[dict] = field(default_factory=list)


# json.dumps with these options would build a new encoder for every record. The canonical
# dict is built here and holds no cycles, so the encoder need not look for them.
_CANONICAL_JSON = json.JSONEncoder(sort_keys=True, default=str, separators=(",", ":"), check_circular=False)


def fingerprint(data: dict, user_id: int) -> str:
    """A stable hash of the loaded (normalised) record and who sent it. Stored with the record:
    changing the text it hashes would turn retries of records sent before the change into
    conflicts (tests/test_records_idempotency.py pins one)."""
    canonical = {k: v for k, v in data.items() if k != "id"}
    canonical["occurred_at"] = data["occurred_at"].astimezone(timezone.utc).isoformat()
    canonical["sender"] = user_id
    return hashlib.sha256(_CANONICAL_JSON.encode(canonical).encode()).hexdigest()


class KnownStreetsAndPartners:
    """Which neighbourhood each street is in, and the partner codes: kept per app for a few seconds.

    Streets and partners are only ever added, so a street or partner missing here is looked up
    again before it is called unknown (see IngestContext.check); the few seconds bound how long
    an edit made by hand in the database (a street moved to another neighbourhood) goes unseen.
    """

    MAX_AGE = 5.0  # seconds

    def __init__(self):
        self._snapshot: tuple[float, dict[int, int], frozenset[str]] | None = None

    def get(self, session: Session, fresh: bool = False) -> tuple[dict[int, int], frozenset[str]]:
        snapshot = self._snapshot
        if fresh or snapshot is None or time.monotonic() - snapshot[0] > self.MAX_AGE:
            rows = session.execute(select(Street.id, Street.neighbourhood_id))
            hood_of = {street_id: hood_id for street_id, hood_id in rows}
            snapshot = self._snapshot = (time.monotonic(), hood_of, frozenset(session.scalars(select(Partner.code))))
        return snapshot[1], snapshot[2]


class IngestContext:
    """What one request's records are checked against, loaded once per request."""

    def __init__(self, session: Session, user: User, due_days: int, known: KnownStreetsAndPartners | None = None):
        self.session = session
        self.user = user
        self.due_days = due_days
        self.neighbourhood_ids = user.neighbourhood_ids
        # Read once: each ORM attribute read costs about 0.1 µs, for every record of a batch.
        self.user_id, self.user_partner_id, self.user_partner_code = user.id, user.partner_id, user.partner.code
        self._known = known or KnownStreetsAndPartners()
        self._hood_of, self._partner_codes = self._known.get(session)
        self._refreshed = known is None

    def check(self, data: dict) -> dict:
        """Checks that need the database; returns per-field messages (empty when fine)."""
        errors: dict = {}
        street_id, partners = data["street_id"], data["partners"]
        if not (self._street_allowed(street_id) or self._refresh() and self._street_allowed(street_id)):
            # Same message for "does not exist" and "not yours": no probing other neighbourhoods.
            errors["street_id"] = [N_("Unknown street.")]
        if not (self._partners_known(partners) or self._refresh() and self._partners_known(partners)):
            errors["partners"] = [N_("Unknown partner.")]
        return errors

    def _street_allowed(self, street_id: int) -> bool:
        return self._hood_of.get(street_id) in self.neighbourhood_ids

    def _partners_known(self, codes: list[str]) -> bool:
        return self._partner_codes.issuperset(codes)

    def _refresh(self) -> bool:
        """Look streets and partners up again, once a request; False when already fresh."""
        if self._refreshed:
            return False
        self._hood_of, self._partner_codes = self._known.get(self.session, fresh=True)
        self._refreshed = True
        return True

    def row(self, data: dict, received_at: datetime, print_: str) -> dict:
        """The record's row; its address_id is found while inserting it (_insert_records)."""
        partners = sorted(set(data["partners"]) | {self.user_partner_code})
        return {
            "id": data["id"],
            "channel": data["channel"],
            "street_id": data["street_id"],
            "address_id": None,
            "house_number": data["house_number"],
            "house_addition": data["house_addition"],
            "occurred_at": data["occurred_at"].astimezone(timezone.utc),
            "language": data["language"],
            "taalcoach_present": data["taalcoach_present"],
            "outcome": data["outcome"],
            "topics": data["topics"],
            "measures": data["measures"],
            "heard_via": data["heard_via"],
            "partners": partners,
            "partner_count": len(partners),
            "ambassador": data["ambassador"],
            "notes": data["notes"],
            "recorded_by_id": self.user_id,
            "recorded_by_partner_id": self.user_partner_id,
            "received_at": received_at,
            "fingerprint": print_,
        }

    def referral_rows(self, data: dict) -> list[dict]:
        if not data["referrals"]:
            return []  # most records: skip the local date below (a time zone conversion)
        default_due = local_date(data["occurred_at"]) + timedelta(days=self.due_days)
        return [
            {
                "record_id": data["id"],
                "street_id": data["street_id"],
                "occurred_at": data["occurred_at"].astimezone(timezone.utc),
                "position": position,
                "code": ref["code"],
                "consent": ref["consent"],
                "due_date": ref["due_date"] or (default_due if ref["consent"] else None),
                "consent_text_version": ref.get("consent_text_version"),
            }
            for position, ref in enumerate(data["referrals"])
        ]


@cache
def _address_query():
    # Core, not the ORM: a batch's streets and numbers match hundreds of register rows, and ORM
    # row loading cost more than the insert itself (bench/ingest.py, cProfile). Built once.
    table = Address.__table__
    return select(table.c.street_id, table.c.number, table.c.addition, table.c.id).where(
        table.c.street_id.in_(bindparam("street_ids", expanding=True)),
        table.c.number.in_(bindparam("numbers", expanding=True)))


def _set_address_ids(session: Session, rows: list[dict]) -> None:
    """SQLite: each row's registered address, looked up for all rows at once."""
    def key(row):
        return row["street_id"], row["house_number"], row["house_addition"] or ""

    wanted = {key(row) for row in rows if row["house_number"]}
    if not wanted:
        return
    found = session.connection().execute(
        _address_query(), {"street_ids": sorted({w[0] for w in wanted}), "numbers": sorted({w[1] for w in wanted})})
    address_ids = {(s, n, a): i for s, n, a, i in found if (s, n, a) in wanted}
    for row in rows:
        row["address_id"] = address_ids.get(key(row))


@cache
def _insert_or_nothing(dialect):
    # Core, not the ORM: the ORM's bulk path would insert these row by row.
    return dialect.insert(Record.__table__).on_conflict_do_nothing(index_elements=["id"])


RECORD_COLUMNS = [column.name for column in Record.__table__.columns]
# What PostgreSQL's record insert is sent: it finds the address itself (_array_record_insert).
SENT_RECORD_COLUMNS = [name for name in RECORD_COLUMNS if name != "address_id"]
REFERRAL_COLUMNS = [column.name for column in Referral.__table__.columns if column.name not in
                    ("id", "answered_at", "answered_by_id")]


def _registered_address(street_id, number, addition):
    """The id of the register's address at this street, number and addition (at most one: the
    register's unique constraint), as a scalar subquery."""
    addresses = Address.__table__
    return select(addresses.c.id).where(
        addresses.c.street_id == street_id, addresses.c.number == number,
        addresses.c.addition == func.coalesce(addition, "")).scalar_subquery()


@cache
def _array_record_insert():
    """PostgreSQL: records as one insert-or-nothing fed by one array per column (db.unnest_rows),
    each record's registered address looked up in the same statement (one round trip less than
    _set_address_ids); returns the ids it inserted with their address ids.

    The lookup is a scalar subquery rather than a join, so the rows are inserted in the order
    they were sent (see _insert_records)."""
    table = Record.__table__
    sent = unnest_rows(table, SENT_RECORD_COLUMNS).subquery("sent")
    address_id = _registered_address(sent.c.street_id, sent.c.house_number, sent.c.house_addition)
    rows = select(*[address_id.label(name) if name == "address_id" else sent.c[name] for name in RECORD_COLUMNS])
    return (postgresql.insert(table).from_select(RECORD_COLUMNS, rows)
            .on_conflict_do_nothing(index_elements=["id"]).returning(table.c.id, table.c.address_id))


@cache
def _single_record_insert():
    """PostgreSQL: the same for one record (a PUT), with plain values (db.value_binds)."""
    table = Record.__table__
    values = value_binds(table, SENT_RECORD_COLUMNS, "r_")
    values["address_id"] = _registered_address(values["street_id"], values["house_number"], values["house_addition"])
    return (postgresql.insert(table).values(values)
            .on_conflict_do_nothing(index_elements=["id"]).returning(table.c.id, table.c.address_id))


@cache
def _array_referral_insert(returning_ids: bool):
    """PostgreSQL: referrals the same way, returning each one's new id when asked."""
    table = Referral.__table__
    insert = table.insert().from_select(REFERRAL_COLUMNS, unnest_rows(table, REFERRAL_COLUMNS))
    return insert.returning(table.c.record_id, table.c.position, table.c.id) if returning_ids else insert


def _insert_records(session: Session, rows: list[dict]) -> set[uuid.UUID]:
    """Insert-or-nothing for rows with distinct ids, each given its registered address
    ("address_id"); returns the ids this transaction inserted.

    On PostgreSQL one statement takes them all, finds their addresses and returns what it
    inserted; the inserted rows get their "address_id" from it. On SQLite the addresses are
    looked up first, for all rows at once. There RETURNING
    on a many-row insert costs more than a plain executemany, so when several rows arrive, the
    plain insert is tried first inside a savepoint: if its row count says every row was
    inserted, those are exactly the ids inserted. Otherwise (some id already stored, or stored
    meanwhile by a concurrent request) it is undone and done again with RETURNING.
    """
    dialect = conflict_dialect(session)
    if dialect is postgresql:
        # In id order, so that two requests sharing ids wait for each other in one order.
        rows = sorted(rows, key=lambda row: row["id"])
        if len(rows) == 1:
            result = session.execute(_single_record_insert(), row_values(SENT_RECORD_COLUMNS, rows[0], "r_"))
        else:
            result = session.execute(_array_record_insert(), row_arrays(Record.__table__, SENT_RECORD_COLUMNS, rows))
        inserted = {record_id: address_id for record_id, address_id in result}
        for row in rows:
            if row["id"] in inserted:
                row["address_id"] = inserted[row["id"]]
        return set(inserted)
    _set_address_ids(session, rows)
    insert = _insert_or_nothing(dialect)
    if len(rows) > 1:
        savepoint = session.begin_nested()
        result = session.connection().execution_options(preserve_rowcount=True).execute(insert, rows)
        if result.rowcount == len(rows):
            savepoint.commit()
            return {row["id"] for row in rows}
        savepoint.rollback()
    return set(session.connection().execute(insert.returning(Record.__table__.c.id), rows).scalars())


def _insert_referrals(session: Session, rows: list[dict], set_ids: bool) -> None:
    """Insert referral rows; with set_ids, set each one's new "id" (RETURNING: on SQLite it
    turns the executemany into multi-row inserts that cost a referral about 9 µs more)."""
    table = Referral.__table__
    if conflict_dialect(session) is postgresql:
        inserted = session.execute(_array_referral_insert(set_ids), row_arrays(table, REFERRAL_COLUMNS, rows))
    elif set_ids:
        inserted = session.execute(table.insert().returning(table.c.record_id, table.c.position, table.c.id), rows)
    else:
        session.execute(table.insert(), rows)
    if set_ids:
        ids = {(record_id, position): id_ for record_id, position, id_ in inserted}
        for row in rows:
            row["id"] = ids[row["record_id"], row["position"]]


def store(ctx: IngestContext, items: list[dict], with_rows: bool = False) -> list[Outcome]:
    """Store loaded, database-checked records; one Outcome per item, in order. with_rows: each
    created record's Outcome carries its stored columns and its referrals with their ids.

    The caller holds the write transaction and commits it.
    """
    session = ctx.session
    received_at = utcnow()
    prints = [fingerprint(data, ctx.user_id) for data in items]
    first_print: dict[uuid.UUID, str] = {}
    rows = []
    for data, print_ in zip(items, prints):
        if data["id"] not in first_print:
            first_print[data["id"]] = print_
            rows.append(ctx.row(data, received_at, print_))

    inserted = _insert_records(session, rows) if rows else set()
    referral_rows = [r for data in items if data["id"] in inserted for r in ctx.referral_rows(data)]
    # A UUID repeated inside one batch: only its first occurrence inserted referrals.
    referral_rows = list({(r["record_id"], r["position"]): r for r in referral_rows}.values())
    if referral_rows:
        _insert_referrals(session, referral_rows, set_ids=with_rows)
    tallies.add(session, [row for row in rows if row["id"] in inserted],
                {r["record_id"] for r in referral_rows if r["consent"]})

    stored = {}
    missing = [row["id"] for row in rows if row["id"] not in inserted]
    if missing:
        stored = dict(session.execute(select(Record.id, Record.fingerprint).where(Record.id.in_(missing))).all())

    outcomes = []
    claimed: set[uuid.UUID] = set()
    rows_by_id: dict[uuid.UUID, dict] = {}
    referrals_of: dict[uuid.UUID, list[dict]] = {}
    if with_rows:
        rows_by_id = {row["id"]: row for row in rows}
        for referral in referral_rows:
            referrals_of.setdefault(referral["record_id"], []).append(referral)
    for data, print_ in zip(items, prints):
        rid = data["id"]
        if rid in inserted and rid not in claimed:
            claimed.add(rid)
            outcomes.append(Outcome(rid, CREATED, row=rows_by_id[rid], referrals=referrals_of.get(rid, []))
                            if with_rows else Outcome(rid, CREATED))
            continue
        existing = first_print[rid] if rid in inserted else stored.get(rid)
        outcomes.append(Outcome(rid, DUPLICATE if existing == print_ else CONFLICT))
    return outcomes


def get_record(session: Session, record_id: uuid.UUID) -> Record | None:
    return session.get(Record, record_id)


def visible_records(user: User):
    """The records a user may read: their own, or all of their neighbourhoods for coordinators."""
    stmt = select(Record).join(Street, Record.street_id == Street.id).where(
        Street.neighbourhood_id.in_(user.neighbourhood_ids)
    )
    if not user.sees_all_records:
        stmt = stmt.where(Record.recorded_by_id == user.id)
    return stmt


def encode_cursor(record: Record) -> str:
    raw = json.dumps([record.occurred_at.isoformat(), record.id.hex])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        at_text, id_hex = json.loads(base64.urlsafe_b64decode(padded.encode()))
        return datetime.fromisoformat(at_text), uuid.UUID(hex=id_hex)
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError):
        from marshmallow import ValidationError

        raise ValidationError({"cursor": [N_("This page link is no longer valid.")]}) from None


def list_records(session: Session, user: User, query: dict) -> tuple[list[Record], str | None]:
    stmt = visible_records(user)
    if "street_id" in query:
        stmt = stmt.where(Record.street_id == query["street_id"])
    if "channel" in query:
        stmt = stmt.where(Record.channel == query["channel"])
    start, end = period_bounds(query.get("date_from"), query.get("date_to"))
    if start is not None:
        stmt = stmt.where(Record.occurred_at >= start)
    if end is not None:
        stmt = stmt.where(Record.occurred_at < end)
    if query.get("cursor"):
        at, rid = decode_cursor(query["cursor"])
        at = as_utc(at)
        stmt = stmt.where(or_(Record.occurred_at < at, and_(Record.occurred_at == at, Record.id < rid)))
    limit = query["limit"]
    page = list(session.scalars(stmt.order_by(Record.occurred_at.desc(), Record.id.desc()).limit(limit + 1)))
    next_cursor = encode_cursor(page[limit - 1]) if len(page) > limit else None
    return page[:limit], next_cursor


def link_records(session: Session, street_ids: set[int]) -> int:
    """Attach records typed at a number the register did not know yet to the new address."""
    if not street_ids:
        return 0
    match = (
        select(Address.id)
        .where(
            Address.street_id == Record.street_id,
            Address.number == Record.house_number,
            Address.addition == func.coalesce(Record.house_addition, ""),
        )
        .scalar_subquery()
    )
    result = session.execute(
        update(Record)
        .where(Record.street_id.in_(street_ids), Record.address_id.is_(None), Record.house_number.is_not(None))
        .values(address_id=match)
        .execution_options(synchronize_session=False)
    )
    linked = result.rowcount or 0
    if linked:
        tallies.rebuild(session, street_ids)
    else:
        tallies.mark_changed(session, street_ids)  # their households and tenure may have changed
    return linked

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
from datetime import datetime, timedelta, timezone

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from .. import hooks
from ..accounts.models import Partner, User
from ..codes import ownership_bits
from ..db import writes
from ..i18n.messages import N_
from ..meetings.models import Meeting
from ..streets.models import Address, Street
from ..timeutil import as_utc, local_date, period_bounds, utcnow
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
    canonical = {k: v for k, v in data.items() if k not in ("id", "ownership")}
    # Before ownership codes a record hashed `ambassador` (false when not sent). A record whose
    # only code is that one hashes as it did then, so a phone retrying a record it sent before
    # the update, in either shape, gets its 200; any other code is hashed as the list.
    ownership = data.get("ownership") or []
    canonical["ambassador"] = "ambassador" in ownership
    if set(ownership) - {"ambassador"}:
        canonical["ownership"] = ownership
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
        # Read once a request, not once a record: an ORM attribute read is not free.
        self.user_id, self.user_partner_id, self.user_partner_code = user.id, user.partner_id, user.partner.code
        self._known = known or KnownStreetsAndPartners()
        self._hood_of, self._partner_codes = self._known.get(session)
        self._refreshed = known is None
        self._meetings_ok: dict[uuid.UUID, bool] = {}
        self._initiatives: dict[int, int | None] = {}

    def check(self, data: dict) -> dict:
        """Checks that need the database; returns per-field messages (empty when fine)."""
        errors: dict = {}
        street_id, partners = data["street_id"], data["partners"]
        if not (self._street_allowed(street_id) or self._refresh() and self._street_allowed(street_id)):
            # Same message for "does not exist" and "not yours": no probing other neighbourhoods.
            errors["street_id"] = [N_("Unknown street.")]
        if not (self._partners_known(partners) or self._refresh() and self._partners_known(partners)):
            errors["partners"] = [N_("Unknown partner.")]
        meeting = data.get("meeting")
        if meeting is not None and not self._meeting_allowed(meeting):
            # As for streets: one message for "does not exist" and "another neighbourhood's".
            errors["meeting"] = [N_("Unknown meeting.")]
        initiative = data.get("initiative")
        if initiative is not None and self._initiative_hood(initiative) != self._hood_of.get(street_id):
            errors["initiative"] = [N_("Not a running initiative of your organisation in this neighbourhood.")]
        return errors

    def _meeting_allowed(self, meeting_id: uuid.UUID) -> bool:
        if meeting_id not in self._meetings_ok:
            self._meetings_ok[meeting_id] = self.session.scalar(
                select(Meeting.id).where(Meeting.id == meeting_id,
                                         Meeting.neighbourhood_id.in_(self.neighbourhood_ids))) is not None
        return self._meetings_ok[meeting_id]

    def _initiative_hood(self, initiative_id: int) -> int | None:
        """The neighbourhood of a running initiative the user's partner takes part in (asked of the
        package that keeps initiatives, above this one), once a request per initiative."""
        if initiative_id not in self._initiatives:
            answers = hooks.ask(hooks.INITIATIVES_OPEN_TO, self.session, partner_id=self.user_partner_id,
                                neighbourhood_ids=self.neighbourhood_ids, initiative_ids=[initiative_id])
            self._initiatives[initiative_id] = next((a[initiative_id] for a in answers if initiative_id in a), None)
        return self._initiatives[initiative_id]

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
        """The record's row; its address_id is found while inserting it (registered_address)."""
        partners = sorted(set(data["partners"]) | {self.user_partner_code})
        return {
            "id": data["id"],
            "channel": data["channel"],
            "street_id": data["street_id"],
            "house_number": data["house_number"],
            "house_addition": data["house_addition"],
            "occurred_at": data["occurred_at"].astimezone(timezone.utc),
            "language": data["language"],
            "taalcoach_present": data["taalcoach_present"],
            "outcome": data["outcome"],
            "topics": data["topics"],
            "measures": data["measures"],
            "handed_out": data.get("handed_out") or [],
            "heard_via": data["heard_via"],
            "partners": partners,
            "partner_count": len(partners),
            "ownership": data["ownership"],
            "ownership_bits": ownership_bits(data["ownership"]),
            "notes": data["notes"],
            "meeting_id": data.get("meeting"),
            "initiative_id": data.get("initiative"),
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


def registered_address(columns):
    """The id of the register's address at a record's street, number and addition (at most one:
    the register's unique constraint), as a scalar subquery over `columns` (a record's columns
    or the ones being inserted). Found while storing a record, and again when the register
    learns a number that records were typed at."""
    addresses = Address.__table__
    return select(addresses.c.id).where(
        addresses.c.street_id == columns["street_id"], addresses.c.number == columns["house_number"],
        addresses.c.addition == func.coalesce(columns["house_addition"], "")).scalar_subquery()


def record_address(columns):
    """The registered address of the record a referral belongs to (a scalar subquery over the
    referral's columns): read from the record just inserted, in the same transaction."""
    return select(RECORDS.c.address_id).where(RECORDS.c.id == columns["record_id"]).scalar_subquery()


RECORDS = Record.__table__
REFERRALS = Referral.__table__
FOUND_IN_SQL = (("address_id", registered_address),)
REFERRAL_FOUND_IN_SQL = (("address_id", record_address),)


def store(ctx: IngestContext, items: list[dict], with_rows: bool = False) -> list[Outcome]:
    """Store loaded, database-checked records; one Outcome per item, in order. with_rows: each
    created record's Outcome carries its stored columns and its referrals with their ids.

    The caller holds the write transaction and commits it; the records inserted are announced
    in it (hooks.RECORDS_STORED), so whatever is counted from them commits with them.
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

    returning = ("id", "address_id") if with_rows else ("id",)
    inserted_rows = writes(session).insert_rows(session, RECORDS, rows, skip_existing=("id",), returning=returning,
                                                computed=FOUND_IN_SQL) if rows else []
    inserted = {row[0] for row in inserted_rows}
    referral_rows = [r for data in items if data["id"] in inserted for r in ctx.referral_rows(data)]
    # A UUID repeated inside one batch: only its first occurrence inserted referrals.
    referral_rows = list({(r["record_id"], r["position"]): r for r in referral_rows}.values())
    if referral_rows:
        # Their new ids only when the answer shows them (a PUT): RETURNING costs SQLite more.
        ids = writes(session).insert_rows(session, REFERRALS, referral_rows, computed=REFERRAL_FOUND_IN_SQL,
                                          returning=("record_id", "position", "id") if with_rows else ())
        id_of = {(record_id, position): id_ for record_id, position, id_ in ids}
        for referral in referral_rows:
            referral["id"] = id_of.get((referral["record_id"], referral["position"]))
    if inserted:
        hooks.announce(hooks.RECORDS_STORED, session, record_ids=list(inserted),
                       street_ids=sorted({row["street_id"] for row in rows if row["id"] in inserted}),
                       consented_ids=list({r["record_id"] for r in referral_rows if r["consent"]}),
                       consented_since=min((local_date(r["occurred_at"]) for r in referral_rows if r["consent"]),
                                           default=None),
                       measured_ids=[row["id"] for row in rows if row["id"] in inserted and row["measures"]])

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
        for record_id, address_id in inserted_rows:
            rows_by_id[record_id]["address_id"] = address_id
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


def copy_record_addresses(session: Session, table, street_ids: list[int] | None) -> None:
    """The rows of `table` that copy a record's address (referrals, installed measures) on these
    streets (every street when None) take their record's address again."""
    stmt = update(table).values(address_id=record_address(table.c))
    if street_ids is not None:
        if not street_ids:
            return
        stmt = stmt.where(table.c.street_id.in_(sorted(set(street_ids))))
    session.execute(stmt.execution_options(synchronize_session=False))


def follow_addresses(session: Session, street_ids: list[int] | None) -> None:
    """Records of these streets changed in place (a number linked to the register, an erasure,
    the retention's strip): their referrals follow (hooks.RECORDS_CHANGED)."""
    copy_record_addresses(session, REFERRALS, street_ids)


def link_records(session: Session, street_ids: set[int]) -> int:
    """Attach records typed at a number the register did not know yet to the new address."""
    if not street_ids:
        return 0
    result = session.execute(
        update(Record)
        .where(Record.street_id.in_(street_ids), Record.address_id.is_(None), Record.house_number.is_not(None),
               # Numbers the register still does not know stay as they are, and are not counted.
               registered_address(RECORDS.c).is_not(None))
        .values(address_id=registered_address(RECORDS.c))
        .execution_options(synchronize_session=False)
    )
    linked = result.rowcount or 0
    ids = sorted(street_ids)
    if linked:
        hooks.announce(hooks.RECORDS_CHANGED, session, street_ids=ids)
    else:
        hooks.announce(hooks.STREETS_CHANGED, session, street_ids=ids)  # their households and tenure may have changed
    return linked

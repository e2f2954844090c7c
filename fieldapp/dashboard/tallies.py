"""Running all-time tallies per address, kept in step with the records as they change.

The dashboard's all-time view (the default, and what the map shows) would otherwise group
every record ever made on every request. These tables hold the same per-address groups that
query makes, so the all-time view reads one row per address instead. A chosen period still
groups the records themselves (queries.py).

Every tally row comes from one set of statements: group the chosen records (`record_columns`)
and merge the groups into the stored rows. Records just stored are folded in by their ids;
records changed in place (linking to a new address, retention, erasure) or loaded around
records.operations.store are recounted per street. Records announce both through
fieldapp.hooks, inside the transaction that made the change, and each street's version is
raised in it too.

`record_columns` is the one definition of the ladder's record-level rules: the period query
groups the same columns.
"""
from __future__ import annotations

from functools import cache

from sqlalchemy import Integer, String, and_, case, delete, func, literal_column, or_, select, true
from sqlalchemy.orm import Session

from .. import hooks
from ..codes import CHANNELS, NO_CONTACT_OUTCOMES, OWNERSHIP
from ..db import Writes, writes
from ..records.models import Record, Referral
from ..sqlfuncs import week_start
from ..streets.models import Street
from .models import AddressTally, StreetLanguageTally, StreetVersion, StreetWeekTally

ANONYMOUS = 0  # address_key of a street's records without a registered address

T = AddressTally.__table__
L = StreetLanguageTally.__table__
V = StreetVersion.__table__
W = StreetWeekTally.__table__
R = Record.__table__
F = Referral.__table__
S = Street.__table__
SUMMED = ("records", "refusals", "taalcoach", "koppel", *(f"ch_{code}" for code in CHANNELS.codes),
          *(f"own_{code}" for code in OWNERSHIP.codes), "consented_records")


def _sql(value):
    """A number or code written into the statement's text instead of bound as a parameter: these
    statements run with every record stored, and each bound or expanded constant is processed
    again on every run."""
    if isinstance(value, int):
        return literal_column(str(value), Integer)
    assert isinstance(value, str) and value.isidentifier(), value  # our own codes, nothing to escape
    return literal_column(f"'{value}'", String)


def _count_if(condition):
    return func.sum(case((condition, _sql(1)), else_=_sql(0)))


def _is(column, *codes):
    return column == _sql(codes[0]) if len(codes) == 1 else column.in_([_sql(code) for code in codes])


def record_columns(table=R) -> list:
    """Per-(street, address) aggregates of records: counts, and what decides the ladder step."""
    contact = func.coalesce(table.c.outcome, literal_column("''", String)).not_in(
        [_sql(code) for code in NO_CONTACT_OUTCOMES])
    step4 = and_(or_(_is(table.c.channel, "klus", "visit"), _is(table.c.outcome, "let_in")), contact)
    step2 = or_(_is(table.c.outcome, "talked", "let_in"), _is(table.c.channel, "loket", "event"))
    return [
        func.count().label("records"),
        _count_if(_is(table.c.outcome, "refused")).label("refusals"),
        _count_if(table.c.taalcoach_present == true()).label("taalcoach"),
        _count_if(table.c.partner_count >= _sql(2)).label("koppel"),
        # The highest step a record gives on its own (steps 3 and "returned" need other rows):
        # one aggregate instead of a flag per step keeps the per-record work small.
        func.max(case((table.c.ownership_bits != _sql(0), _sql(5)), (step4, _sql(4)), (step2, _sql(2)),
                      else_=_sql(1))).label("best"),
        # The latest walk-in is enough: if any walk-in had an earlier record, this one has.
        func.max(case((_is(table.c.channel, "loket"), table.c.occurred_at), else_=None)).label("last_loket"),
        func.min(table.c.occurred_at).label("first_at"),
        *[_count_if(_is(table.c.channel, code)).label(f"ch_{code}") for code in CHANNELS.codes],
        # Records carrying each ownership code (its bit in the mask, codes.ownership_bits).
        *[_count_if(table.c.ownership_bits.op("&")(_sql(1 << i)) != _sql(0)).label(f"own_{code}")
          for i, code in enumerate(OWNERSHIP.codes)],
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


def _addresses(w: Writes, records, referrals):
    """Count `records` (the records table or a selection of its rows) into address tallies.
    Whether each holds a consented referral is read from the chosen `referrals`, grouped once
    per record. The consent flag is aggregated, not filtered on: without table statistics
    SQLite would otherwise read the referrals through an index that leads with consent, every
    consented referral for every batch, instead of through the record's own."""
    key = func.coalesce(records.c.address_id, _sql(ANONYMOUS)).label("address_key")
    consent = (
        select(F.c.record_id, func.max(case((F.c.consent == true(), _sql(1)), else_=_sql(0))).label("held"))
        .where(referrals).group_by(F.c.record_id).subquery()
    )
    counted = [*record_columns(records), _count_if(consent.c.held == _sql(1)).label("consented_records")]
    grouped = (
        select(records.c.street_id, key, *counted)
        .select_from(records.outerjoin(consent, consent.c.record_id == records.c.id))
        .group_by(records.c.street_id, key)
        # One order for every writer, so concurrent transactions lock tally rows in the same
        # sequence and cannot deadlock each other on PostgreSQL.
        .order_by(records.c.street_id, key)
    )
    return w.upsert(T, ("street_id", "address_key"), _merged, grouped,
                    ["street_id", "address_key", *(column.name for column in counted)])


def _languages(w: Writes, records):
    grouped = (
        select(records.c.street_id, records.c.language, func.count().label("records"))
        .group_by(records.c.street_id, records.c.language)
        .order_by(records.c.street_id, records.c.language)
    )
    return w.upsert(L, ("street_id", "language"), lambda new: {"records": L.c.records + new.records}, grouped,
                    ["street_id", "language", "records"])


def _weeks(w: Writes, records):
    week = week_start(records.c.occurred_at)
    grouped = (
        select(records.c.street_id, week, records.c.channel, func.count().label("records"))
        .group_by(records.c.street_id, week, records.c.channel)
        .order_by(records.c.street_id, week, records.c.channel)
    )
    return w.upsert(W, ("street_id", "week", "channel"), lambda new: {"records": W.c.records + new.records},
                    grouped, ["street_id", "week", "channel", "records"])


def _versions(w: Writes, street_ids):
    """Raise the version of the streets the one-column select `street_ids` gives (sorted, so
    concurrent writers lock the rows in the same order)."""
    street_id = street_ids.selected_columns[0]
    changed = street_ids.add_columns(_sql(1)).group_by(street_id).order_by(street_id)
    return w.upsert(V, ("street_id",), lambda _new: {"version": V.c.version + _sql(1)}, changed,
                    ["street_id", "version"])


# What the tallies read of a record.
COUNTED = ("id", "street_id", "address_id", "occurred_at", "channel", "outcome", "language", "taalcoach_present",
           "partner_count", "ownership_bits")


@cache
def _statements(w: Writes, scope: str) -> tuple:
    """The four upserts that count records in (address, language and week tallies, then the
    versions), built once per database and scope:
      records  the records whose ids are the parameter record_ids (just stored), on the
               streets in street_ids: read once into a WITH clause that the three tallies
               share when the database runs them as one statement;
      streets  every record of the streets in street_ids (after a delete: a recount);
      all      every record."""
    if scope == "records":
        records = select(*[R.c[name] for name in COUNTED]).where(w.one_of(R.c.id, "record_ids")).cte("chosen")
        referrals = w.one_of(F.c.record_id, "record_ids")
        streets = select(S.c.id).where(w.one_of(S.c.id, "street_ids"))
    elif scope == "streets":
        records = select(*[R.c[name] for name in COUNTED]).where(w.one_of(R.c.street_id, "street_ids")).subquery()
        referrals = w.one_of(F.c.street_id, "street_ids")
        streets = select(S.c.id).where(w.one_of(S.c.id, "street_ids"))
    else:
        records, referrals, streets = R, true(), select(S.c.id)
    return (_addresses(w, records, referrals), _languages(w, records), _weeks(w, records), _versions(w, streets))


def fold_in(session: Session, record_ids: list, street_ids: list[int], **_facts) -> None:
    """Count records just inserted into the tallies (hooks.RECORDS_STORED)."""
    w = writes(session)
    w.execute_together(session, _statements(w, "records"),
                       {"record_ids": list(record_ids), "street_ids": sorted(set(street_ids))})


def raise_versions(session: Session, street_ids: list[int]) -> None:
    """Something on these streets changed besides their records (hooks.STREETS_CHANGED)."""
    ids = sorted(set(street_ids))
    if ids:
        w = writes(session)
        session.execute(_statements(w, "streets")[-1], {"street_ids": ids})


def rebuild(session: Session, street_ids: list[int] | None = None) -> None:
    """Recount the tallies of these streets (every street when None) from their records
    (hooks.RECORDS_CHANGED; `fieldapp rebuild-tallies`)."""
    w = writes(session)
    if street_ids is None:
        for table in (T, L, W):
            session.execute(delete(table))
        w.execute_together(session, _statements(w, "all"), {})
        return
    ids = sorted(set(street_ids))
    if not ids:
        return
    for table in (T, L, W):
        session.execute(delete(table).where(table.c.street_id.in_(ids)))
    w.execute_together(session, _statements(w, "streets"), {"street_ids": ids})


def listen() -> None:
    """Keep the tallies in step with what records announce."""
    hooks.listen(hooks.RECORDS_STORED, fold_in)
    hooks.listen(hooks.RECORDS_CHANGED, rebuild)
    hooks.listen(hooks.STREETS_CHANGED, raise_versions)

"""What the law asks of the records: delete on schedule, erase or export on a resident's request.

A record's personal part is what ties it to one household: the house number and addition, the
link to the address register (which gives the same), and the free-text notes. Retention and
erasure remove exactly that part and keep the rest (street, channel, time, language, outcome,
topics, measures, partners, referrals), so street-level counts stay what they were.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.orm import Session

from .. import hooks
from ..records.models import Record, Referral
from ..streets.models import Address, Neighbourhood, Street
from ..streets.operations import normalise_addition
from ..timeutil import utcnow

PERSONAL_FIELDS = {"address_id": None, "house_number": None, "house_addition": None, "notes": None}


def months_before(moment: datetime, months: int) -> datetime:
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def _open_referral(record_id_column):
    return exists().where(
        Referral.record_id == record_id_column, Referral.consent.is_(True), Referral.answered_at.is_(None),
        Referral.closed_at.is_(None),
    )


def _has_personal_part():
    return or_(
        Record.address_id.is_not(None), Record.house_number.is_not(None),
        Record.house_addition.is_not(None), Record.notes.is_not(None),
    )


@dataclass
class RetentionResult:
    cutoff: datetime
    anonymised: int
    kept_for_open_referral: int


def apply_retention(session: Session, months: int, now: datetime | None = None) -> RetentionResult:
    """Strip the personal part of records older than `months`, unless an open referral needs it.

    Idempotent: a second run finds nothing left to strip, so it is safe nightly.
    """
    cutoff = months_before(now or utcnow(), months)
    old = and_(Record.occurred_at < cutoff, _has_personal_part())
    kept = session.scalar(select(func.count()).select_from(Record).where(old, _open_referral(Record.id)))
    streets = select(Record.street_id).where(old, ~_open_referral(Record.id)).distinct()
    affected = list(session.scalars(streets))
    result = session.execute(
        update(Record).where(old, ~_open_referral(Record.id)).values(**PERSONAL_FIELDS)
        .execution_options(synchronize_session=False)
    )
    # Stripped records become anonymous contacts of their street: what is counted from them follows.
    hooks.announce(hooks.RECORDS_CHANGED, session, street_ids=affected)
    return RetentionResult(cutoff, result.rowcount or 0, kept or 0)


@dataclass
class AddressRef:
    street: Street
    number: int
    addition: str
    address_id: int | None


def find_address(session: Session, neighbourhood: str, street: str, number: int, addition: str = "") -> AddressRef:
    found = session.scalar(
        select(Street).join(Neighbourhood).where(Neighbourhood.name == neighbourhood, Street.name == street)
    )
    if found is None:
        raise LookupError(f"no street {street!r} in neighbourhood {neighbourhood!r}")
    addition = normalise_addition(addition)
    address_id = session.scalar(
        select(Address.id).where(Address.street_id == found.id, Address.number == number, Address.addition == addition)
    )
    return AddressRef(found, number, addition, address_id)


def _at_address(ref: AddressRef):
    """Linked to the register row, or typed with the same number at an unknown address."""
    same_number = and_(
        Record.street_id == ref.street.id, Record.house_number == ref.number,
        func.coalesce(Record.house_addition, "") == ref.addition,
    )
    return or_(Record.address_id == ref.address_id, same_number) if ref.address_id else same_number


def export_address(session: Session, ref: AddressRef) -> dict:
    """Everything stored about one address, for the resident's access request."""
    records = session.scalars(select(Record).where(_at_address(ref)).order_by(Record.occurred_at)).all()
    return {
        "address": {"street": ref.street.name, "number": ref.number, "addition": ref.addition,
                    "in_address_register": ref.address_id is not None},
        "exported_at": utcnow().isoformat(),
        "records": [
            {
                "id": str(r.id), "channel": r.channel, "occurred_at": r.occurred_at.isoformat(),
                "language": r.language, "taalcoach_present": r.taalcoach_present, "outcome": r.outcome,
                "topics": r.topics, "measures": r.measures, "handed_out": r.handed_out, "heard_via": r.heard_via,
                "partners": r.partners,
                "ownership": r.ownership, "notes": r.notes,
                # The organisation, not the volunteer: the volunteer's name is their own personal data.
                "recorded_by_partner": r.recorded_by.partner.code,
                "referrals": [
                    {"code": ref_.code, "consent": ref_.consent, "consent_text_version": ref_.consent_text_version,
                     "due_date": ref_.due_date.isoformat() if ref_.due_date else None,
                     "answered_at": ref_.answered_at.isoformat() if ref_.answered_at else None}
                    for ref_ in r.referrals
                ],
            }
            for r in records
        ],
    }


@dataclass
class ErasureResult:
    records: int
    referrals_withdrawn: int


def erase_address(session: Session, ref: AddressRef) -> ErasureResult:
    """Strip the personal part of every record at the address, open referrals included.

    The resident withdrew: their open referrals become declined offers (consent false), so no
    follow-up is promised to an address nobody may know any more.
    """
    ids = list(session.scalars(select(Record.id).where(_at_address(ref))))
    if not ids:
        return ErasureResult(0, 0)
    # Before the consent below changes: the desk closes what it holds for them as withdrawn.
    hooks.announce(hooks.REFERRALS_WITHDRAWN, session, record_ids=ids)
    withdrawn = session.execute(
        update(Referral).where(Referral.record_id.in_(ids), Referral.consent.is_(True), Referral.answered_at.is_(None))
        .values(consent=False, due_date=None).execution_options(synchronize_session=False)
    ).rowcount or 0
    session.execute(
        update(Record).where(Record.id.in_(ids)).values(**PERSONAL_FIELDS).execution_options(synchronize_session=False)
    )
    hooks.announce(hooks.RECORDS_CHANGED, session, street_ids=[ref.street.id])
    return ErasureResult(len(ids), withdrawn)

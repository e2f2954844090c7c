"""Referrals: the follow-up queue and marking one answered, so response times are real."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from marshmallow import ValidationError
from sqlalchemy import case, select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..db import write_transaction
from ..i18n.messages import N_
from ..records import tallies
from ..records.models import Record, Referral
from ..streets.models import Street
from ..timeutil import as_utc, utcnow

FUTURE_TOLERANCE = timedelta(minutes=5)


class AlreadyAnswered(Exception):
    def __init__(self, referral: Referral):
        super().__init__(referral.id)
        self.referral = referral


def referral_in_scope(session: Session, user: User, referral_id: int) -> Referral | None:
    """The referral when it belongs to a street of the user's neighbourhoods, else None."""
    return session.scalar(
        select(Referral)
        .join(Record, Referral.record_id == Record.id)
        .join(Street, Record.street_id == Street.id)
        .where(Referral.id == referral_id, Street.neighbourhood_id.in_(user.neighbourhood_ids))
    )


def answer(session: Session, user: User, referral: Referral, answered_at: datetime | None) -> Referral:
    """Mark a consented referral answered. Answering twice is refused: the first answer stands."""
    if not referral.consent:
        raise ValidationError({"referral": [N_("The resident declined this referral: there is nothing to answer.")]})
    now = utcnow()
    answered_at = as_utc(answered_at) if answered_at else now
    if answered_at > now + FUTURE_TOLERANCE:
        raise ValidationError({"answered_at": [N_("Cannot lie in the future.")]})
    if answered_at < as_utc(referral.record.occurred_at):
        raise ValidationError({"answered_at": [N_("Cannot lie before the contact itself.")]})
    with write_transaction(session):
        # Re-read under the write lock: two coordinators pressing at once give one answer.
        session.refresh(referral, with_for_update=True)
        if referral.answered_at is not None:
            raise AlreadyAnswered(referral)
        referral.answered_at = answered_at
        referral.answered_by_id = user.id
        tallies.mark_changed(session, [referral.street_id])  # its open count and median move
    return referral


@dataclass
class QueueItem:
    referral_id: int
    code: str
    due_date: date | None
    occurred_at: datetime
    street_id: int
    street: str
    house_number: int | None
    house_addition: str | None
    language: str
    overdue: bool


def queue(session: Session, user: User, today: date, limit: int = 500) -> list[QueueItem]:
    """Open referrals of the user's neighbourhoods, oldest due date first (overdue on top)."""
    stmt = (
        select(Referral.id, Referral.code, Referral.due_date, Record.occurred_at, Street.id, Street.name,
               Record.house_number, Record.house_addition, Record.language)
        .join(Record, Referral.record_id == Record.id)
        .join(Street, Record.street_id == Street.id)
        .where(
            Street.neighbourhood_id.in_(user.neighbourhood_ids),
            Referral.consent == True,  # noqa: E712
            Referral.answered_at.is_(None),
        )
        .order_by(case((Referral.due_date.is_(None), 1), else_=0), Referral.due_date, Record.occurred_at,
                  Referral.id)
        .limit(limit)
    )
    return [
        QueueItem(rid, code, due, as_utc(at), sid, name, number, addition, language,
                  due is not None and due < today)
        for rid, code, due, at, sid, name, number, addition, language in session.execute(stmt)
    ]

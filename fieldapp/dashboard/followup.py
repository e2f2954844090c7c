"""Referrals: the follow-up queue of open referrals. Answering one is the desk's (followup)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..records.models import Record, Referral
from ..streets.models import Street
from ..timeutil import as_utc


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
            Referral.closed_at.is_(None),
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

"""Answering a referral: the promise to the resident is kept, and when."""
from __future__ import annotations

from datetime import datetime, timedelta

from marshmallow import ValidationError
from sqlalchemy.orm import Session

from .. import hooks
from ..accounts.models import User
from ..db import write_transaction
from ..i18n.messages import N_
from ..timeutil import as_utc, utcnow
from .models import Referral

FUTURE_TOLERANCE = timedelta(minutes=5)


class AlreadyAnswered(Exception):
    def __init__(self, referral: Referral):
        super().__init__(referral.id)
        self.referral = referral


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
        # Its street's open count and median move.
        hooks.announce(hooks.STREETS_CHANGED, session, street_ids=[referral.street_id])
    return referral

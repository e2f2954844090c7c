"""Reading the desk: the list a user may see, filtered and paged, and each referral as a card."""
from __future__ import annotations

import base64
import binascii
import json
from datetime import date
from types import SimpleNamespace

from marshmallow import ValidationError
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, contains_eager

from ..accounts.models import Partner, User
from ..i18n.messages import N_
from ..records.models import Referral
from ..streets.models import Street
from ..validation import INT32_MAX
from .access import sees_address, visible_followups
from .models import FollowUp

# Sorting puts a referral without a due date (none is stored for a consented one today) last,
# on both databases, and the cursor can name it.
NO_DUE_DATE = date(9999, 12, 31)


def _due(column):
    return func.coalesce(column, NO_DUE_DATE)


def _encode(followup: FollowUp) -> str:
    due = followup.referral.due_date or NO_DUE_DATE
    raw = json.dumps([due.isoformat(), followup.referral_id])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str) -> tuple[date, int]:
    try:
        due, referral_id = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
        if not isinstance(referral_id, int) or not 0 <= referral_id <= INT32_MAX:
            raise ValueError(referral_id)
        return date.fromisoformat(due), referral_id
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError):
        raise ValidationError({"cursor": [N_("This page link is no longer valid.")]}) from None


def list_followups(session: Session, user: User, query: dict) -> tuple[list[FollowUp], str | None]:
    """Oldest due date first (so overdue ones on top), then by id; a cursor for the next page."""
    if "partner" in query and session.scalar(select(Partner.id).where(Partner.code == query["partner"])) is None:
        raise ValidationError({"partner": [N_("Unknown partner.")]})
    stmt = filtered(visible_followups(user), user, query)
    stmt = stmt.options(contains_eager(FollowUp.referral).joinedload(Referral.record))
    if "status" in query:
        stmt = stmt.where(FollowUp.status == query["status"])
    due = _due(Referral.due_date)
    if query.get("cursor"):
        after_due, referral_id = _decode(query["cursor"])
        stmt = stmt.where(or_(due > after_due, and_(due == after_due, FollowUp.referral_id > referral_id)))
    limit = query["limit"]
    page = list(session.scalars(stmt.order_by(due, FollowUp.referral_id).limit(limit + 1)).unique())
    return page[:limit], (_encode(page[limit - 1]) if len(page) > limit else None)


def filtered(stmt, user: User, query: dict):
    """The desk's filters besides status and paging, on a query of visible_followups: partner (a
    code), assignee (`me`, `none` or a username), language. The API's list and the office desk
    filter alike; an unknown username lists nothing, so nobody learns which names exist."""
    if query.get("partner"):
        stmt = stmt.where(FollowUp.partner_id == select(Partner.id).where(Partner.code == query["partner"])
                          .scalar_subquery())
    assignee = query.get("assignee")
    if assignee == "me":
        stmt = stmt.where(FollowUp.assignee_id == user.id)
    elif assignee == "none":
        stmt = stmt.where(FollowUp.assignee_id.is_(None))
    elif assignee:
        stmt = stmt.where(FollowUp.assignee_id == select(User.id).where(User.username == assignee).scalar_subquery())
    if query.get("language"):
        stmt = stmt.where(FollowUp.language == query["language"].lower())
    return stmt


def card(followup: FollowUp, user: User, today: date, street_names: dict[int, str], **extra) -> SimpleNamespace:
    """The referral as ReferralCard dumps it; the house number only for those who may see it."""
    referral = followup.referral
    shown = sees_address(user, followup)
    return SimpleNamespace(
        referral_id=followup.referral_id, referral=referral, status=followup.status,
        partner=followup.partner, assignee=followup.assignee, language=followup.language,
        street_name=street_names.get(referral.street_id), events=followup.events,
        house_number=referral.record.house_number if shown else None,
        house_addition=referral.record.house_addition if shown else None,
        overdue=followup.overdue_on(today), **extra,
    )


def street_names(session: Session, followups: list[FollowUp]) -> dict[int, str]:
    ids = {f.referral.street_id for f in followups}
    return dict(session.execute(select(Street.id, Street.name).where(Street.id.in_(ids))).all()) if ids else {}


def addresses_shown(cards: list[SimpleNamespace]) -> list[SimpleNamespace]:
    return [c for c in cards if c.house_number is not None]

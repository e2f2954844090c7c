"""Who may see a referral on the desk, its address, and send its events (DOMAIN.md, part two)."""
from __future__ import annotations

from sqlalchemy import select

from ..accounts.models import User
from ..records.models import Referral
from ..streets.models import Street
from .models import FollowUp

COORDINATORS = ("coordinator", "admin")


def visible_followups(user: User):
    """The desk as this user sees it: coordinators all of their neighbourhoods, everyone else the
    referrals routed to their own partner there."""
    stmt = (select(FollowUp).join(Referral, FollowUp.referral_id == Referral.id)
            .join(Street, Referral.street_id == Street.id)
            .where(Street.neighbourhood_id.in_(user.neighbourhood_ids)))
    if user.role not in COORDINATORS:
        stmt = stmt.where(FollowUp.partner_id == user.partner_id)
    return stmt


def sees_address(user: User, followup: FollowUp) -> bool:
    """The assignee and the neighbourhood's coordinators (the partner's among them)."""
    return user.role in COORDINATORS or followup.assignee_id == user.id


def may_send(user: User, followup: FollowUp) -> bool:
    """Contacted, scheduled, closed: the assignee, the routed partner's users, the coordinators."""
    return user.role in COORDINATORS or followup.assignee_id == user.id or followup.partner_id == user.partner_id


def may_assign(user: User, followup: FollowUp, username: str) -> bool:
    """Coordinators assign; a partner's user may take an unassigned referral of their partner for
    themselves. Asked before the named user is looked up: whether that user exists is none of
    the business of somebody who may not assign them."""
    if user.role in COORDINATORS:
        return True
    return followup.assignee_id is None and username == user.username and followup.partner_id == user.partner_id

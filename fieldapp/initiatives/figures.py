"""What an initiative shows: stalled or not, and what is linked to it (records, reached addresses,
referrals, meetings and the heads they counted). SQL on both databases; the days are Amsterdam
calendar days (timeutil.day_number).

Stalled (DOMAIN.md): running with no progress note for 30 days, or a next step past due. "For 30
days" counts calendar days: a note 29 days ago keeps it going, one 30 days ago no longer does
(the month between two monthly sessions has passed without a word). A next step past due stalls
an idea too: somebody promised to take it; done and dropped ones never stall.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from ..meetings.models import Meeting
from ..records.models import Record, Referral
from ..timeutil import day_number
from .models import Initiative

QUIET_DAYS = 30
OPEN = ("idea", "running")


def stalled(today: date):
    """SQL: the initiative is stalled on `today`."""
    return or_(
        and_(Initiative.status == "running", Initiative.last_progress_day <= day_number(today) - QUIET_DAYS),
        and_(Initiative.status.in_(OPEN), Initiative.next_step_due < today),
    )


def is_stalled(initiative: Initiative, today: date) -> bool:
    """The same in Python, for one initiative already loaded."""
    quiet = initiative.status == "running" and initiative.last_progress_day <= day_number(today) - QUIET_DAYS
    overdue = (initiative.status in OPEN and initiative.next_step_due is not None
               and initiative.next_step_due < today)
    return quiet or overdue


def _records(session: Session, ids: list[int]) -> dict[int, dict]:
    rows = session.execute(
        select(Record.initiative_id, func.count(), func.count(Record.address_id.distinct()))
        .where(Record.initiative_id.in_(ids)).group_by(Record.initiative_id))
    return {iid: {"records": n, "reached_addresses": reached} for iid, n, reached in rows}


def _referrals(session: Session, ids: list[int]) -> dict[int, dict]:
    still_open = and_(Referral.answered_at.is_(None), Referral.closed_at.is_(None))
    rows = session.execute(
        select(Record.initiative_id, func.count(), func.count().filter(still_open))
        .select_from(Referral).join(Record, Referral.record_id == Record.id)
        .where(Record.initiative_id.in_(ids), Referral.consent == True)  # noqa: E712
        .group_by(Record.initiative_id))
    return {iid: {"referrals": n, "open_referrals": open_} for iid, n, open_ in rows}


def _meetings(session: Session, ids: list[int]) -> dict[int, dict]:
    rows = session.execute(
        select(Meeting.initiative_id, func.count(), func.coalesce(func.sum(Meeting.head_count), 0))
        .where(Meeting.initiative_id.in_(ids)).group_by(Meeting.initiative_id))
    return {iid: {"meetings": n, "meeting_head_count": heads} for iid, n, heads in rows}


# Each gives {initiative id: {figure: value}} for the ids; a figure missing for an id is 0.
FIGURES: tuple[Callable[[Session, list[int]], dict[int, dict]], ...] = (_records, _referrals, _meetings)
NAMES = ("records", "reached_addresses", "referrals", "open_referrals", "meetings", "meeting_head_count")


def figures(session: Session, ids: list[int]) -> dict[int, dict]:
    result = {iid: dict.fromkeys(NAMES, 0) for iid in ids}
    if ids:
        for figure in FIGURES:
            for iid, values in figure(session, ids).items():
                result[iid].update(values)
    return result

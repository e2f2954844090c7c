"""Planning and reporting a meeting, each exactly once, and listing them.

A meeting arrives under a UUID its sender made. Its plan is inserted insert-or-nothing on that
key, as records are: the same body from the same sender again is a retry (200), anything else a
conflict (409), and the stored plan never changes. The report is the same on the meeting's row:
written only while the row has none (UPDATE ... WHERE report_fingerprint IS NULL), so two
concurrent reports cannot both win.
"""
from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import timedelta, timezone

import sqlalchemy as sa
from marshmallow import ValidationError
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from .. import hooks
from ..accounts.models import Partner, User
from ..db import writes
from ..i18n.messages import N_
from ..streets.models import Street
from ..timeutil import amsterdam_day, period_bounds, utcnow
from .models import HEARD_VIA, LANGUAGE, Meeting, MeetingCount, MeetingStreet

CREATED, DUPLICATE, CONFLICT = "created", "duplicate", "conflict"
FUTURE_TOLERANCE = timedelta(minutes=5)
MEETINGS, STREETS, COUNTS = Meeting.__table__, MeetingStreet.__table__, MeetingCount.__table__
# Records sit a layer above meetings (a record names its meeting); the sign-ups are counted
# through the one column that link needs, not through the records package.
RECORD_LINKS = sa.table("records", sa.column("meeting_id", sa.Uuid))


@dataclass
class Stored:
    status: str
    meeting: Meeting | None


def _fingerprint(data: dict, sender_id: int) -> str:
    canonical = {key: value for key, value in data.items() if key != "id"}
    if "starts_at" in canonical:
        canonical["starts_at"] = canonical["starts_at"].astimezone(timezone.utc).isoformat()
    canonical["sender"] = sender_id
    return hashlib.sha256(json.dumps(canonical, sort_keys=True, default=str).encode()).hexdigest()


def _check_plan(session: Session, user: User, data: dict) -> None:
    """What needs the database: the user's neighbourhood, its streets, known partners."""
    errors = {}
    hood = data["neighbourhood_id"]
    if hood not in user.neighbourhood_ids:
        errors["neighbourhood_id"] = [N_("Unknown neighbourhood.")]
    else:
        found = set(session.scalars(select(Street.id).where(Street.id.in_(data["streets"]),
                                                            Street.neighbourhood_id == hood)))
        if found != set(data["streets"]):
            errors["streets"] = [N_("Unknown street.")]
    known = set(session.scalars(select(Partner.code).where(Partner.code.in_(data["partners"]))))
    if known != set(data["partners"]):
        errors["partners"] = [N_("Unknown partner.")]
    if data["starts_at"].year < 2000:
        errors["starts_at"] = [N_("This date lies too far in the past.")]
    initiative = data.get("initiative")
    if initiative is not None and not any(
            initiative in answer for answer in hooks.ask(
                hooks.INITIATIVES_OPEN_TO, session, partner_id=None, neighbourhood_ids=[hood],
                initiative_ids=[initiative])):
        errors["initiative"] = [N_("Not a running initiative of this neighbourhood.")]
    if errors:
        raise ValidationError(errors)


def plan(session: Session, user: User, meeting_id: uuid.UUID, data: dict) -> Stored:
    """Store a meeting's plan once. The caller holds the write transaction."""
    print_ = _fingerprint(data, user.id)
    stored = session.get(Meeting, meeting_id)
    if stored is not None:
        return Stored(DUPLICATE if stored.fingerprint == print_ else CONFLICT, stored)
    _check_plan(session, user, data)
    starts_at = data["starts_at"].astimezone(timezone.utc)
    row = {"id": meeting_id, "neighbourhood_id": data["neighbourhood_id"], "type": data["type"],
           "starts_at": starts_at, "start_day": amsterdam_day(starts_at), "place": data["place"],
           "languages": data["languages"], "partners": data["partners"], "recorded_by_id": user.id,
           "initiative_id": data.get("initiative"), "received_at": utcnow(), "fingerprint": print_}
    if not writes(session).insert_rows(session, MEETINGS, [row], skip_existing=("id",), returning=("id",)):
        # Another request stored this UUID between our read and our insert.
        stored = session.get(Meeting, meeting_id, populate_existing=True)
        return Stored(DUPLICATE if stored.fingerprint == print_ else CONFLICT, stored)
    writes(session).insert_rows(session, STREETS, [{"meeting_id": meeting_id, "street_id": s} for s in data["streets"]])
    return Stored(CREATED, session.get(Meeting, meeting_id, populate_existing=True))


def report(session: Session, user: User, meeting: Meeting, data: dict) -> Stored:
    """Store what the meeting drew, once. The caller holds the write transaction."""
    print_ = _fingerprint(data, user.id)
    if meeting.report_fingerprint is not None:
        return Stored(DUPLICATE if meeting.report_fingerprint == print_ else CONFLICT, meeting)
    if meeting.starts_at > utcnow() + FUTURE_TOLERANCE:
        raise ValidationError({"head_count": [N_("This meeting has not begun yet.")]})
    claimed = session.execute(
        update(Meeting).where(Meeting.id == meeting.id, Meeting.report_fingerprint.is_(None))
        .values(head_count=data["head_count"], reported_by_id=user.id, reported_at=utcnow(),
                report_fingerprint=print_).execution_options(synchronize_session=False)).rowcount
    if not claimed:
        session.refresh(meeting)
        return Stored(DUPLICATE if meeting.report_fingerprint == print_ else CONFLICT, meeting)
    rows = ([{"meeting_id": meeting.id, "kind": LANGUAGE, "code": k, "count": v} for k, v in data["head_counts"].items()]
            + [{"meeting_id": meeting.id, "kind": HEARD_VIA, "code": k, "count": v} for k, v in data["heard_via"].items()])
    if rows:
        writes(session).insert_rows(session, COUNTS, rows)
    session.expire(meeting)
    return Stored(CREATED, session.get(Meeting, meeting.id, populate_existing=True))


def visible_meeting(session: Session, user: User, meeting_id: uuid.UUID) -> Meeting | None:
    """A meeting of one of the user's neighbourhoods; other neighbourhoods' do not exist for them."""
    return session.scalar(select(Meeting).where(Meeting.id == meeting_id,
                                                Meeting.neighbourhood_id.in_(user.neighbourhood_ids)))


def list_meetings(session: Session, user: User, date_from=None, date_to=None) -> list[Meeting]:
    """The user's neighbourhoods' meetings starting in the period, earliest first, with sign-ups."""
    start, end = period_bounds(date_from, date_to)
    stmt = select(Meeting).where(Meeting.neighbourhood_id.in_(user.neighbourhood_ids))
    if start is not None:
        stmt = stmt.where(Meeting.starts_at >= start)
    if end is not None:
        stmt = stmt.where(Meeting.starts_at < end)
    meetings = list(session.scalars(stmt.order_by(Meeting.starts_at, Meeting.id).limit(1000)))
    return with_sign_ups(session, meetings)


def with_sign_ups(session: Session, meetings: list[Meeting]) -> list[Meeting]:
    ids = [m.id for m in meetings]
    counts = dict(session.execute(
        select(RECORD_LINKS.c.meeting_id, func.count()).where(RECORD_LINKS.c.meeting_id.in_(ids))
        .group_by(RECORD_LINKS.c.meeting_id)).all()) if ids else {}
    for meeting in meetings:
        meeting.sign_ups = counts.get(meeting.id, 0)
    return meetings

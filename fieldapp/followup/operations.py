"""A referral's life on the desk: events sent exactly once, the transitions they may make, and
whom to suggest for it.

An event arrives under a UUID its sender made (the phone's outbox retries it). Like a record, the
same body from the same sender again is a retry (200), anything else under that UUID a conflict
(409), and the stored event never changes. The referral's row is locked first, so concurrent
identical requests wait for each other and find the first one's event.
"""
from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from marshmallow import ValidationError
from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session, lazyload

from .. import hooks
from ..accounts.models import Partner, User, UserLanguage, user_neighbourhoods
from ..db import writes
from ..i18n.messages import N_
from ..records.models import Referral
from ..streets.models import Street
from ..timeutil import amsterdam_day, as_utc, utcnow
from ..workdays import ordinal
from .access import may_assign, may_send
from .models import FollowUp, ReferralEvent

CREATED, DUPLICATE, CONFLICT = "created", "duplicate", "conflict"
FUTURE_TOLERANCE = timedelta(minutes=5)
CLOSED = "closed"
EVENTS = ReferralEvent.__table__


class NotAllowed(Exception):
    """The user may not send this event (403)."""


def event_fingerprint(referral_id: int, data: dict, sender_id: int) -> str:
    canonical = {key: (as_utc(value).isoformat() if hasattr(value, "astimezone") else value)
                 for key, value in data.items()}
    canonical.update(referral=referral_id, sender=sender_id)
    return hashlib.sha256(json.dumps(canonical, sort_keys=True, default=str).encode()).hexdigest()


def lock_followup(session: Session, referral_id: int) -> FollowUp | None:
    """Take the desk row's write lock, then read it with its referral and events (SQLite holds the
    lock from BEGIN IMMEDIATE). Two statements: on PostgreSQL, a statement that waited for a row
    lock reads the rows of other tables (the referral's first contact) as they were when it began."""
    session.execute(select(FollowUp.referral_id).where(FollowUp.referral_id == referral_id).with_for_update())
    # The events are read when shown, not here: no rule of a new event needs them, and reading
    # them (with their users) again for every event was most of an event's cost.
    return session.scalar(select(FollowUp).where(FollowUp.referral_id == referral_id)
                          .options(lazyload(FollowUp.events)).execution_options(populate_existing=True))


@dataclass
class EventResult:
    status: str
    followup: FollowUp
    event: ReferralEvent | None = None


def apply_event(session: Session, user: User, referral_id: int, event_id: uuid.UUID, data: dict) -> EventResult:
    """Store one event and move the referral along. The caller holds the write transaction.

    Raises ValidationError (422) for an impossible transition or value, NotAllowed (403).
    """
    followup = lock_followup(session, referral_id)
    print_ = event_fingerprint(referral_id, data, user.id)
    # Whether the UUID is stored, by its key alone: loading the event with its users is only
    # needed for the answer to a retry.
    if session.scalar(select(EVENTS.c.id).where(EVENTS.c.id == event_id)) is not None:
        return _sent_before(followup, session.get(ReferralEvent, event_id), referral_id, print_)
    assigning = data["type"] == "assigned"
    if not (may_assign(user, followup, data.get("assignee")) if assigning else may_send(user, followup)):
        raise NotAllowed()
    _check_transition(followup, data)
    assignee = _assignee(session, followup, data) if assigning else None
    _check_times(followup.referral, data)
    if data.get("with_partner") and not session.scalar(select(exists().where(Partner.code == data["with_partner"]))):
        raise ValidationError({"with_partner": [N_("Unknown partner.")]})
    row = {"id": event_id, "referral_id": referral_id, "type": data["type"], "at": data["at"],
           "note": data.get("note"), "appointment_at": data.get("appointment_at"), "place": data.get("place"),
           "with_partner": data.get("with_partner"), "outcome": data.get("outcome"),
           "assignee_id": assignee.id if assignee else None, "sent_by_id": user.id,
           "received_at": utcnow(), "fingerprint": print_}
    # Insert-or-nothing, as for records: the referral's lock orders requests for one referral, but
    # not a request that sends the same UUID for another referral at the same moment.
    if not writes(session).insert_rows(session, EVENTS, [row], skip_existing=("id",), returning=("id",)):
        return _sent_before(followup, session.get(ReferralEvent, event_id), referral_id, print_)
    # Its users are in the session already (the sender, the assignee): no join to read them again.
    event = session.get(ReferralEvent, event_id, options=[lazyload(ReferralEvent.assignee), lazyload(ReferralEvent.sent_by)])
    _move(followup, event, assignee, user)
    session.flush()
    # The desk row was read before its new event and owner: read them again when shown.
    session.expire(followup, ["events", "assignee"])
    hooks.announce(hooks.STREETS_CHANGED, session, street_ids=[followup.referral.street_id])
    return EventResult(CREATED, followup, event)


def _sent_before(followup: FollowUp, stored: ReferralEvent, referral_id: int, print_: str) -> EventResult:
    """The UUID is stored: the same body from the same sender for this referral is a retry, anything
    else a conflict; the stored event never changes."""
    same = stored.referral_id == referral_id and stored.fingerprint == print_
    return EventResult(DUPLICATE if same else CONFLICT, followup, stored)


def _assignee(session: Session, followup: FollowUp, data: dict) -> User:
    """The user named in an `assigned` event: an active user of the routed partner who works in
    the referral's neighbourhood."""
    assignee = session.scalar(select(User).where(User.username == data["assignee"], User.active == True))  # noqa: E712
    hood = session.scalar(select(Street.neighbourhood_id).where(Street.id == followup.referral.street_id))
    if (assignee is None or assignee.partner_id != followup.partner_id
            or hood not in assignee.neighbourhood_ids):
        raise ValidationError({"assignee": [N_("Not a user of the partner this referral is routed to.")]})
    return assignee


def _check_transition(followup: FollowUp, data: dict) -> None:
    if followup.status == CLOSED:
        raise ValidationError({"type": [N_("This referral is closed: nothing more can happen to it.")]})
    if data["type"] == "assigned" and followup.partner_id is None:
        raise ValidationError({"assignee": [N_("This referral has no partner yet: route its code first.")]})


def _check_times(referral: Referral, data: dict) -> None:
    at = as_utc(data["at"])
    if at > utcnow() + FUTURE_TOLERANCE:
        raise ValidationError({"at": [N_("Cannot lie in the future.")]})
    if at < as_utc(referral.occurred_at):
        raise ValidationError({"at": [N_("Cannot lie before the contact itself.")]})
    appointment = data.get("appointment_at")
    if appointment is not None and as_utc(appointment) < as_utc(referral.occurred_at):
        raise ValidationError({"appointment_at": [N_("Cannot lie before the contact itself.")]})


def _move(followup: FollowUp, event: ReferralEvent, assignee: User | None, user: User) -> None:
    """The status after `event`; the referral's first contact and end, which part one counts."""
    referral, at = followup.referral, as_utc(event.at)
    if event.type == "assigned":
        followup.assignee_id = assignee.id
        return
    if event.type in ("contacted", "scheduled"):
        # Making an appointment means the resident was reached: it is a first contact too. An
        # event sent later from a phone that was offline may still be the earliest contact.
        if referral.answered_at is None or at < as_utc(referral.answered_at):
            referral.answered_at, referral.answered_by_id = at, user.id
            followup.contact_day = amsterdam_day(at)
            followup.contact_ordinal = ordinal(followup.contact_day)
        if event.type == "scheduled" or followup.status == "open":
            followup.status = event.type
        return
    _close(followup, at)


def _close(followup: FollowUp, at: datetime) -> None:
    followup.status = CLOSED
    followup.referral.closed_at = at
    followup.closing_day = amsterdam_day(at)
    followup.closing_ordinal = ordinal(followup.closing_day)


class AlreadyAnswered(Exception):
    """The existing "answer" call: the first answer stands (409)."""


def answer(session: Session, user: User, followup: FollowUp, answered_at: datetime | None) -> Referral:
    """Part one's "mark answered": a `contacted` event, refused once the referral was answered.
    The caller holds the write transaction."""
    # The desk row's lock first, as every event takes it: two orders of the same locks deadlock.
    referral = lock_followup(session, followup.referral_id).referral
    if referral.answered_at is not None:
        raise AlreadyAnswered()
    try:
        apply_event(session, user, followup.referral_id, uuid.uuid4(),
                    {"type": "contacted", "at": answered_at or utcnow()})
    except ValidationError as err:  # the event's `at` is this call's `answered_at`
        raise ValidationError({("answered_at" if key == "at" else key): value
                               for key, value in err.normalized_messages().items()}) from None
    return referral


@dataclass
class Suggestions:
    assignees: list[User]
    language_gap: bool
    taalcoaches: list[User]


def _speakers(followup: FollowUp, neighbourhood_id: int):
    return (select(User)
            .join(UserLanguage, UserLanguage.user_id == User.id)
            .join(user_neighbourhoods, user_neighbourhoods.c.user_id == User.id)
            .where(UserLanguage.language == followup.language, User.active == True,  # noqa: E712
                   user_neighbourhoods.c.neighbourhood_id == neighbourhood_id)
            .order_by(User.username))


def suggestions(session: Session, followup: FollowUp) -> Suggestions:
    """The partner's users in the neighbourhood who speak the resident's language; with a
    language gap, the neighbourhood's taalcoaches who speak it (of any partner) to go along."""
    hood = session.scalar(select(Street.neighbourhood_id).where(Street.id == followup.referral.street_id))
    assignees = list(session.scalars(_speakers(followup, hood).where(User.partner_id == followup.partner_id))) \
        if followup.partner_id is not None else []
    desk = FollowUp.__table__
    gap = bool(session.scalar(select(language_gap(desk)).where(desk.c.referral_id == followup.referral_id)))
    taalcoaches = list(session.scalars(_speakers(followup, hood).where(User.role == "taalcoach"))) if gap else []
    return Suggestions(assignees, gap, taalcoaches)


def language_gap(followups=FollowUp.__table__):
    """SQL: no active user of the routed partner lists the referral's language (DOMAIN.md). Any
    neighbourhood counts here: this is about the partner, not about who may be assigned."""
    users, spoken = User.__table__, UserLanguage.__table__
    speaks = (select(users.c.id).join(spoken, spoken.c.user_id == users.c.id)
              .where(users.c.partner_id == followups.c.partner_id, users.c.active == True,  # noqa: E712
                     spoken.c.language == followups.c.language))
    return ~speaks.exists()


def withdraw(session: Session, record_ids: list, at: datetime | None = None, **_facts) -> int:
    """The resident asked to be erased (hooks.REFERRALS_WITHDRAWN): every referral of theirs still
    on the desk closes as `withdrawn`, and the notes about them go, as the records' notes do."""
    at = at or utcnow()
    referral_ids = list(session.scalars(select(Referral.id).where(Referral.record_id.in_(record_ids))))
    if not referral_ids:
        return 0
    session.execute(update(ReferralEvent).where(ReferralEvent.referral_id.in_(referral_ids))
                    .values(note=None).execution_options(synchronize_session=False))
    still_open = list(session.scalars(select(FollowUp).where(FollowUp.referral_id.in_(referral_ids),
                                                             FollowUp.status != CLOSED)))
    for followup in still_open:
        session.add(ReferralEvent(id=uuid.uuid4(), referral_id=followup.referral_id, type=CLOSED, at=at,
                                  outcome="withdrawn", received_at=at, fingerprint="withdrawn"))
        _close(followup, at)
    return len(still_open)

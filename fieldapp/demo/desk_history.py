"""The demo's follow-up desk: each consented referral's life told as the events a partner would
have sent, through the desk's own apply_event, so the desk and its figures show what they show
for real data: answered fast and slow, appointments, closings with and without a contact, a
re-assignment now and then, and recent promises still open (some overdue).

Made once: when the demo's referrals carry no event yet. A second `make demo` adds nothing.
"""
from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..db import write_transaction
from ..followup.models import FollowUp, ReferralEvent
from ..followup.operations import apply_event
from ..records.models import Referral
from ..timeutil import AMSTERDAM, as_utc

EVENT_NAMESPACE = uuid.UUID("0b7e5d1a-62f4-4a8e-9c59-3d0f1b2a7c44")
NOTES = {
    "contacted": ("Gebeld, komt terug op de vraag.", "Langs geweest, vraag besproken.", "Via de taalcoach gesproken."),
    "scheduled": ("Afspraak bevestigd.", "Samen met de taalcoach.", None),
    "closed": ("Afgerond.", None, "Na drie pogingen geen contact."),
}
OUTCOMES = (("helped", 60), ("referred_on", 20), ("declined", 10), ("unreachable", 10))
PLACES = (("home", 60), ("loket", 30), ("other", 10))


def pick(rng: random.Random, weighted) -> str:
    values, weights = zip(*weighted)
    return rng.choices(values, weights=weights)[0]


def office_time(rng: random.Random, after: datetime, days: float, now: datetime) -> datetime:
    """`days` after `after`, on a weekday between 9 and 17 Amsterdam time; never later than just
    before `now` and never before `after`."""
    local = (as_utc(after) + timedelta(days=days)).astimezone(AMSTERDAM)
    while local.weekday() >= 5:
        local += timedelta(days=1)
    local = local.replace(hour=rng.randint(9, 16), minute=rng.randint(0, 59), second=0, microsecond=0)
    return max(min(local, now - timedelta(minutes=10)), as_utc(after))


class _Story:
    """The events of one referral, each under a fixed UUID."""

    def __init__(self, session: Session, followup: FollowUp):
        self.session, self.followup, self.count = session, followup, 0

    def add(self, sender: User, data: dict) -> None:
        self.count += 1
        event_id = uuid.uuid5(EVENT_NAMESPACE, f"{self.followup.referral_id}/{self.count}")
        data = {key: value for key, value in data.items() if value is not None}
        apply_event(self.session, sender, self.followup.referral_id, event_id, data)


def seed_desk_history(session: Session, users: dict[str, User], now: datetime, seed: int = 2015) -> int:
    """Events for every consented demo referral on the desk; the number of events made."""
    if session.scalar(select(exists().where(ReferralEvent.id.is_not(None)))):
        return 0
    rng = random.Random(seed)
    coordinator = users["coordinator"]
    by_partner: dict[int, list[User]] = {}
    for user in sorted(users.values(), key=lambda u: u.username):
        if user.role in ("volunteer", "taalcoach"):
            by_partner.setdefault(user.partner_id, []).append(user)
    made = 0
    with write_transaction(session):
        followups = session.scalars(select(FollowUp).join(Referral, FollowUp.referral_id == Referral.id)
                                    .order_by(Referral.occurred_at, Referral.id)).all()
        for followup in followups:
            story = _Story(session, followup)
            _tell(rng, story, followup, by_partner.get(followup.partner_id, []), users, coordinator, now)
            made += story.count
    return made


def _tell(rng, story: _Story, followup: FollowUp, staff: list[User], users, coordinator: User, now: datetime) -> None:
    occurred = as_utc(followup.referral.occurred_at)
    age = (now - occurred).days
    assignee = None
    if staff and rng.random() < 0.85:
        speakers = [u for u in staff if followup.language in u.spoken_languages] or staff
        assignee = speakers[rng.randrange(len(speakers))]
        if age <= 30 and users["volunteer"] in staff and rng.random() < 0.6:
            assignee = users["volunteer"]  # the demo volunteer's "My follow-ups" has work in it
        story.add(coordinator, {"type": "assigned", "at": office_time(rng, occurred, rng.uniform(0, 2), now),
                                "assignee": assignee.username})
    sender = assignee or (staff[0] if staff else coordinator)
    # Promises that were never kept are the project's lesson: the demo keeps a good few overdue.
    contact_chance = 0.8 if age > 30 else 0.5 if age > 3 else 0.15
    if rng.random() >= contact_chance:
        if age > 45 and rng.random() < 0.4:  # gave up: closed without ever reaching the resident
            story.add(sender, {"type": "closed", "at": office_time(rng, occurred, rng.uniform(25, 40), now),
                               "outcome": "unreachable", "note": NOTES["closed"][2]})
        return
    delay = rng.uniform(0, 6) if rng.random() < 0.7 else rng.uniform(6, 20)
    contacted = office_time(rng, occurred, delay, now)
    story.add(sender, {"type": "contacted", "at": contacted, "note": rng.choice(NOTES["contacted"])})
    if assignee is not None and len(staff) > 1 and rng.random() < 0.1:
        other = next(u for u in staff if u is not assignee)
        story.add(coordinator, {"type": "assigned", "at": office_time(rng, contacted, rng.uniform(0, 3), now),
                                "assignee": other.username, "note": "Overgedragen."})
        sender = other
    last = contacted
    if rng.random() < 0.55:
        scheduled = office_time(rng, contacted, rng.uniform(0, 3), now)
        appointment = office_time(rng, scheduled, rng.uniform(2, 10), scheduled + timedelta(days=60))
        joint = "balans" if followup.language not in ("nl",) and rng.random() < 0.4 else None
        story.add(sender, {"type": "scheduled", "at": scheduled, "appointment_at": appointment,
                           "place": pick(rng, PLACES), "with_partner": joint, "note": rng.choice(NOTES["scheduled"])})
        last = max(scheduled, appointment)
    if last + timedelta(days=7) < now and rng.random() < (0.85 if age > 45 else 0.4):
        story.add(sender, {"type": "closed", "at": office_time(rng, last, rng.uniform(1, 10), now),
                           "outcome": pick(rng, OUTCOMES), "note": NOTES["closed"][0]})

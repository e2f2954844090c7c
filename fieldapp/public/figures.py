"""The page's figures, counted in SQL on either database, all time. Nothing here names an
address: the counts leave as numbers, and small ones are hidden where they are shown (shown.py).

- homes helped: registered addresses with a klus or visit record that got in (the ladder's "let
  in" step: not when the outcome says nobody opened, DOMAIN.md), distinct;
- klusacties held: distinct Amsterdam calendar days with a klus record in the neighbourhood (a
  klusactie is a day on which volunteers went into homes, whatever the number of teams);
- median working days to first contact: the follow-up desk's own tallies (dashboard), folded
  over every partner and language of the neighbourhood;
- next meetings: the neighbourhood's planned meetings from now, residents' kinds only.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from .. import hooks
from ..codes import NO_CONTACT_OUTCOMES
from ..dashboard.followup_figures import Tally, tallies
from ..dashboard.queries import Scope
from ..meetings.models import Meeting
from ..records.models import Record
from ..sqlfuncs import amsterdam_day
from ..streets.models import Neighbourhood, Street
from ..timeutil import local_date
from .models import LoketHours

HELPING_CHANNELS = ("klus", "visit")
# Meetings residents come to; a partner session is the partners' own.
PUBLIC_MEETING_TYPES = ("residents_meeting", "energy_party", "owners_evening", "klusdag", "street_party")
NEXT_MEETINGS = 5
# A street is named with its count only from this many helped homes up.
STREET_SHOWN_FROM = 10


def slug(name: str) -> str:
    """The URL part of a neighbourhood: its name in lower case, words joined by hyphens."""
    return re.sub(r"[^0-9a-z]+", "-", name.lower()).strip("-")


def neighbourhood_slugs(session: Session) -> dict[str, tuple[int, str]]:
    return {slug(name): (hood_id, name) for hood_id, name in session.execute(select(Neighbourhood.id, Neighbourhood.name))}


@dataclass
class Figures:
    neighbourhood: str
    homes_helped: int
    streets: list[tuple[str, int]]  # streets with STREET_SHOWN_FROM or more helped homes, most first
    klus_days: int
    contacted: int
    median_days_to_contact: float | None
    savings: dict | None
    meetings: list[dict]
    loket: dict | None


def helped_per_street(session: Session, hood_id: int) -> dict[str, int]:
    r, s = Record.__table__, Street.__table__
    rows = session.execute(
        select(s.c.name, func.count(distinct(r.c.address_id)))
        .select_from(r.join(s, s.c.id == r.c.street_id))
        .where(s.c.neighbourhood_id == hood_id, r.c.channel.in_(HELPING_CHANNELS), r.c.address_id.is_not(None),
               func.coalesce(r.c.outcome, "").not_in(NO_CONTACT_OUTCOMES))
        .group_by(s.c.id, s.c.name))
    return {name: count for name, count in rows}


def klus_days(session: Session, hood_id: int) -> int:
    r, s = Record.__table__, Street.__table__
    return session.scalar(
        select(func.count(distinct(amsterdam_day(r.c.occurred_at))))
        .select_from(r.join(s, s.c.id == r.c.street_id))
        .where(s.c.neighbourhood_id == hood_id, r.c.channel == "klus")) or 0


def first_contact(session: Session, hood_id: int, today) -> Tally:
    total = Tally()
    for tally in tallies(session, Scope((hood_id,), today=today)).values():
        total.add(tally)
    return total


def next_meetings(session: Session, hood_id: int, now: datetime) -> list[dict]:
    rows = session.execute(
        select(Meeting.type, Meeting.starts_at, Meeting.place)
        .where(Meeting.neighbourhood_id == hood_id, Meeting.starts_at >= now,
               Meeting.type.in_(PUBLIC_MEETING_TYPES))
        .order_by(Meeting.starts_at).limit(NEXT_MEETINGS))
    return [{"type": kind, "starts_at": starts_at, "place": place} for kind, starts_at, place in rows]


def savings(session: Session, hood_id: int) -> dict | None:
    """The yearly savings range from whichever package keeps the figures; None when none does."""
    for answer in hooks.ask(hooks.NEIGHBOURHOOD_SAVINGS, session, neighbourhood_ids=(hood_id,), first=None, last=None):
        if answer:
            return answer
    return None


def loket(session: Session, hood_id: int) -> dict | None:
    found = session.get(LoketHours, hood_id)
    return None if found is None else {"place": found.place, "hours": list(found.hours)}


def figures(session: Session, hood_id: int, name: str, now: datetime) -> Figures:
    helped = helped_per_street(session, hood_id)
    contact = first_contact(session, hood_id, local_date(now))
    return Figures(
        neighbourhood=name,
        homes_helped=sum(helped.values()),
        streets=sorted(((street, n) for street, n in helped.items() if n >= STREET_SHOWN_FROM),
                       key=lambda item: (-item[1], item[0])),
        klus_days=klus_days(session, hood_id),
        contacted=contact.contacted,
        median_days_to_contact=contact.figures()["median_working_days_to_contact"],
        savings=savings(session, hood_id),
        meetings=next_meetings(session, hood_id, now),
        loket=loket(session, hood_id),
    )

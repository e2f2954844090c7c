"""The demo's meetings and joint initiatives: what a coordinator opening `make demo` expects to
find at /meetings/ and /initiatives/, and residents on the neighbourhood page (the next
meetings). Stored through the same operations and schemas as the API, once: a second run, or a
database that already has meetings, changes nothing."""
from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..db import write_transaction
from ..initiatives.operations import apply_note, create
from ..initiatives.schemas import InitiativeIn, NoteIn
from ..meetings.models import Meeting
from ..meetings.operations import plan, report
from ..meetings.schemas import MeetingIn, ReportIn
from ..streets.models import Street
from ..timeutil import AMSTERDAM, local_date, utcnow

# (title, partners, owner partner, owner, status, next step, its due date in days from today)
INITIATIVES = (
    ("Klusdag galerijflats Koningsweg", ["eas", "portaal", "balans"], "eas", "volunteer", "running",
     "Ladders en tochtstrips bestellen", 10),
    ("Energiecafé met schuldhulp", ["eas", "goos"], "goos", "goos", "running", "Zaal vastleggen", -5),
    ("Bewonersavond Somalische gemeenschap", ["balans", "gemeente"], "balans", "taalcoach", "idea", None, None),
)
# (type, days from today, hour, place, streets, languages, partners, initiative index, report)
MEETINGS = (
    ("residents_meeting", -40, 19, "Buurthuis De Smitskamp", ("Koningsweg", "Smitsweg"), ["tr", "nl"],
     ["balans", "eas"], None, (46, {"tr": 31, "nl": 9}, {"flyer": 12, "neighbour": 20})),
    ("klusdag", -12, 10, "Galerij Koningsweg", ("Koningsweg",), ["nl", "ar"], ["eas", "portaal"], 0,
     (23, {"nl": 15, "ar": 5}, {})),
    ("partner_session", -20, 15, "Wijkkantoor Smitsveen", ("Smitsplein",), ["nl"], ["eas", "balans", "goos"], None,
     (9, {"nl": 9}, {})),
    ("residents_meeting", 9, 19, "Buurthuis De Smitskamp", ("Weegbreestraat", "Smitsplein"), ["ti", "nl"],
     ["balans"], None, None),
    ("energy_party", 23, 16, "Smitsplein", ("Smitsplein", "Hondsdrafstraat"), ["nl", "tr", "so"],
     ["eas", "goos"], 1, None),
)


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), AMSTERDAM)


def seed_together(session: Session, users: dict[str, User]) -> int:
    """Meetings and initiatives for a demo database that has none; how many meetings it planned."""
    if session.scalar(select(func.count()).select_from(Meeting)):
        return 0
    coordinator = users["coordinator"]
    today = local_date(utcnow())
    streets = dict(session.execute(select(Street.name, Street.id)).all())
    hood_id = next(iter(coordinator.neighbourhood_ids))
    with write_transaction(session):
        initiatives = []
        for title, partners, owner_partner, owner, status, step, due in INITIATIVES:
            body = {"title": title, "partners": partners, "owner_partner": owner_partner, "owner": owner,
                    "status": status, "start_date": (today - timedelta(days=45)).isoformat(),
                    "next_step": step, "next_step_due": (today + timedelta(days=due)).isoformat() if step else None}
            initiatives.append(create(session, coordinator, InitiativeIn().load(body)))
        note = {"at": _at(today - timedelta(days=3), 11).isoformat(),
                "text": "Twaalf huishoudens aangemeld; Portaal levert de tochtstrips."}
        apply_note(session, coordinator, initiatives[0].id, uuid.uuid5(uuid.NAMESPACE_URL, "demo-note-1"),
                   NoteIn().load(note))
        for kind, days, hour, place, names, languages, partners, initiative, told in MEETINGS:
            body = {"type": kind, "starts_at": _at(today + timedelta(days=days), hour).isoformat(), "place": place,
                    "neighbourhood_id": hood_id, "streets": [streets[n] for n in names], "languages": languages,
                    "partners": partners}
            if initiative is not None:
                body["initiative"] = initiatives[initiative].id
            meeting_id = uuid.uuid5(uuid.NAMESPACE_URL, f"demo-meeting-{kind}-{days}")
            stored = plan(session, coordinator, meeting_id, MeetingIn().load(body)).meeting
            if told:
                head_count, per_language, heard_via = told
                report(session, coordinator, stored, ReportIn().load(
                    {"head_count": head_count, "head_counts": per_language, "heard_via": heard_via}))
    return len(MEETINGS)


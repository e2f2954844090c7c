"""The one-page overview for the monthly koppelkansensessie, and its CSV.

"Since the previous session": the date of the previous session is given (`since`); when not, it
is the day of the latest meeting of type `partner_session` before today in the user's
neighbourhoods, or 30 days ago when there is none. The page says which date it counted from.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..codes import INITIATIVE_STATUSES
from ..meetings.models import Meeting
from ..timeutil import EPOCH, day_number
from .access import visible_initiatives
from .figures import stalled
from .models import Initiative, InitiativeNote
from .shown import shown, stalled_first

DEFAULT_DAYS = 30


def default_since(session: Session, user: User, today: date) -> date:
    latest = session.scalar(
        select(func.max(Meeting.start_day))
        .where(Meeting.type == "partner_session", Meeting.neighbourhood_id.in_(user.neighbourhood_ids),
               Meeting.start_day < day_number(today)))
    return EPOCH + timedelta(days=latest) if latest is not None else today - timedelta(days=DEFAULT_DAYS)


@dataclass
class Overview:
    since: date
    today: date
    # status -> initiatives that moved since, each with its notes since (oldest first)
    moved: dict[str, list] = field(default_factory=dict)
    stalled: list = field(default_factory=list)
    done: list = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def overview(session: Session, user: User, since: date, today: date) -> Overview:
    result = Overview(since, today)
    since_day = day_number(since)
    all_rows = list(session.scalars(visible_initiatives(user).order_by(*stalled_first(today), Initiative.title,
                                                                       Initiative.id)))
    by_id = {i.id: i for i in all_rows}
    notes_since: dict[int, list[InitiativeNote]] = {}
    if by_id:
        for note in session.scalars(select(InitiativeNote).where(InitiativeNote.initiative_id.in_(list(by_id)),
                                                                 InitiativeNote.day >= since_day)
                                    .order_by(InitiativeNote.at, InitiativeNote.received_at)):
            notes_since.setdefault(note.initiative_id, []).append(note)
    stalled_ids = set(session.scalars(visible_initiatives(user).with_only_columns(Initiative.id)
                                      .where(stalled(today))))
    result.counts = {code: 0 for code in INITIATIVE_STATUSES.codes}
    for initiative in all_rows:
        result.counts[initiative.status] += 1
        if initiative.id in notes_since:
            result.moved.setdefault(initiative.status, []).append(
                shown(initiative, today, notes=notes_since[initiative.id]))
        if initiative.id in stalled_ids:
            result.stalled.append(shown(initiative, today))
        if initiative.status == "done":
            done_day = next((n.day for n in initiative.notes if n.status_after == "done"), None)
            result.done.append(shown(initiative, today, done_on=_day(done_day),
                                     new=done_day is not None and done_day >= since_day))
    result.moved = {code: result.moved[code] for code in INITIATIVE_STATUSES.codes if code in result.moved}
    result.done.sort(key=lambda i: (not i.new, i.title))
    return result


def _day(number: int | None) -> date | None:
    return None if number is None else date(1970, 1, 1) + timedelta(days=number)


def _change(note: InitiativeNote) -> str:
    parts = []
    if note.status_after:
        parts.append(f"{INITIATIVE_STATUSES.label(note.status_before)} → {INITIATIVE_STATUSES.label(note.status_after)}")
    if note.next_step_changed:
        parts.append(_("Next step: %(step)s", step=note.next_step_after or "–"))
    return "; ".join(parts)


def as_csv(result: Overview) -> str:
    """One row per initiative per part of the page, in the reader's language."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Part"), _("Status"), _("Initiative"), _("Partners"), _("Owner"), _("Next step"), _("Due"),
                     _("Last progress"), _("Notes since the previous session"), _("Changes")])
    status = INITIATIVE_STATUSES.label

    def row(part, i, notes=()):
        writer.writerow([part, status(i.status), i.title, " ".join(i.partner_codes), i.owner_partner.code,
                         i.next_step or "", i.next_step_due.isoformat() if i.next_step_due else "",
                         i.last_progress.isoformat(), len(notes), " | ".join(c for c in map(_change, notes) if c)])

    for code, initiatives in result.moved.items():
        for i in initiatives:
            row(_("Moved since the previous session"), i, i.notes)
    for i in result.stalled:
        row(_("Stalled"), i)
    for i in result.done:
        row(_("Done: successes"), i)
    return out.getvalue()

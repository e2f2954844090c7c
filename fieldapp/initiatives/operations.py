"""Making initiatives and their notes.

A note arrives under a UUID its sender made, like a record or a referral's event: the same body
from the same sender again is a retry (200), anything else under that UUID a conflict (409), and
a stored note never changes. The initiative's row is locked first, so two notes moving the same
initiative wait for each other and the second sees where the first left it.
"""
from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from marshmallow import ValidationError
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from ..accounts.models import Partner, User
from ..codes import INITIATIVE_MOVES
from ..db import writes
from ..i18n.messages import N_
from ..timeutil import amsterdam_day, as_utc, day_number, local_date, utcnow
from .access import may_write_notes
from .models import Initiative, InitiativeNote, initiative_partners

CREATED, DUPLICATE, CONFLICT = "created", "duplicate", "conflict"
FUTURE_TOLERANCE = timedelta(minutes=5)
NOTES = InitiativeNote.__table__


class NotAllowed(Exception):
    """The user may not write this initiative's notes (403)."""


def create(session: Session, user: User, data: dict) -> Initiative:
    """A new initiative from InitiativeIn's data; partners, owner and neighbourhood checked here.
    The caller holds the write transaction."""
    errors: dict = {}
    hood_id = data.get("neighbourhood_id")
    if hood_id is None and len(user.neighbourhood_ids) == 1:
        hood_id = next(iter(user.neighbourhood_ids))
    if hood_id not in user.neighbourhood_ids:
        errors["neighbourhood_id"] = [N_("Unknown neighbourhood.")]
    codes = sorted(set(data["partners"]))
    partners = list(session.scalars(select(Partner).where(Partner.code.in_(codes))))
    if len(partners) != len(codes):
        errors["partners"] = [N_("Unknown partner.")]
    owner = session.scalar(select(User).where(User.username == data["owner"], User.active == True))  # noqa: E712
    owner_partner = next((p for p in partners if p.code == data["owner_partner"]), None)
    if owner is None or hood_id not in owner.neighbourhood_ids:
        errors["owner"] = [N_("Not a user of this neighbourhood.")]
    elif owner_partner is not None and owner.partner_id != owner_partner.id:
        errors["owner"] = [N_("The owner works for the owning partner.")]
    if errors:
        raise ValidationError(errors)
    initiative = Initiative(
        neighbourhood_id=hood_id, title=data["title"], description=data.get("description") or "",
        owner_partner_id=owner_partner.id, owner_id=owner.id, status=data["status"], start_date=data["start_date"],
        next_step=data.get("next_step"), next_step_due=data.get("next_step_due"), created_at=utcnow(),
        last_progress_day=day_number(local_date(utcnow())), partners=sorted(partners, key=lambda p: p.name))
    session.add(initiative)
    session.flush()
    return initiative


def note_fingerprint(initiative_id: int, data: dict, sender_id: int) -> str:
    canonical = {key: (as_utc(value).isoformat() if hasattr(value, "astimezone") else value)
                 for key, value in data.items()}
    canonical.update(initiative=initiative_id, sender=sender_id)
    return hashlib.sha256(json.dumps(canonical, sort_keys=True, default=str).encode()).hexdigest()


@dataclass
class NoteResult:
    status: str
    initiative: Initiative
    note: InitiativeNote | None = None


def lock(session: Session, initiative_id: int) -> Initiative | None:
    """The initiative's write lock, then the row as it is now (SQLite holds the lock from BEGIN)."""
    session.execute(select(Initiative.id).where(Initiative.id == initiative_id).with_for_update())
    return session.scalar(select(Initiative).where(Initiative.id == initiative_id)
                          .execution_options(populate_existing=True))


def apply_note(session: Session, user: User, initiative_id: int, note_id: uuid.UUID, data: dict) -> NoteResult:
    """Store one note and what it changes. The caller holds the write transaction.

    Raises ValidationError (422) for an impossible change, NotAllowed (403)."""
    initiative = lock(session, initiative_id)
    print_ = note_fingerprint(initiative_id, data, user.id)
    stored = session.get(InitiativeNote, note_id)
    if stored is not None:
        return _sent_before(initiative, stored, print_)
    if not may_write_notes(user, initiative):
        raise NotAllowed()
    at = as_utc(data["at"])
    if at > utcnow() + FUTURE_TOLERANCE:
        raise ValidationError({"at": [N_("Cannot lie in the future.")]})
    row = {"id": note_id, "initiative_id": initiative_id, "at": at, "day": amsterdam_day(at), "text": data["text"],
           "status_before": None, "status_after": None, "next_step_changed": False, "next_step_before": None,
           "next_step_due_before": None, "next_step_after": None, "next_step_due_after": None,
           "sent_by_id": user.id, "received_at": utcnow(), "fingerprint": print_}
    row.update(_changes(initiative, data))
    if not writes(session).insert_rows(session, NOTES, [row], skip_existing=("id",), returning=("id",)):
        return _sent_before(initiative, session.get(InitiativeNote, note_id), print_)
    if row["status_after"]:
        initiative.status = row["status_after"]
    if row["next_step_changed"]:
        initiative.next_step, initiative.next_step_due = row["next_step_after"], row["next_step_due_after"]
    # A note typed late from a phone that was offline may be older than the latest one.
    initiative.last_progress_day = max(initiative.last_progress_day, row["day"])
    session.flush()
    session.expire(initiative, ["notes"])
    return NoteResult(CREATED, initiative, session.get(InitiativeNote, note_id))


def _changes(initiative: Initiative, data: dict) -> dict:
    """What the note changes, with what it replaces; a value the same as now is no change."""
    changes: dict = {}
    wanted = data.get("status")
    if wanted is not None and wanted != initiative.status:
        if wanted not in INITIATIVE_MOVES[initiative.status]:
            raise ValidationError({"status": [N_("This status cannot follow the current one.")]})
        changes.update(status_before=initiative.status, status_after=wanted)
    if "next_step" in data or "next_step_due" in data:
        step = data.get("next_step", initiative.next_step)
        due = data.get("next_step_due") if "next_step" in data else data.get("next_step_due", initiative.next_step_due)
        if due is not None and not step:
            raise ValidationError({"next_step_due": [N_("A due date needs a next step.")]})
        if (step, due) != (initiative.next_step, initiative.next_step_due):
            if changes.get("status_after", initiative.status) in ("done", "dropped"):
                raise ValidationError({"next_step": [N_("A finished initiative has no next step.")]})
            changes.update(next_step_changed=True, next_step_before=initiative.next_step,
                           next_step_due_before=initiative.next_step_due, next_step_after=step, next_step_due_after=due)
    if changes.get("status_after") in ("done", "dropped") and initiative.next_step and not changes.get("next_step_changed"):
        # Finished: its next step is no longer anybody's to take, and must not stall it.
        changes.update(next_step_changed=True, next_step_before=initiative.next_step,
                       next_step_due_before=initiative.next_step_due, next_step_after=None, next_step_due_after=None)
    return changes


def _sent_before(initiative: Initiative, stored: InitiativeNote, print_: str) -> NoteResult:
    same = stored.initiative_id == initiative.id and stored.fingerprint == print_
    return NoteResult(DUPLICATE if same else CONFLICT, initiative, stored)


def initiatives_open_to(session: Session, partner_id: int | None, neighbourhood_ids, initiative_ids,
                        **_facts) -> dict:
    """hooks.INITIATIVES_OPEN_TO: of these ids, the running initiatives in these neighbourhoods that
    the partner takes part in (any partner when None), with their neighbourhood."""
    if not initiative_ids:
        return {}
    query = select(Initiative.id, Initiative.neighbourhood_id).where(
        Initiative.id.in_(list(initiative_ids)), Initiative.status == "running",
        Initiative.neighbourhood_id.in_(list(neighbourhood_ids)))
    if partner_id is not None:
        query = query.where(Initiative.id.in_(select(initiative_partners.c.initiative_id)
                                              .where(initiative_partners.c.partner_id == partner_id)))
    return dict(session.execute(query).all())


def initiative_titles(session: Session, neighbourhood_ids=(), initiative_ids=(), **_facts) -> dict:
    """hooks.INITIATIVE_TITLES: the running initiatives of these neighbourhoods, and these ones
    whatever their status, by title."""
    query = select(Initiative.id, Initiative.title).where(or_(
        and_(Initiative.status == "running", Initiative.neighbourhood_id.in_(list(neighbourhood_ids))),
        Initiative.id.in_(list(initiative_ids))))
    return dict(session.execute(query.order_by(Initiative.title, Initiative.id)).all())


def today() -> date:
    return local_date(utcnow())

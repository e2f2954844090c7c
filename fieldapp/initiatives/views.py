"""Initiatives on office screens: the list (stalled first), one initiative, the forms to make one
and to add a note, and the session overview (a printable page and a CSV).

Every change goes through what the API uses (InitiativeIn/NoteIn, operations.create/apply_note),
so a screen can do nothing the API would refuse, and a refusal comes back at its field.
"""
from __future__ import annotations

import uuid
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import select

from ..access import AccessDenied, require_user
from ..accounts.models import Partner, User, user_neighbourhoods
from ..api import translate_messages
from ..codes import FOLLOWUP_STATUSES, INITIATIVE_MOVES, INITIATIVE_STATUSES, REFERRALS
from ..db import get_session, write_transaction
from ..records.models import Record, Referral
from ..streets.models import Street
from ..timeutil import utcnow
from ..validation import EARLIEST_DAY, LATEST_DAY
from .access import COORDINATORS, may_create, may_write_notes, visible_initiatives
from .figures import figures
from .models import Initiative
from .operations import NotAllowed, apply_note, create, today
from .overview import as_csv, default_since, overview
from .schemas import InitiativeIn, NoteIn
from .shown import shown, stalled_first

bp = Blueprint("initiative_pages", __name__, url_prefix="/initiatives", template_folder="templates")
LINKED_REFERRALS = 50  # the newest; the figures count them all


def _labels() -> dict:
    return {"status_labels": {c: INITIATIVE_STATUSES.label(c) for c in INITIATIVE_STATUSES.codes},
            "referral_labels": {c: REFERRALS.label(c) for c in REFERRALS.codes},
            "followup_labels": {c: FOLLOWUP_STATUSES.label(c) for c in FOLLOWUP_STATUSES.codes}}


def _visible_or_404(user: User, initiative_id: int) -> Initiative:
    initiative = get_session().scalar(visible_initiatives(user).where(Initiative.id == initiative_id))
    if initiative is None:
        abort(404)
    return initiative


@bp.get("/")
def index():
    """Every initiative of my neighbourhoods by status, the stalled ones first."""
    user = require_user()
    session = get_session()
    day = today()
    rows = list(session.scalars(visible_initiatives(user).order_by(*stalled_first(day), Initiative.title,
                                                                   Initiative.id)))
    numbers = figures(session, [i.id for i in rows])
    items = [shown(i, day, figures=numbers[i.id]) for i in rows]
    stalled = [i for i in items if i.stalled]
    groups = [(code, [i for i in items if i.status == code and not i.stalled]) for code in INITIATIVE_STATUSES.codes]
    return render_template("initiatives/list.html", stalled=stalled, groups=groups, can_create=may_create(user),
                           **_labels())


# --- a new initiative ----------------------------------------------------------------------


def _new_page(user: User, errors: dict | None = None, status: int = 200):
    session = get_session()
    owners = list(session.scalars(
        select(User).join(user_neighbourhoods, user_neighbourhoods.c.user_id == User.id)
        .where(User.active == True, user_neighbourhoods.c.neighbourhood_id.in_(user.neighbourhood_ids))  # noqa: E712
        .order_by(User.username).distinct()))
    return render_template("initiatives/new.html", partners=list(session.scalars(select(Partner).order_by(Partner.name))),
                           owners=owners, hoods=sorted(user.neighbourhoods, key=lambda h: h.name),
                           errors=errors or {}, form=request.form if errors else {},
                           today=today(), **_labels()), status


@bp.get("/new")
def new():
    user = require_user(*COORDINATORS)
    return _new_page(user)


@bp.post("/new")
def create_initiative():
    user = require_user(*COORDINATORS)
    form = request.form
    data = {"title": form.get("title", ""), "description": form.get("description", ""),
            "partners": form.getlist("partners"), "owner_partner": form.get("owner_partner", ""),
            "owner": form.get("owner", ""), "status": form.get("status") or "idea",
            "start_date": form.get("start_date", ""), "next_step": form.get("next_step", ""),
            "next_step_due": form.get("next_step_due", "")}
    if form.get("neighbourhood_id"):
        data["neighbourhood_id"] = form.get("neighbourhood_id", type=int)
    session = get_session()
    try:
        loaded = InitiativeIn().load(data)
        with write_transaction(session):
            initiative = create(session, user, loaded)
    except ValidationError as err:
        return _new_page(user, translate_messages(err.normalized_messages()), 422)
    flash(_("Initiative saved."), "ok")
    return redirect(url_for("initiative_pages.initiative", initiative_id=initiative.id))


# --- one initiative ------------------------------------------------------------------------


def _linked_referrals(session, initiative_id: int) -> list:
    """The consented referrals of the records naming it, newest first: street, never a house number."""
    return session.execute(
        select(Referral, Street.name).join(Record, Referral.record_id == Record.id)
        .join(Street, Referral.street_id == Street.id)
        .where(Record.initiative_id == initiative_id, Referral.consent == True)  # noqa: E712
        .order_by(Referral.occurred_at.desc(), Referral.id.desc()).limit(LINKED_REFERRALS)).all()


def _initiative_page(user: User, initiative: Initiative, errors: dict | None = None, status: int = 200):
    session = get_session()
    item = shown(initiative, today(), figures=figures(session, [initiative.id])[initiative.id], notes=initiative.notes)
    return render_template("initiatives/initiative.html", item=item, referrals=_linked_referrals(session, initiative.id),
                           can_write=may_write_notes(user, initiative), note_id=str(uuid.uuid4()), moves=INITIATIVE_MOVES[initiative.status],
                           errors=errors or {}, form=request.form if errors else {}, **_labels()), status


@bp.get("/<int:initiative_id>")
def initiative(initiative_id: int):
    user = require_user()
    return _initiative_page(user, _visible_or_404(user, initiative_id))


@bp.post("/<int:initiative_id>/notes")
def add_note(initiative_id: int):
    """A progress note from the form, happening now; the note's UUID is the form's, so a double
    click stores it once."""
    user = require_user()
    initiative = _visible_or_404(user, initiative_id)
    form = request.form
    data: dict = {"at": _now_iso(), "text": form.get("text", "")}
    if form.get("status") and form.get("status") != initiative.status:
        data["status"] = form.get("status")
    if form.get("change_next_step"):
        data["next_step"] = form.get("next_step", "")
        data["next_step_due"] = form.get("next_step_due", "")
    session = get_session()
    try:
        note_id = uuid.UUID(form.get("note_id", ""))
    except ValueError:
        note_id = uuid.uuid4()
    try:
        loaded = NoteIn().load(data)
        with write_transaction(session):
            apply_note(session, user, initiative_id, note_id, loaded)
    except ValidationError as err:
        return _initiative_page(user, _visible_or_404(user, initiative_id),
                                translate_messages(err.normalized_messages()), 422)
    except NotAllowed:
        raise AccessDenied(403, _("You do not have access to this.")) from None
    flash(_("Note saved."), "ok")
    return redirect(url_for("initiative_pages.initiative", initiative_id=initiative_id))


def _now_iso() -> str:
    return utcnow().isoformat()


# --- the session overview ------------------------------------------------------------------


def _since(user: User) -> tuple[date, str | None]:
    """The previous session's date from the query; when not given (or not a date), the latest
    partner session's or 30 days ago (overview.default_since)."""
    value = (request.args.get("since") or "").strip()
    if not value:
        return default_since(get_session(), user, today()), None
    try:
        day = date.fromisoformat(value)
        if not EARLIEST_DAY <= day <= LATEST_DAY:
            raise ValueError(value)
        return day, None
    except ValueError:
        return default_since(get_session(), user, today()), _("Give the date as YYYY-MM-DD.")


@bp.get("/overview")
def session_overview():
    user = require_user(*COORDINATORS)
    since, error = _since(user)
    result = overview(get_session(), user, since, today())
    return render_template("initiatives/overview.html", o=result, since_given="since" in request.args and not error,
                           since_error=error, **_labels()), 422 if error else 200


@bp.get("/overview.csv")
def session_overview_csv():
    user = require_user(*COORDINATORS)
    since, error = _since(user)
    if error:
        return error, 422
    result = overview(get_session(), user, since, today())
    filename = f"koppelkansen-{since.isoformat()}-{result.today.isoformat()}.csv"
    return as_csv(result), 200, {"Content-Type": "text/csv; charset=utf-8",
                                 "Content-Disposition": f'attachment; filename="{filename}"'}

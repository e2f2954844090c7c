"""The follow-up desk on office screens: the desk, a referral's page, the routing table.

Every change goes through what the API uses (operations.apply_event, routing.set_route), so a
screen can do nothing the API would refuse, and a refusal comes back as a message at its field.
"""
from __future__ import annotations

import re
import uuid
from datetime import date, datetime, time

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from .. import audit
from ..access import AccessDenied, require_user
from ..accounts.models import Partner, User, user_neighbourhoods
from ..api import translate_messages
from ..codes import APPOINTMENT_PLACES, CLOSING_OUTCOMES, FOLLOWUP_STATUSES, REFERRALS
from ..db import get_session, write_transaction
from ..records.models import Referral
from ..streets.models import Neighbourhood, Street
from ..timeutil import AMSTERDAM, local_date, utcnow
from ..validation import EARLIEST_DAY, LANGUAGES, LATEST_DAY
from . import operations
from .access import COORDINATORS, may_send, visible_followups
from .desk import addresses_shown, card, filtered, street_names
from .models import FollowUp
from .operations import AlreadyAnswered, NotAllowed, apply_event, language_gap, suggestions
from .routing import routing_table, set_route
from .schemas import OUTCOMES_BY_HAND, EventIn

bp = Blueprint("desk", __name__, url_prefix="/desk", template_folder="templates")

# Referrals a page: on a phone each is a card of about 230 px, so a page stays under six screens.
DESK_PAGE = 15
LIST_ARGS = ("status", "partner", "language", "assignee")
ACTIVE, ALL = "active", "all"  # the status filter's two extra choices: not closed, everything
# The fields each action's form shows; any other message of that form is shown above the forms.
FORM_FIELDS = {
    "contacted": ("note",),
    "scheduled": ("appointment_at", "place", "with_partner", "note"),
    "closed": ("outcome", "note"),
    "assigned": ("assignee",),
}
PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{4,28}$")


def _language_names() -> dict[str, str]:
    return dict(get_locale().languages) if get_locale() else {}


def _labels() -> dict:
    return {
        "referral_labels": {code: REFERRALS.label(code) for code in REFERRALS.codes},
        "status_labels": {code: FOLLOWUP_STATUSES.label(code) for code in FOLLOWUP_STATUSES.codes},
        "place_labels": {code: APPOINTMENT_PLACES.label(code) for code in APPOINTMENT_PLACES.codes},
        "outcome_labels": {code: CLOSING_OUTCOMES.label(code) for code in CLOSING_OUTCOMES.codes},
        "language_names": _language_names(),
    }


def _plain(value: str | None, limit: int = 80) -> str:
    """A query or form value without control characters (PostgreSQL refuses NUL), cut short."""
    return "".join(ch for ch in (value or "") if ch >= " ").strip()[:limit]


def _visible_or_404(user: User, referral_id: int) -> FollowUp:
    followup = get_session().scalar(visible_followups(user).where(FollowUp.referral_id == referral_id))
    if followup is None:
        abort(404)
    return followup


def _audit_addresses(cards) -> None:
    shown = addresses_shown(cards)
    if shown:
        audit.record("address_view", via=request.endpoint, referrals=len(shown),
                     streets=sorted({c.referral.street_id for c in shown}))


# --- the desk ------------------------------------------------------------------------------


def _desk_filters(session, default_status: str) -> tuple[dict, dict]:
    """The filters from the query string; an unknown value is reported and left out."""
    chosen = {name: _plain(request.args.get(name)) for name in LIST_ARGS}
    errors = {}
    if chosen["status"] and chosen["status"] not in (ACTIVE, ALL, *FOLLOWUP_STATUSES.codes):
        errors["status"], chosen["status"] = _("Unknown status."), ""
    chosen["status"] = chosen["status"] or default_status
    if chosen["partner"] and session.scalar(select(Partner.id).where(Partner.code == chosen["partner"])) is None:
        errors["partner"], chosen["partner"] = _("Unknown partner."), ""
    chosen["language"] = chosen["language"].lower()
    if chosen["language"] and chosen["language"] not in LANGUAGES:
        errors["language"], chosen["language"] = _("Unknown language code."), ""
    return chosen, errors


def _desk_query(user: User, chosen: dict):
    stmt = visible_followups(user)
    if chosen["status"] == ACTIVE:
        stmt = stmt.where(FollowUp.status != "closed")
    elif chosen["status"] != ALL:
        stmt = stmt.where(FollowUp.status == chosen["status"])
    return filtered(stmt, user, chosen)


def _filter_choices(session, user: User) -> dict:
    """What the filters offer: the languages and assignees on this user's desk."""
    visible = visible_followups(user).subquery()
    return {
        "partners": list(session.scalars(select(Partner).order_by(Partner.name))) if user.role in COORDINATORS else [],
        "languages": sorted(session.scalars(select(visible.c.language).distinct())),
        "assignees": list(session.scalars(select(User.username).where(User.id.in_(select(visible.c.assignee_id)))
                                          .order_by(User.username))),
    }


def desk_page(user: User, endpoint: str, answer_endpoint: str, default_status: str = ACTIVE):
    """The desk: referrals this user may see, filtered, overdue first, a page at a time.

    Also served at the dashboard's old follow-up queue address (its own `endpoint` and "answered"
    button), where it opens on the open referrals as that queue did.
    """
    session = get_session()
    chosen, errors = _desk_filters(session, default_status)
    stmt = _desk_query(user, chosen)
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    pages = max(1, -(-total // DESK_PAGE))
    page = min(max(request.args.get("page", 1, type=int), 1), pages)
    today = local_date(utcnow())
    overdue_first = case((FollowUp.overdue_on(today), 0), else_=1)
    rows = session.execute(
        stmt.add_columns(language_gap().label("gap"))
        .options(joinedload(FollowUp.referral).joinedload(Referral.record))
        .order_by(overdue_first, case((Referral.due_date.is_(None), 1), else_=0), Referral.due_date,
                  FollowUp.referral_id)
        .offset((page - 1) * DESK_PAGE).limit(DESK_PAGE)).all()
    followups = [followup for followup, _gap in rows]
    names = street_names(session, followups)
    cards = [card(followup, user, today, names, language_gap=bool(gap)) for followup, gap in rows]
    _audit_addresses(cards)
    # The filters as chosen, without the default: for the pager's links and back from "answered".
    args = {name: value for name, value in chosen.items() if value and (name != "status" or value != default_status)}
    return render_template(
        "followup/desk.html", cards=cards, total=total, page=page, pages=pages, chosen=chosen, errors=errors,
        args=args, endpoint=endpoint, answer_endpoint=answer_endpoint,
        answerable={f.referral_id for f in followups if f.status == "open" and may_send(user, f)},
        **_filter_choices(session, user), **_labels(),
    )


def back_to_list(endpoint: str):
    """Back to the desk's page and filters the "answered" button was pressed on."""
    args = {name: _plain(request.form.get(name)) for name in LIST_ARGS}
    page = request.form.get("page", type=int)
    if page and page > 1:
        args["page"] = page
    return redirect(url_for(endpoint, **{name: value for name, value in args.items() if value}))


def answer_and_flash(user: User, followup: FollowUp) -> None:
    """Part one's "answered" button: a `contacted` event now, its outcome as a flash message."""
    session = get_session()
    try:
        with write_transaction(session):
            operations.answer(session, user, followup, None)
        flash(_("Marked as answered."), "ok")
    except AlreadyAnswered:
        flash(_("This referral was already answered."), "warning")
    except NotAllowed:
        raise AccessDenied(403, _("You do not have access to this.")) from None
    except ValidationError as err:
        flash(" ".join(m for ms in translate_messages(err.messages).values() for m in ms), "error")


@bp.get("/")
def index():
    return desk_page(require_user(), "desk.index", "desk.answer")


@bp.post("/referrals/<int:referral_id>/answer")
def answer(referral_id: int):
    """The desk's "answered" button: anyone who may send the referral's events."""
    user = require_user()
    answer_and_flash(user, _visible_or_404(user, referral_id))
    return back_to_list("desk.index")


# --- a referral ----------------------------------------------------------------------------


def _partner_users(session, followup: FollowUp, hood_id: int) -> list[User]:
    """Whom it may be assigned to: the routed partner's active users in its neighbourhood."""
    if followup.partner_id is None:
        return []
    return list(session.scalars(
        select(User).join(user_neighbourhoods, user_neighbourhoods.c.user_id == User.id)
        .where(User.partner_id == followup.partner_id, User.active == True,  # noqa: E712
               user_neighbourhoods.c.neighbourhood_id == hood_id)
        .order_by(User.username)))


def _referral_page(user: User, followup: FollowUp, failed: str | None = None, errors: dict | None = None,
                   status: int = 200):
    session = get_session()
    hints = suggestions(session, followup)
    shown = card(followup, user, local_date(utcnow()), street_names(session, [followup]))
    _audit_addresses([shown])
    hood_id = session.scalar(select(Street.neighbourhood_id).where(Street.id == followup.referral.street_id))
    open_ = followup.status != "closed"
    can_assign = open_ and followup.partner_id is not None and user.role in COORDINATORS
    can_take = (open_ and followup.assignee_id is None and followup.partner_id is not None
                and followup.partner_id == user.partner_id and user.role not in COORDINATORS)
    can_send = open_ and may_send(user, followup)
    suggested = {u.id for u in hints.assignees}
    errors = errors or {}
    form_shown = (can_assign or can_take) if failed == "assigned" else can_send
    shown_fields = FORM_FIELDS.get(failed, ()) if form_shown else ()
    general = [m for field, messages in errors.items() if field not in shown_fields for m in messages]
    return render_template(
        "followup/referral.html", followup=followup, shown=shown, hints=hints,
        others=[u for u in _partner_users(session, followup, hood_id) if u.id not in suggested] if can_assign else [],
        can_assign=can_assign, can_take=can_take, can_send=can_send,
        failed=failed, errors=errors, general=general, form=request.form if failed else {},
        partners=list(session.scalars(select(Partner).order_by(Partner.name))),
        outcomes=OUTCOMES_BY_HAND, **_labels(),
    ), status


@bp.get("/referrals/<int:referral_id>")
def referral(referral_id: int):
    user = require_user()
    return _referral_page(user, _visible_or_404(user, referral_id))


def _appointment_at(form) -> tuple[str | None, dict]:
    """The appointment's date and time (Amsterdam) as one instant; none when both are empty."""
    day, clock = form.get("appointment_date", "").strip(), form.get("appointment_time", "").strip()
    if not day and not clock:
        return None, {}
    try:
        on = date.fromisoformat(day)
        if not EARLIEST_DAY <= on <= LATEST_DAY:
            raise ValueError(day)
        return datetime.combine(on, time.fromisoformat(clock), AMSTERDAM).isoformat(), {}
    except ValueError:
        return None, {"appointment_at": [_("Not a valid datetime.")]}


def _event_from_form(kind: str) -> tuple[dict, dict]:
    """The event as the API's EventIn takes it, happening now; with the form's own errors."""
    form = request.form
    data: dict = {"type": kind, "at": utcnow().isoformat()}
    errors: dict = {}
    if kind == "assigned":
        data["assignee"] = form.get("assignee") or None
        return data, errors
    data["note"] = form.get("note", "").strip() or None
    if kind == "scheduled":
        data["appointment_at"], errors = _appointment_at(form)
        data["place"] = form.get("place") or None
        data["with_partner"] = form.get("with_partner") or None
    elif kind == "closed":
        data["outcome"] = form.get("outcome") or None
    return data, errors


SAVED = {
    "contacted": lambda event: _("Contact saved."),
    "scheduled": lambda event: _("Appointment saved."),
    "closed": lambda event: _("Referral closed."),
    "assigned": lambda event: _("Assigned to %(username)s.", username=event.assignee.username),
}


@bp.post("/referrals/<int:referral_id>/events")
def add_event(referral_id: int):
    """One step in the referral's life from a form: contacted, an appointment, closed, assigned."""
    user = require_user()
    session = get_session()
    _visible_or_404(user, referral_id)
    kind = _plain(request.form.get("type"), 20)
    data, errors = _event_from_form(kind)
    result = None
    if not errors:
        try:
            data = EventIn().load(data)
            with write_transaction(session):
                result = apply_event(session, user, referral_id, uuid.uuid4(), data)
        except ValidationError as err:
            errors = translate_messages(err.normalized_messages())
        except NotAllowed:
            raise AccessDenied(403, _("You do not have access to this.")) from None
    if result is None:
        return _referral_page(user, _visible_or_404(user, referral_id), kind, errors or {"type": [_("Invalid input.")]},
                              422)
    flash(SAVED[kind](result.event), "ok")
    return redirect(url_for("desk.referral", referral_id=referral_id))


# --- routing and partners ------------------------------------------------------------------


def _routing_page(user: User, route_errors: dict | None = None, failed_hood: int | None = None,
                  phone_errors: dict | None = None, status: int = 200):
    session = get_session()
    hoods = sorted(user.neighbourhoods, key=lambda hood: hood.name)
    return render_template(
        "followup/routing.html", tables=[(hood, routing_table(session, hood)) for hood in hoods],
        partners=list(session.scalars(select(Partner).order_by(Partner.name))), editable=user.role == "admin",
        route_errors=route_errors or {}, failed_hood=failed_hood, phone_errors=phone_errors or {},
        form=request.form if status != 200 else {}, **_labels(),
    ), status


@bp.get("/routing")
def routing():
    """Which partner answers each referral code per neighbourhood. Admins change it; coordinators read."""
    return _routing_page(require_user(*COORDINATORS))


@bp.post("/routing/<int:neighbourhood_id>")
def save_routing(neighbourhood_id: int):
    user = require_user("admin")
    if neighbourhood_id not in user.neighbourhood_ids:
        abort(404)
    session = get_session()
    partners = {partner.code: partner for partner in session.scalars(select(Partner))}
    wanted, errors = {}, {}
    for code in REFERRALS.codes:
        value = _plain(request.form.get(f"route-{code}"), 40)
        if value in partners:
            wanted[code] = value
        elif value:
            errors[code] = _("Unknown partner.")
    if errors:
        return _routing_page(user, errors, neighbourhood_id, status=422)
    with write_transaction(session):
        hood = session.get(Neighbourhood, neighbourhood_id)
        partners = {partner.code: partner for partner in session.scalars(select(Partner))}
        for code, partner_code in wanted.items():
            if set_route(session, hood, code, partners[partner_code]):
                audit.add(session, "routing_changed", actor=user, neighbourhood_id=hood.id, code=code,
                          partner=partner_code)
    flash(_("Saved."), "ok")
    return redirect(url_for("desk.routing"))


@bp.post("/partners")
def save_phones():
    """The partners' phone numbers, printed on the appointment card. Admins."""
    user = require_user("admin")
    session = get_session()
    wanted, errors = {}, {}
    for code in session.scalars(select(Partner.code)):
        if f"phone-{code}" not in request.form:
            continue
        value = " ".join(_plain(request.form[f"phone-{code}"], 200).split())
        if value and not PHONE.match(value):
            errors[code] = _("Use 5 to 30 digits, spaces and + ( ) - only.")
        wanted[code] = value or None
    if errors:
        return _routing_page(user, phone_errors=errors, status=422)
    with write_transaction(session):
        for partner in session.scalars(select(Partner).where(Partner.code.in_(list(wanted)))):
            partner.phone = wanted[partner.code]
    flash(_("Saved."), "ok")
    return redirect(url_for("desk.routing", _anchor="phones"))

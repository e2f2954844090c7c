"""The meetings on office screens: the list of a period with the form to plan one, and one
meeting's page with the form to report it. Both forms go through the API's schemas and
operations, so a screen can do nothing the API would refuse; each plan form carries the UUID
made when it was shown, so sending it twice stores one meeting."""
from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import select

from .. import hooks
from ..access import require_user
from ..accounts.models import Partner
from ..api import translate_messages
from ..codes import COMMON_LANGUAGES, HEARD_VIA, MEETING_TYPES
from ..db import get_session, write_transaction
from ..streets.models import Neighbourhood, Street
from ..timeutil import AMSTERDAM, local_date, utcnow
from ..validation import EARLIEST_DAY, LATEST_DAY, PeriodQuery
from .blueprint import PLANNERS
from .operations import CONFLICT, list_meetings, plan, report, visible_meeting, with_sign_ups
from .schemas import MeetingIn, ReportIn

bp = Blueprint("meetings_office", __name__, url_prefix="/meetings", template_folder="templates")


def _labels() -> dict:
    names = dict(get_locale().languages) if get_locale() else {}
    return {
        "type_labels": {code: MEETING_TYPES.label(code) for code in MEETING_TYPES.codes},
        "heard_via_labels": {code: HEARD_VIA.label(code) for code in HEARD_VIA.codes},
        "language_names": names,
        "form_languages": list(COMMON_LANGUAGES),
    }


def _flat(errors: dict) -> dict[str, list[str]]:
    """Each field's messages as one list, however deep marshmallow nested them (a dict's keys)."""
    def leaves(value):
        if isinstance(value, dict):
            return [m for v in value.values() for m in leaves(v)]
        if isinstance(value, (list, tuple)):
            return [m for v in value for m in leaves(v)]
        return [str(value)]
    return {key: list(dict.fromkeys(leaves(value))) for key, value in errors.items()}


def _period() -> tuple[dict, dict]:
    """The period from the query string, by default the last 30 days and the next 60."""
    today = local_date(utcnow())
    given = {k: v for k, v in request.args.items() if k in ("from", "to") and v}
    try:
        query = PeriodQuery().load(given)
    except ValidationError as err:
        return {}, translate_messages(err.messages)
    if not given:
        query = {"date_from": today - timedelta(days=30), "date_to": today + timedelta(days=60)}
    return query, {}


def _choices(session, user) -> dict:
    hoods = list(session.scalars(select(Neighbourhood).where(Neighbourhood.id.in_(user.neighbourhood_ids))
                                 .order_by(Neighbourhood.name)))
    streets = list(session.execute(select(Street.id, Street.name, Street.neighbourhood_id)
                                   .where(Street.neighbourhood_id.in_(user.neighbourhood_ids))
                                   .order_by(Street.name)))
    partners = list(session.execute(select(Partner.code, Partner.name).order_by(Partner.name)))
    return {"hoods": hoods, "streets": streets, "partners": partners,
            "initiatives": _initiative_titles(session, neighbourhood_ids=user.neighbourhood_ids)}


def _initiative_titles(session, **facts) -> dict[int, str]:
    """Asked of the package that keeps initiatives (above this one): {id: title}."""
    titles: dict[int, str] = {}
    for answer in hooks.ask(hooks.INITIATIVE_TITLES, session, **facts):
        titles.update(answer)
    return titles


def _list_page(user, form: dict | None = None, errors: dict | None = None, status: int = 200):
    session = get_session()
    query, period_errors = _period()
    meetings = list_meetings(session, user, query.get("date_from"), query.get("date_to")) if not period_errors else []
    choices = _choices(session, user)
    street_names = {sid: name for sid, name, _hood in choices["streets"]}
    form = form or {"id": str(uuid.uuid4())}
    html = render_template("meetings/list.html", meetings=meetings, query=query, period_errors=period_errors,
                           form=form, errors=_flat(errors or {}), planner=user.role in PLANNERS,
                           street_names=street_names, **choices, **_labels())
    return html, status


@bp.get("/")
def index():
    return _list_page(require_user())


def _starts_at(form) -> tuple[str | None, dict]:
    day, clock = form.get("day", "").strip(), form.get("time", "").strip()
    try:
        on = date.fromisoformat(day)
        if not EARLIEST_DAY <= on <= LATEST_DAY:
            raise ValueError(day)
        return datetime.combine(on, time.fromisoformat(clock), AMSTERDAM).isoformat(), {}
    except ValueError:
        return None, {"starts_at": [_("Give a day and a time.")]}


def _int(value: str):
    """A typed number as an int; anything else is passed on for the schema to refuse."""
    value = (value or "").strip()
    return int(value) if value.isdigit() else value


@bp.post("/")
def plan_meeting():
    user = require_user(*PLANNERS)
    form = request.form
    starts_at, errors = _starts_at(form)
    body = {"type": form.get("type", ""), "place": form.get("place", ""),
            "neighbourhood_id": _int(form.get("neighbourhood_id")),
            "streets": [_int(s) for s in form.getlist("streets")],
            "languages": form.getlist("languages"), "partners": form.getlist("partners"),
            "initiative": _int(form.get("initiative")) or None}
    if starts_at:
        body["starts_at"] = starts_at
    try:
        meeting_id = uuid.UUID(form.get("id", ""))
    except ValueError:
        meeting_id = uuid.uuid4()
    kept = {**form.to_dict(), "id": str(meeting_id), "streets": form.getlist("streets"),
            "languages": form.getlist("languages"), "partners": form.getlist("partners")}
    try:
        data = MeetingIn().load(body)
    except ValidationError as err:
        return _list_page(user, kept, {**translate_messages(err.messages), **errors}, 422)
    if errors:
        return _list_page(user, kept, errors, 422)
    session = get_session()
    try:
        with write_transaction(session):
            stored = plan(session, user, meeting_id, data)
    except ValidationError as err:
        return _list_page(user, kept, translate_messages(err.messages), 422)
    if stored.status == CONFLICT:
        # The same form sent twice with other answers: the first one stands; a fresh form for another.
        flash(_("This meeting was already saved with other details. Check it below."), "error")
    else:
        flash(_("Meeting saved."), "success")
    return redirect(url_for(".meeting", meeting_id=meeting_id))


def _meeting_page(user, meeting_id: uuid.UUID, form: dict | None = None, errors: dict | None = None,
                  status: int = 200):
    session = get_session()
    meeting = visible_meeting(session, user, meeting_id)
    if meeting is None:
        abort(404)
    with_sign_ups(session, [meeting])
    streets = dict(session.execute(select(Street.id, Street.name).where(
        Street.id.in_([s.street_id for s in meeting.streets]))).all())
    partners = dict(session.execute(select(Partner.code, Partner.name)).all())
    initiative = (_initiative_titles(session, initiative_ids=[meeting.initiative_id]).get(meeting.initiative_id)
                  if meeting.initiative_id is not None else None)
    return render_template("meetings/meeting.html", meeting=meeting, streets=streets, partner_names=partners,
                           initiative=initiative,
                           form=form or {}, errors=_flat(errors or {}), planner=user.role in PLANNERS,
                           begun=meeting.starts_at <= utcnow(), **_labels()), status


@bp.get("/<uuid:meeting_id>")
def meeting(meeting_id: uuid.UUID):
    return _meeting_page(require_user(), meeting_id)


@bp.post("/<uuid:meeting_id>/report")
def report_meeting(meeting_id: uuid.UUID):
    user = require_user(*PLANNERS)
    form = request.form
    session = get_session()
    if visible_meeting(session, user, meeting_id) is None:
        abort(404)
    body = {"head_count": _int(form.get("head_count")),
            "head_counts": {code.removeprefix("lang-"): _int(v) for code, v in form.items()
                            if code.startswith("lang-") and v.strip()},
            "heard_via": {code.removeprefix("via-"): _int(v) for code, v in form.items()
                          if code.startswith("via-") and v.strip()}}
    if form.get("other_language", "").strip() and form.get("other_count", "").strip():
        body["head_counts"][form["other_language"].strip().lower()] = _int(form["other_count"])
    try:
        data = ReportIn().load(body)
        with write_transaction(session):
            stored = report(session, user, visible_meeting(session, user, meeting_id), data)
    except ValidationError as err:
        return _meeting_page(user, meeting_id, form.to_dict(), translate_messages(err.messages), 422)
    if stored.status == CONFLICT:
        flash(_("This meeting was already reported. The first report stands."), "error")
    else:
        flash(_("Report saved."), "success")
    return redirect(url_for(".meeting", meeting_id=meeting_id))

"""/buurt/<slug>: the public neighbourhood page, and the coordinators' form for the loket's hours.

The URL names the neighbourhood by its slug (figures.slug: "Smitsveen" is /buurt/smitsveen), so a
flyer's address is short and readable. The page is rendered once per neighbourhood and language
and served from memory (cache.py); the language comes from the app's one selector (?lang=, the
cookie, Accept-Language), so the same address works for every resident.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from marshmallow import ValidationError

from .. import audit
from ..access import require_user
from ..api import translate_messages
from ..db import get_session, write_transaction
from ..security import public_page
from ..timeutil import utcnow
from . import cache
from .figures import figures, neighbourhood_slugs
from .models import LoketHours
from .page import page_context, weekday_names
from .schemas import LoketIn

bp = Blueprint("public", __name__, url_prefix="/buurt", template_folder="templates")

COORDINATORS = ("coordinator", "admin")
WEEKDAYS = range(7)


def _render(slug: str) -> str:
    session = get_session()
    found = neighbourhood_slugs(session).get(slug)
    if found is None:
        abort(404)
    hood_id, name = found
    try:
        shown = figures(session, hood_id, name, utcnow())
    finally:
        # Read only: give the connection back before the page is kept and served.
        session.rollback()
    return render_template("public/page.html", **page_context(shown))


@bp.get("/<slug>")
@public_page
def neighbourhood(slug: str):
    key = (slug, str(get_locale()))
    html = cache.kept().get_or_make(key, cache.seconds(), lambda: _render(slug))
    response = make_response(html)
    max_age = int(cache.seconds())
    # ?lang= sets the language cookie on this response, and a signed-in visitor's session cookie
    # may be refreshed on it: no shared cache may keep those.
    cookie_set = request.args.get("lang") or current_app.config["SESSION_COOKIE_NAME"] in request.cookies
    scope = "private" if cookie_set else "public"
    response.headers["Cache-Control"] = f"{scope}, max-age={max_age}"
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response


def _own_hood(slug: str, user) -> tuple[int, str]:
    found = neighbourhood_slugs(get_session()).get(slug)
    if found is None or found[0] not in user.neighbourhood_ids:
        abort(404)
    return found


def _form_values(kept: LoketHours | None) -> dict:
    hours = {h["weekday"]: h for h in (kept.hours if kept else [])}
    values = {"place": kept.place if kept else ""}
    for day in WEEKDAYS:
        values[f"opens-{day}"] = hours.get(day, {}).get("opens", "")
        values[f"closes-{day}"] = hours.get(day, {}).get("closes", "")
    return values


def _loket_page(slug: str, name: str, values: dict, errors: dict | None = None, status: int = 200):
    return render_template("public/loket.html", slug=slug, neighbourhood=name, values=values,
                           errors=errors or {}, weekdays=list(zip(WEEKDAYS, weekday_names()))), status


@bp.get("/<slug>/loket")
def loket(slug: str):
    user = require_user(*COORDINATORS)
    hood_id, name = _own_hood(slug, user)
    return _loket_page(slug, name, _form_values(get_session().get(LoketHours, hood_id)))


def _sent() -> tuple[dict, dict]:
    """The form as LoketIn's body, and the typed values to show again."""
    values = {"place": request.form.get("place", "").strip()}
    hours = []
    for day in WEEKDAYS:
        opens, closes = (request.form.get(f"{part}-{day}", "").strip() for part in ("opens", "closes"))
        values[f"opens-{day}"], values[f"closes-{day}"] = opens, closes
        if opens or closes:
            hours.append({"weekday": day, "opens": opens, "closes": closes})
    return {"place": values["place"], "hours": hours}, values


@bp.post("/<slug>/loket")
def save_loket(slug: str):
    user = require_user(*COORDINATORS)
    hood_id, name = _own_hood(slug, user)
    body, values = _sent()
    try:
        data = LoketIn().load(body)
    except ValidationError as err:
        return _loket_page(slug, name, values, _form_errors(translate_messages(err.messages), body), 422)
    session = get_session()
    with write_transaction(session):
        kept = session.get(LoketHours, hood_id) or LoketHours(neighbourhood_id=hood_id)
        kept.place, kept.hours = data["place"], sorted(data["hours"], key=lambda h: h["weekday"])
        kept.updated_at, kept.updated_by_id = utcnow(), user.id
        session.add(kept)
        audit.add(session, "loket_hours_changed", actor=user, neighbourhood_id=hood_id)
    cache.kept().clear()
    flash(_("Saved."), "ok")
    return redirect(url_for("public.loket", slug=slug))


def _form_errors(messages: dict, body: dict) -> dict:
    """LoketIn's messages keyed by the form's fields (hours are listed by position)."""
    errors = {"place": messages.get("place", [])}
    for position, problems in (messages.get("hours") or {}).items():
        day = body["hours"][int(position)]["weekday"]
        for part, texts in problems.items():
            errors[f"{'opens' if part == 'opens' else 'closes'}-{day}"] = texts if isinstance(texts, list) else [texts]
    return {key: value for key, value in errors.items() if value}

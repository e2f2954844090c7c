"""The office screens: each locale's share of strings reviewed by a native speaker (coordinators
and admins), and the admins' review of the suggestions, per locale, the current wording beside
each. The review form goes through the API's schema and operations."""
from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError

from ..access import require_user
from ..api import translate_messages
from ..db import get_session, write_transaction
from ..i18n import BY_CODE, TRANSLATED
from ..i18n.checks import glossary_entries
from .access import REVIEW_ROLES
from .models import OPEN, Suggestion
from .operations import CONFLICT, after_commit, list_suggestions, review, shares
from .schemas import ReviewIn

bp = Blueprint("translation_pages", __name__, url_prefix="/translations", template_folder="templates")
READERS = ("coordinator", "admin")


@bp.get("/")
def index():
    require_user(*READERS)
    return render_template("translations_review/shares.html", rows=shares(get_session()), locales=BY_CODE)


@bp.get("/review")
def review_list():
    require_user(*REVIEW_ROLES)
    session = get_session()
    per_locale = {r["locale"]: r for r in shares(session)}
    code = request.args.get("locale")
    if code not in TRANSLATED:  # none chosen: the first locale with suggestions waiting
        code = next((c for c in TRANSLATED if per_locale[c]["open"]), TRANSLATED[0])
    suggestions = list_suggestions(session, code)
    waiting = [s for s in suggestions if s.status == OPEN]
    decided = [s for s in suggestions if s.status != OPEN][:50]
    return render_template("translations_review/review.html", code=code, locales=BY_CODE, codes=TRANSLATED,
                           waiting=waiting, decided=decided, shares=per_locale,
                           glossary={s.msgid: glossary_entries(s.msgid, code) for s in waiting})


@bp.post("/review/<uuid:suggestion_id>")
def review_one(suggestion_id: uuid.UUID):
    user = require_user(*REVIEW_ROLES)
    session = get_session()
    suggestion = session.get(Suggestion, suggestion_id)
    if suggestion is None:
        abort(404)
    code = suggestion.locale
    try:
        data = ReviewIn().load({"decision": request.form.get("decision", ""), "note": request.form.get("note") or None})
        with write_transaction(session):
            stored = review(session, user, suggestion, data["decision"], data["note"])
        after_commit(session)
    except ValidationError as err:
        messages = translate_messages(err.messages)
        flash(" ".join(m for values in messages.values() for m in values), "error")
        return redirect(url_for(".review_list", locale=code))
    if stored.status == CONFLICT:
        flash(_("This suggestion was already reviewed otherwise."), "error")
    elif stored.suggestion.status == "accepted":
        flash(_("Accepted: the new wording is used from now on."), "success")
    else:
        flash(_("Rejected."), "success")
    return redirect(url_for(".review_list", locale=code))

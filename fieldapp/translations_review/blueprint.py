"""The suggestions' API. Speakers of a locale suggest (suggest mode in the field app, through the
outbox); admins accept or reject; everyone signed in reads their own suggestions, what they may
suggest for, and each locale's share of strings reviewed by a native speaker."""
from __future__ import annotations

import uuid

from flask_babel import gettext
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..access import AccessDenied, require_user
from ..api import error_response
from ..db import get_session, write_transaction
from ..i18n.checks import glossary
from .access import REVIEW_ROLES, may_suggest, suggest_locales
from .models import Suggestion
from .operations import CONFLICT, CREATED, after_commit, list_suggestions, mine, review, shares, suggest, with_current
from .schemas import LocaleQuery, ReviewIn, ShareList, SuggestionIn, SuggestionList, SuggestionOut, SuggestionQuery

blp = Blueprint("translations", __name__, url_prefix="/api/v1/translations",
                description="Translations that the field improves")


class GlossaryRow(Schema):
    term = fields.String()
    meaning = fields.String()
    nl = fields.String()
    tr = fields.String()
    ti = fields.String()
    so = fields.String()


class SuggestRights(Schema):
    locales = fields.List(fields.String(), metadata={"description": "the locales I may suggest wordings for"})
    glossary = fields.List(fields.Nested(GlossaryRow), metadata={"description": "docs/glossary.md's table"})


@blp.route("/me", methods=["GET"])
@blp.arguments(LocaleQuery, location="query")
@blp.response(200, SuggestRights)
def get_rights(query):
    """The locales I may suggest wordings for (none: no suggest mode; with `locale`: that one or
    none), and the glossary."""
    user = require_user()
    locales = [code for code in suggest_locales(user) if code == query.get("locale", code)]
    return {"locales": locales, "glossary": glossary()}


@blp.route("/suggestions/<uuid:suggestion_id>", methods=["PUT"])
@blp.arguments(SuggestionIn)
@blp.response(201, SuggestionOut, description="Stored for the first time")
@blp.alt_response(200, schema=SuggestionOut, description="The identical suggestion was already stored (a retry)")
@blp.alt_response(403, description="Only users who speak the locale (and may suggest) suggest")
@blp.alt_response(409, description="This UUID is stored with a different body; the stored suggestion is unchanged")
@blp.alt_response(422, description="Invalid input, a text the catalog does not have, or a wording the catalog "
                                   "check would refuse (placeholders, plural forms, glossary words)")
def put_suggestion(data, suggestion_id: uuid.UUID):
    """Suggest a wording for one string of one locale, under the UUID the sender made. Safe to retry."""
    user = require_user()
    if not may_suggest(user, data["locale"]):
        raise AccessDenied(403, gettext("You can suggest wordings only for a language you speak."))
    session = get_session()
    with write_transaction(session):
        stored = suggest(session, user, suggestion_id, data)
    if stored.status == CONFLICT:
        return error_response(409, message=gettext("This suggestion was already sent with different content."))
    [suggestion] = with_current([stored.suggestion])  # after the commit: the wording in use is read apart
    return suggestion, 201 if stored.status == CREATED else 200


@blp.route("/suggestions", methods=["GET"])
@blp.arguments(SuggestionQuery, location="query")
@blp.response(200, SuggestionList)
def get_suggestions(query):
    """Admins: every suggestion (by locale and status). Everyone else: their own."""
    user = require_user()
    session = get_session()
    if user.role in REVIEW_ROLES:
        return {"suggestions": list_suggestions(session, query.get("locale"), query.get("status"))}
    own = [s for s in mine(session, user)
           if s.locale == query.get("locale", s.locale) and s.status == query.get("status", s.status)]
    return {"suggestions": own}


@blp.route("/suggestions/<uuid:suggestion_id>/review", methods=["POST"])
@blp.arguments(ReviewIn)
@blp.response(200, SuggestionOut, description="Decided (or the identical decision was already taken)")
@blp.alt_response(403, description="Only admins review suggestions")
@blp.alt_response(404, description="No such suggestion")
@blp.alt_response(409, description="Already decided otherwise; the first decision stands")
@blp.alt_response(422, description="Invalid input, or the wording no longer fits the catalog")
def post_review(data, suggestion_id: uuid.UUID):
    """Accept (used at once, on the server and in the field app) or reject a suggestion, with a note."""
    user = require_user(*REVIEW_ROLES)
    session = get_session()
    with write_transaction(session):
        suggestion = session.get(Suggestion, suggestion_id)
        if suggestion is None:
            return error_response(404)
        stored = review(session, user, suggestion, data["decision"], data["note"])
    after_commit(session)
    if stored.status == CONFLICT:
        return error_response(409, message=gettext("This suggestion was already reviewed otherwise."))
    [suggestion] = with_current([stored.suggestion])  # after the commit: the wording in use is read apart
    return suggestion


@blp.route("/shares", methods=["GET"])
@blp.arguments(LocaleQuery, location="query")
@blp.response(200, ShareList)
def get_shares(query):
    """Each locale's share of strings reviewed by a native speaker (or one locale's)."""
    require_user()
    return {"locales": [row for row in shares(get_session()) if row["locale"] == query.get("locale", row["locale"])]}

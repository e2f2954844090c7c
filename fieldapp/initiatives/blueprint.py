"""The initiatives' API: list, create, one with its figures, and its notes sent exactly once."""
from __future__ import annotations

import uuid

from flask_babel import gettext
from flask_smorest import Blueprint

from ..access import AccessDenied, require_user
from ..api import error_response
from ..db import get_session, write_transaction
from .access import may_create, visible_initiatives
from .figures import figures
from .models import Initiative, initiative_partners
from .operations import CONFLICT, CREATED, NotAllowed, apply_note, create, today
from .schemas import InitiativeDetail, InitiativeIn, InitiativeList, InitiativeQuery, NoteIn
from .shown import shown, stalled_first

blp = Blueprint("initiatives", __name__, url_prefix="/api/v1/initiatives",
                description="Koppelkansen: joint initiatives of two or more partners")


def _visible(session, user, initiative_id: int) -> Initiative | None:
    return session.scalar(visible_initiatives(user).where(Initiative.id == initiative_id))


def _detail(session, initiative: Initiative) -> dict:
    return shown(initiative, today(), figures=figures(session, [initiative.id])[initiative.id],
                 notes=initiative.notes)


@blp.route("", methods=["GET"])
@blp.arguments(InitiativeQuery, location="query")
@blp.response(200, InitiativeList)
def get_initiatives(query):
    """The initiatives of my neighbourhoods, stalled ones first; `mine`: those my partner takes part in."""
    user = require_user()
    stmt = visible_initiatives(user)
    if query.get("status"):
        stmt = stmt.where(Initiative.status == query["status"])
    if query.get("mine"):
        stmt = stmt.where(Initiative.id.in_(
            initiative_partners.select().with_only_columns(initiative_partners.c.initiative_id)
            .where(initiative_partners.c.partner_id == user.partner_id)))
    day = today()
    rows = get_session().scalars(stmt.order_by(*stalled_first(day), Initiative.title, Initiative.id))
    return {"initiatives": [shown(i, day) for i in rows]}


@blp.route("", methods=["POST"])
@blp.arguments(InitiativeIn)
@blp.response(201, InitiativeDetail)
@blp.alt_response(403, description="Coordinators and admins only")
@blp.alt_response(422, description="Invalid: fewer than two partners, owner partner not among them, bad dates…")
def post_initiative(data):
    """Formulate a new initiative (at the koppelkansensessie). Coordinators and admins."""
    user = require_user()
    if not may_create(user):
        raise AccessDenied(403, gettext("You do not have access to this."))
    session = get_session()
    with write_transaction(session):
        initiative = create(session, user, data)
    return _detail(session, initiative), 201


@blp.route("/<int:initiative_id>", methods=["GET"])
@blp.response(200, InitiativeDetail)
@blp.alt_response(404, description="Not in my neighbourhoods")
def get_initiative(initiative_id: int):
    """One initiative with its notes (newest first) and what is linked to it."""
    user = require_user()
    session = get_session()
    initiative = _visible(session, user, initiative_id)
    if initiative is None:
        return error_response(404)
    return _detail(session, initiative)


@blp.route("/<int:initiative_id>/notes/<uuid:note_id>", methods=["PUT"])
@blp.arguments(NoteIn)
@blp.response(201, InitiativeDetail, description="Stored for the first time")
@blp.alt_response(200, schema=InitiativeDetail, description="The identical note was already stored (a retry)")
@blp.alt_response(403, description="Not the owner, a coordinator or an admin")
@blp.alt_response(404, description="Not in my neighbourhoods")
@blp.alt_response(409, description="This UUID is stored with a different body; nothing changed")
@blp.alt_response(422, description="Invalid, or an impossible change (back from done or dropped)")
def put_note(data, initiative_id: int, note_id: uuid.UUID):
    """A progress note, optionally moving the status or setting the next step. Safe to retry."""
    user = require_user()
    session = get_session()
    if _visible(session, user, initiative_id) is None:
        return error_response(404)
    with write_transaction(session):
        try:
            result = apply_note(session, user, initiative_id, note_id, data)
        except NotAllowed:
            raise AccessDenied(403, gettext("You do not have access to this.")) from None
        if result.status == CONFLICT:
            return error_response(409, message=gettext("This update was already sent with different content."))
    return _detail(session, result.initiative), 201 if result.status == CREATED else 200

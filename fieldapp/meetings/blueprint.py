"""The meetings' API. Coordinators and admins plan and report meetings; every signed-in user of
the neighbourhood reads them (a volunteer picks one to record sign-ups at). Partner volunteers
do not plan: a meeting is the neighbourhood's, and its head counts enter the coordinators'
figures."""
from __future__ import annotations

import uuid

from flask_babel import gettext
from flask_smorest import Blueprint

from ..access import require_user
from ..api import error_response
from ..db import get_session, write_transaction
from .operations import CONFLICT, CREATED, list_meetings, plan, report, visible_meeting, with_sign_ups
from .schemas import MeetingIn, MeetingList, MeetingOut, MeetingQuery, ReportIn

PLANNERS = ("coordinator", "admin")

blp = Blueprint("meetings", __name__, url_prefix="/api/v1/meetings", description="Group meetings")


def _answer(stored, session):
    if stored.status == CONFLICT:
        return error_response(409, message=gettext("This meeting was already sent with different content."))
    [meeting] = with_sign_ups(session, [stored.meeting])
    return meeting, 201 if stored.status == CREATED else 200


@blp.route("/<uuid:meeting_id>", methods=["PUT"])
@blp.arguments(MeetingIn)
@blp.response(201, MeetingOut, description="Stored for the first time")
@blp.alt_response(200, schema=MeetingOut, description="The identical meeting was already stored (a retry)")
@blp.alt_response(403, description="Only coordinators and admins plan meetings")
@blp.alt_response(409, description="This UUID is stored with a different body; the stored meeting is unchanged")
@blp.alt_response(422, description="Invalid input: a message per field, in the request's language")
def put_meeting(data, meeting_id: uuid.UUID):
    """Plan a meeting under the UUID the sender made. Safe to retry."""
    user = require_user(*PLANNERS)
    session = get_session()
    with write_transaction(session):
        stored = plan(session, user, meeting_id, data)
        return _answer(stored, session)


@blp.route("/<uuid:meeting_id>/report", methods=["PUT"])
@blp.arguments(ReportIn)
@blp.response(201, MeetingOut, description="Reported for the first time")
@blp.alt_response(200, schema=MeetingOut, description="The identical report was already stored (a retry)")
@blp.alt_response(403, description="Only coordinators and admins report meetings")
@blp.alt_response(404, description="No such meeting in my neighbourhoods")
@blp.alt_response(409, description="The meeting was already reported with other counts; the stored report stands")
@blp.alt_response(422, description="Invalid input, or the meeting has not begun")
def put_report(data, meeting_id: uuid.UUID):
    """Report what a meeting drew (head counts, how people heard of it), once. Safe to retry."""
    user = require_user(*PLANNERS)
    session = get_session()
    with write_transaction(session):
        meeting = visible_meeting(session, user, meeting_id)
        if meeting is None:
            return error_response(404)
        return _answer(report(session, user, meeting, data), session)


@blp.route("", methods=["GET"])
@blp.arguments(MeetingQuery, location="query")
@blp.response(200, MeetingList)
def get_meetings(query):
    """Meetings of my neighbourhoods starting in the period (Europe/Amsterdam days, both included)."""
    user = require_user()
    return {"meetings": list_meetings(get_session(), user, query.get("date_from"), query.get("date_to"))}

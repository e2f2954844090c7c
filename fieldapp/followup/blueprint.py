"""The follow-up desk's API: referrals, their events, and the routing table."""
from __future__ import annotations

import uuid

from flask import request
from flask_babel import gettext
from flask_smorest import Blueprint
from marshmallow import ValidationError
from sqlalchemy import select

from .. import audit
from ..access import AccessDenied, require_user
from ..accounts.models import Partner, User
from ..api import error_response
from ..codes import REFERRALS
from ..db import get_session, write_transaction
from ..i18n.messages import N_
from ..records.models import Referral
from ..streets.models import Neighbourhood, Street
from ..timeutil import local_date, utcnow
from .access import COORDINATORS, visible_followups
from .desk import addresses_shown, card, list_followups, street_names
from .models import FollowUp
from .operations import CONFLICT, CREATED, AlreadyAnswered, NotAllowed, answer, apply_event, suggestions
from .routing import routing_table, set_route
from .schemas import (
    AnsweredReferral, AnswerIn, EventIn, ReferralCard, ReferralDetail, ReferralPage, ReferralQuery, RouteIn, RoutingOut,
)

blp = Blueprint("followup", __name__, url_prefix="/api/v1", description="The follow-up desk: referrals and routing")


def _address_view(cards) -> dict | None:
    """The audit entry's details when any of these cards shows a house number."""
    shown = addresses_shown(cards)
    if not shown:
        return None
    return {"via": request.endpoint, "referral_ids": sorted(c.referral_id for c in shown),
            "streets": sorted({c.referral.street_id for c in shown})}


def _audit_addresses(cards) -> None:
    details = _address_view(cards)
    if details:
        audit.record("address_view", **details)


def _visible(session, user, referral_id: int) -> FollowUp | None:
    return session.scalar(visible_followups(user).where(FollowUp.referral_id == referral_id))


@blp.route("/referrals", methods=["GET"])
@blp.arguments(ReferralQuery, location="query")
@blp.response(200, ReferralPage)
def get_referrals(query):
    """Referrals on the desk that I may see, due date first; house numbers only for the assignee
    and coordinators (audited)."""
    user = require_user()
    session = get_session()
    page, next_cursor = list_followups(session, user, query)
    today, names = local_date(utcnow()), street_names(session, page)
    cards = [card(f, user, today, names) for f in page]
    _audit_addresses(cards)
    return {"referrals": cards, "next_cursor": next_cursor}


@blp.route("/referrals/<int:referral_id>", methods=["GET"])
@blp.response(200, ReferralDetail)
@blp.alt_response(404, description="Not on the desk, or not mine to see")
def get_referral(referral_id: int):
    """One referral with the suggested assignees, its language gap and the taalcoaches to ask."""
    user = require_user()
    session = get_session()
    followup = _visible(session, user, referral_id)
    if followup is None:
        return error_response(404)
    hints = suggestions(session, followup)
    result = card(followup, user, local_date(utcnow()), street_names(session, [followup]),
                  suggested_assignees=hints.assignees, language_gap=hints.language_gap,
                  suggested_taalcoaches=hints.taalcoaches)
    _audit_addresses([result])
    return result


@blp.route("/referrals/<int:referral_id>/events/<uuid:event_id>", methods=["PUT"])
@blp.arguments(EventIn)
@blp.response(201, ReferralCard, description="Stored for the first time")
@blp.alt_response(200, schema=ReferralCard, description="The identical event was already stored (a retry)")
@blp.alt_response(403, description="Not mine to send: not the assignee, the routed partner or a coordinator")
@blp.alt_response(404, description="Not on the desk, or not mine to see")
@blp.alt_response(409, description="This UUID is stored with a different body; nothing changed")
@blp.alt_response(422, description="Invalid, or impossible now (closing twice, scheduling a closed one)")
def put_event(data, referral_id: int, event_id: uuid.UUID):
    """One step in the referral's life under the UUID the phone made: safe to retry."""
    user = require_user()
    session = get_session()
    if _visible(session, user, referral_id) is None:
        return error_response(404)
    with write_transaction(session):
        try:
            result = apply_event(session, user, referral_id, event_id, data)
        except NotAllowed:
            raise AccessDenied(403, gettext("You do not have access to this.")) from None
        if result.status == CONFLICT:
            return error_response(409, message=gettext("This update was already sent with different content."))
        followup = result.followup
        shown = card(followup, user, local_date(utcnow()), street_names(session, [followup]))
        # The answer shows the house number to whom may see it: audited with the event it answers.
        details = _address_view([shown])
        if details:
            audit.add(session, "address_view", **details)
    return shown, 201 if result.status == CREATED else 200


@blp.route("/referrals/<int:referral_id>/answer", methods=["POST"])
@blp.arguments(AnswerIn)
@blp.response(200, AnsweredReferral)
@blp.alt_response(404, description="No such referral in my neighbourhoods")
@blp.alt_response(409, description="Already answered; the first answer stands")
def answer_referral(data, referral_id: int):
    """Mark a consented referral answered (default now): a `contacted` event. Coordinators."""
    user = require_user(*COORDINATORS)
    session = get_session()
    followup = _visible(session, user, referral_id)
    if followup is None:
        return _declined_or_missing(session, user, referral_id)
    try:
        with write_transaction(session):
            referral = answer(session, user, followup, data.get("answered_at"))
    except AlreadyAnswered:
        return error_response(409, message=gettext("This referral was already answered."))
    by = session.get(User, referral.answered_by_id)
    return {"id": referral.id, "record_id": referral.record_id, "code": referral.code, "consent": referral.consent,
            "due_date": referral.due_date, "answered_at": referral.answered_at,
            "answered_by": by.username if by else None}


def _declined_or_missing(session, user, referral_id: int):
    """A declined offer is in scope but not on the desk: say why instead of "not found"."""
    declined = session.scalar(
        select(Referral.id).join(Street, Referral.street_id == Street.id)
        .where(Referral.id == referral_id, Referral.consent == False,  # noqa: E712
               Street.neighbourhood_id.in_(user.neighbourhood_ids)))
    if declined is None:
        return error_response(404)
    raise ValidationError({"referral": [N_("The resident declined this referral: there is nothing to answer.")]})


@blp.route("/routing/<int:neighbourhood_id>", methods=["GET"])
@blp.response(200, RoutingOut)
@blp.alt_response(404, description="Not one of my neighbourhoods")
def get_routing(neighbourhood_id: int):
    """Which partner answers each referral code in a neighbourhood. Coordinators and admins."""
    user = require_user(*COORDINATORS)
    hood = _my_neighbourhood(user, neighbourhood_id)
    return _routing_out(get_session(), hood)


@blp.route("/routing/<int:neighbourhood_id>/<string:code>", methods=["PUT"])
@blp.arguments(RouteIn)
@blp.response(200, RoutingOut)
@blp.alt_response(404, description="Not one of my neighbourhoods, or no such referral code")
def put_route(data, neighbourhood_id: int, code: str):
    """Route a referral code to a partner from now on; referrals already routed keep theirs. Admins."""
    user = require_user("admin")
    hood = _my_neighbourhood(user, neighbourhood_id)
    if code not in REFERRALS:
        return error_response(404)
    session = get_session()
    partner = session.scalar(select(Partner).where(Partner.code == data["partner"]))
    if partner is None:
        raise ValidationError({"partner": [N_("Unknown partner.")]})
    with write_transaction(session):
        if set_route(session, hood, code, partner):
            audit.add(session, "routing_changed", actor=user, neighbourhood_id=hood.id, code=code, partner=partner.code)
    return _routing_out(session, hood)


def _my_neighbourhood(user, neighbourhood_id: int) -> Neighbourhood:
    if neighbourhood_id not in user.neighbourhood_ids:
        raise AccessDenied(404, gettext("Not found."))
    return get_session().get(Neighbourhood, neighbourhood_id)


def _routing_out(session, hood: Neighbourhood) -> dict:
    return {"neighbourhood_id": hood.id, "routes": [
        {"code": code, "partner": partner.code if partner else None, "default": is_default}
        for code, partner, is_default in routing_table(session, hood)]}

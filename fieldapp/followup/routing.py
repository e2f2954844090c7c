"""Routing: every consented referral gets the partner that answers its code in its neighbourhood.

A neighbourhood's table starts as DOMAIN.md's defaults (codes.DEFAULT_ROUTES); a row in
referral_routes overrides one code. So a new neighbourhood routes without set-up, and the
defaults live in one place.
"""
from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.orm import Session

from ..accounts.models import Partner
from ..codes import DEFAULT_ROUTES, REFERRALS
from ..db import writes
from ..records.models import Record, Referral
from ..streets.models import Neighbourhood, Street
from ..sqlfuncs import amsterdam_day
from ..workdays import FIRST_DAY, ordinal_sql
from .models import FollowUp, ReferralEvent, Route

ROUTES = Route.__table__
PARTNERS = Partner.__table__


def routed_partner(neighbourhood_id, code):
    """The partner id for a code in a neighbourhood, as SQL: its route row, else the default."""
    override = (select(ROUTES.c.partner_id)
                .where(ROUTES.c.neighbourhood_id == neighbourhood_id, ROUTES.c.code == code)
                .scalar_subquery())
    default_code = case(*((code == ref_code, literal(partner)) for ref_code, partner in DEFAULT_ROUTES.items()),
                        else_=None)
    default = select(PARTNERS.c.id).where(PARTNERS.c.code == default_code).scalar_subquery()
    return func.coalesce(override, default)


def _desk_rows(dialect_name: str, *conditions, since: date = FIRST_DAY):
    """The followups rows of consented referrals: referral, routed partner, status, language,
    the days of the record and of a first contact with their working-day ordinals. A referral
    answered before it reached the desk (loaded around records.store) is `contacted`."""
    refs, recs, streets = Referral.__table__, Record.__table__, Street.__table__
    status = case((refs.c.answered_at.is_(None), literal("open")), else_=literal("contacted"))
    days = [amsterdam_day(refs.c.occurred_at), amsterdam_day(refs.c.answered_at)]
    return (
        select(refs.c.id, routed_partner(streets.c.neighbourhood_id, refs.c.code), status, recs.c.language,
               *days, *ordinal_sql(dialect_name, days, since))
        .select_from(refs.join(recs, recs.c.id == refs.c.record_id).join(streets, streets.c.id == refs.c.street_id))
        .where(refs.c.consent == True, *conditions)  # noqa: E712
    )


DESK_COLUMNS = ["referral_id", "partner_id", "status", "language", "record_day", "contact_day", "record_ordinal",
                "contact_ordinal"]


def route_records(session: Session, consented_ids: list, consented_since: date | None = None, **_facts) -> None:
    """Put the consented referrals of the records just stored on the desk (hooks.RECORDS_STORED).

    Only records that hold one are asked about, and only the working days from the earliest of
    their days on: on PostgreSQL the statement carries the working-day calendar as a parameter
    (workdays.ordinal_sql), which cost every PUT several milliseconds when it was sent whole
    (docs/performance.md). A referral just stored has no answer yet, so its record's day is the
    only day the statement counts."""
    if not consented_ids:
        return
    dialect = session.get_bind().dialect.name
    rows = _desk_rows(dialect, writes(session).one_of(Referral.__table__.c.record_id, "record_ids"),
                      # A day early: the margin costs nothing and no day of theirs can fall outside.
                      since=consented_since - timedelta(days=1) if consented_since else FIRST_DAY)
    session.connection().execute(FollowUp.__table__.insert().from_select(DESK_COLUMNS, rows),
                                 {"record_ids": list(consented_ids)})


def route_all_unrouted(session: Session) -> int:
    """Consented referrals not on the desk yet (loaded around records.store) get their partner;
    one answered already is `contacted`, with its answer as its first event (as migration 0006
    does for those stored before the desk)."""
    desk, refs = FollowUp.__table__, Referral.__table__
    unrouted = ~select(desk.c.referral_id).where(desk.c.referral_id == refs.c.id).exists()
    answered = session.execute(
        select(refs.c.id, refs.c.answered_at, refs.c.answered_by_id)
        .where(refs.c.consent == True, refs.c.answered_at.is_not(None), unrouted)).all()  # noqa: E712
    rows = _desk_rows(session.get_bind().dialect.name, unrouted)
    routed = session.execute(desk.insert().from_select(DESK_COLUMNS, rows),
                             execution_options={"preserve_rowcount": True}).rowcount
    if answered:
        session.execute(ReferralEvent.__table__.insert(), [
            {"id": uuid.uuid4(), "referral_id": referral_id, "type": "contacted", "at": at, "sent_by_id": by,
             "received_at": at, "fingerprint": "loaded"} for referral_id, at, by in answered])
    return routed


def routing_table(session: Session, neighbourhood: Neighbourhood) -> list[tuple[str, Partner | None, bool]]:
    """(code, partner, is_default) for every referral code, in the code list's order."""
    overrides = {route.code: route.partner for route in
                 session.scalars(select(Route).where(Route.neighbourhood_id == neighbourhood.id))}
    partners = {p.code: p for p in session.scalars(select(Partner))}
    table = []
    for code in REFERRALS.codes:
        if code in overrides:
            table.append((code, overrides[code], False))
        else:
            table.append((code, partners.get(DEFAULT_ROUTES.get(code, "")), True))
    return table


def set_route(session: Session, neighbourhood: Neighbourhood, code: str, partner: Partner) -> bool:
    """Route `code` to `partner` from now on in this neighbourhood; True when it changed.

    Referrals already on the desk keep their partner: somebody may be working on them.
    """
    route = session.scalar(select(Route).where(and_(Route.neighbourhood_id == neighbourhood.id, Route.code == code)))
    before = route.partner_id if route else _default_partner_id(session, code)
    if partner.code == DEFAULT_ROUTES.get(code):
        if route is not None:
            session.delete(route)  # back to the default: one place says it
    elif route is None:
        session.add(Route(neighbourhood_id=neighbourhood.id, code=code, partner_id=partner.id))
    else:
        route.partner_id = partner.id
    return before != partner.id


def _default_partner_id(session: Session, code: str) -> int | None:
    return session.scalar(select(Partner.id).where(Partner.code == DEFAULT_ROUTES.get(code, "")))

"""What the follow-up desk's tests share: referrals made through the records API, events sent
through the desk's API, and users of a given partner and languages."""
from __future__ import annotations

import uuid

from conftest import PASSWORD

RECORDED_AT = "2026-01-05T10:00:00+01:00"
LATER = "2026-01-06T10:00:00+01:00"


def record_body(street_id: int, referrals: list[dict], language: str = "nl", house_number: int = 1,
                occurred_at: str = RECORDED_AT) -> dict:
    return {"channel": "rally", "street_id": street_id, "house_number": house_number, "outcome": "talked",
            "occurred_at": occurred_at, "language": language, "referrals": referrals}


def referral_ids(api, street_id: int, *codes: str, consent: bool = True, **record) -> list[int]:
    """One record holding a referral per code; their ids."""
    body = record_body(street_id, [{"code": code, "consent": consent} for code in codes], **record)
    response = api.put(f"/api/v1/records/{uuid.uuid4()}", json=body)
    assert response.status_code == 201, response.get_json()
    return [referral["id"] for referral in response.get_json()["referrals"]]


def new_referral(api, street_id: int, code: str = "energy_coach", **record) -> int:
    return referral_ids(api, street_id, code, **record)[0]


def send(api, referral_id: int, body: dict, event_id: uuid.UUID | None = None):
    return api.put(f"/api/v1/referrals/{referral_id}/events/{event_id or uuid.uuid4()}", json=body)


def contacted(at: str = LATER, **extra) -> dict:
    return {"type": "contacted", "at": at, **extra}


def scheduled(at: str = LATER, **extra) -> dict:
    return {"type": "scheduled", "at": at, "appointment_at": "2026-01-09T14:00:00+01:00", "place": "home", **extra}


def closed(outcome: str = "helped", at: str = LATER, **extra) -> dict:
    return {"type": "closed", "at": at, "outcome": outcome, **extra}


def assigned(username: str, at: str = LATER) -> dict:
    return {"type": "assigned", "at": at, "assignee": username}


def add_user(db, username: str, role: str, partner: str, hoods: list[str], languages: list[str]) -> int:
    from fieldapp.accounts.operations import upsert_user

    user_id = upsert_user(db, username, PASSWORD, role, partner, hoods, languages).id
    db.commit()
    return user_id


def desk_row(db, referral_id: int):
    """(partner code, status, assignee username) as stored, or None when not on the desk."""
    from sqlalchemy import select

    from fieldapp.accounts.models import Partner, User
    from fieldapp.followup.models import FollowUp

    db.rollback()  # a fresh read: the API wrote in its own sessions
    return db.execute(
        select(Partner.code, FollowUp.status, User.username)
        .select_from(FollowUp).outerjoin(Partner, Partner.id == FollowUp.partner_id)
        .outerjoin(User, User.id == FollowUp.assignee_id)
        .where(FollowUp.referral_id == referral_id)).one_or_none()


def event_count(db, referral_id: int | None = None) -> int:
    from sqlalchemy import func, select

    from fieldapp.followup.models import ReferralEvent

    db.rollback()
    stmt = select(func.count()).select_from(ReferralEvent)
    if referral_id is not None:
        stmt = stmt.where(ReferralEvent.referral_id == referral_id)
    return db.scalar(stmt)

"""A referral's life as events: each stored exactly once under the UUID its sender made, only the
transitions DOMAIN.md allows, and the first contact and end that part one counts."""
from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import requests

from followup_support import (
    LATER, RECORDED_AT, add_user, assigned, closed, contacted, desk_row, event_count, new_referral, scheduled, send,
)
from helpers import ServedApp


def test_identical_retry_is_200_and_stores_one_event(app, db, world, login):
    vol = login("vol")
    referral = new_referral(vol, world.streets["Smitsplein"])
    event_id = uuid.uuid4()
    body = contacted(note="Gebeld, terugbellen morgen.")
    first = send(vol, referral, body, event_id)
    assert first.status_code == 201, first.get_json()
    card = first.get_json()
    assert card["status"] == "contacted" and card["first_contact_at"].startswith("2026-01-06T09:00:00")
    assert [(e["id"], e["type"], e["note"], e["sent_by"]) for e in card["events"]] == [
        (str(event_id), "contacted", "Gebeld, terugbellen morgen.", "vol")]
    # The same moment written in another offset is the same body.
    again = send(vol, referral, {**body, "at": "2026-01-06T09:00:00Z"}, event_id)
    assert again.status_code == 200
    assert again.get_json()["events"] == card["events"]
    assert event_count(db, referral) == 1


def test_same_uuid_with_another_body_is_409_and_changes_nothing(app, db, world, login):
    vol = login("vol", "nl")
    street = world.streets["Smitsplein"]
    referral, other = new_referral(vol, street), new_referral(vol, street)
    event_id = uuid.uuid4()
    assert send(vol, referral, contacted(), event_id).status_code == 201
    before = vol.get(f"/api/v1/referrals/{referral}").get_json()
    for body in (closed(), contacted(note="anders"), contacted(at="2026-01-07T10:00:00+01:00")):
        conflict = send(vol, referral, body, event_id)
        assert conflict.status_code == 409 and conflict.get_json()["message"]
    # The same UUID sent by somebody else is not a retry of theirs either.
    assert send(login("coord"), referral, contacted(), event_id).status_code == 409
    # Nor for another referral.
    assert send(vol, other, contacted(), event_id).status_code == 409
    assert vol.get(f"/api/v1/referrals/{referral}").get_json() == before
    assert desk_row(db, other) == ("eas", "open", None)
    assert event_count(db) == 1


def test_thirty_concurrent_identical_puts_store_one_event(app, db, world, login):
    vol = login("vol")
    referral = new_referral(vol, world.streets["Smitsplein"])
    url = f"/api/v1/referrals/{referral}/events/{uuid.uuid4()}"
    with ServedApp(app) as served, ThreadPoolExecutor(max_workers=30) as pool:
        def put(_):
            return requests.put(served.url + url, json=scheduled(), headers=vol.headers, timeout=60)

        answers = list(pool.map(put, range(30)))
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200] * 29 + [201], statuses
    assert len({answer.text for answer in answers}) == 1  # every answer is the stored state
    assert event_count(db, referral) == 1
    assert desk_row(db, referral) == ("eas", "scheduled", None)


def test_concurrent_contacts_keep_the_earliest_as_first_contact(app, db, world, login):
    """Each request reads the referral's first contact after it got the desk row's lock: one read
    before it (PostgreSQL's snapshot of a statement that waited) would let a later contact win."""
    vol = login("vol")
    referral = new_referral(vol, world.streets["Smitsplein"])
    times = [f"2026-01-{day:02d}T10:00:00+01:00" for day in range(6, 26)]
    with ServedApp(app) as served, ThreadPoolExecutor(max_workers=len(times)) as pool:
        def put(at):
            return requests.put(f"{served.url}/api/v1/referrals/{referral}/events/{uuid.uuid4()}",
                                json=contacted(at=at), headers=vol.headers, timeout=60).status_code

        statuses = list(pool.map(put, reversed(times)))
    assert statuses == [201] * len(times)
    card = vol.get(f"/api/v1/referrals/{referral}").get_json()
    assert card["first_contact_at"][:19] == "2026-01-06T09:00:00"
    assert len(card["events"]) == len(times) and card["status"] == "contacted"


def errors_of(response, status: int = 422) -> dict:
    assert response.status_code == status, (response.status_code, response.get_json())
    return response.get_json()["errors"]


def test_a_closed_referral_takes_no_more_steps(app, db, world, login):
    coord = login("coord")
    referral = new_referral(login("vol"), world.streets["Smitsplein"])
    assert send(coord, referral, closed("unreachable")).status_code == 201
    for body in (closed(), scheduled(), contacted(), assigned("vol")):
        assert list(errors_of(send(coord, referral, body))) == ["type"], body["type"]
    assert event_count(db, referral) == 1
    assert desk_row(db, referral) == ("eas", "closed", None)


def test_impossible_bodies_name_the_field(app, db, world, login):
    add_user(db, "goos_vol", "volunteer", "goos", ["Smitsveen"], ["nl"])
    add_user(db, "eas_elders", "volunteer", "eas", ["Elders"], ["nl"])
    coord = login("coord", "nl")
    referral = new_referral(login("vol"), world.streets["Smitsplein"])
    future = (datetime.now(timezone.utc) + timedelta(hours=1)).isoformat()
    cases = [
        (assigned("goos_vol"), {"assignee"}),  # a user of another partner
        (assigned("eas_elders"), {"assignee"}),  # of the partner, but not in this neighbourhood
        (assigned("nobody_at_all"), {"assignee"}),
        (contacted(at=future), {"at"}),
        (contacted(at="2026-01-05T09:59:00+01:00"), {"at"}),  # a minute before the record
        (scheduled(appointment_at="2026-01-01T10:00:00+01:00"), {"appointment_at"}),
        ({"type": "scheduled", "at": LATER}, {"appointment_at", "place"}),
        ({"type": "scheduled", "at": LATER, "place": "home"}, {"appointment_at"}),
        ({"type": "closed", "at": LATER}, {"outcome"}),
        ({"type": "assigned", "at": LATER}, {"assignee"}),
        (contacted(outcome="helped"), {"outcome"}),  # a field that does not belong to the type
        (closed(place="home"), {"place"}),
        (contacted(assignee="vol"), {"assignee"}),
        (closed("withdrawn"), {"outcome"}),  # the erasure's own outcome
        (closed("gone_away"), {"outcome"}),
        (scheduled(place="cafe"), {"place"}),
        (scheduled(with_partner="nobody"), {"with_partner"}),
        ({"type": "visited", "at": LATER}, {"type"}),
        ({"type": "contacted"}, {"at"}),
        (contacted(at="2026-01-06T10:00:00"), {"at"}),  # no offset
        (contacted(note="x" * 501), {"note"}),
        (contacted(colour="red"), {"colour"}),
    ]
    for body, fields in cases:
        errors = errors_of(send(coord, referral, body))
        assert set(errors) == fields, (body, errors)
        assert all(isinstance(m, str) and m for messages in errors.values() for m in messages)
    assert event_count(db, referral) == 0
    assert desk_row(db, referral) == ("eas", "open", None)


def test_messages_come_in_the_users_language(app, world, login):
    from helpers import catalog_text

    referral = new_referral(login("vol"), world.streets["Smitsplein"])
    for language in ("en", "nl"):
        errors = errors_of(send(login("coord", language), referral, {"type": "closed", "at": LATER}))
        expected = "Required for this kind of event."
        assert errors == {"outcome": [expected if language == "en" else catalog_text("nl", expected)]}


def test_first_contact_is_the_earliest_contacted_or_scheduled(app, db, world, login):
    vol, coord = login("vol"), login("coord")
    referral = new_referral(vol, world.streets["Smitsplein"])
    card = send(vol, referral, contacted(at="2026-01-08T10:00:00+01:00")).get_json()
    assert (card["status"], card["first_contact_at"][:19]) == ("contacted", "2026-01-08T09:00:00")
    # A phone that was offline sends an appointment made earlier: that was the first contact.
    card = send(coord, referral, scheduled(at="2026-01-07T10:00:00+01:00")).get_json()
    assert (card["status"], card["first_contact_at"][:19]) == ("scheduled", "2026-01-07T09:00:00")
    assert card["events"][0]["type"] == "scheduled" and card["events"][0]["place"] == "home"
    # A later contact changes neither the first contact nor the appointment.
    card = send(vol, referral, contacted(at="2026-01-09T10:00:00+01:00")).get_json()
    assert (card["status"], card["first_contact_at"][:19]) == ("scheduled", "2026-01-07T09:00:00")
    assert card["closed_at"] is None
    card = send(vol, referral, closed(at="2026-01-12T10:00:00+01:00")).get_json()
    assert (card["status"], card["closed_at"][:19], card["overdue"]) == ("closed", "2026-01-12T09:00:00", False)
    assert [e["type"] for e in card["events"]] == ["scheduled", "contacted", "contacted", "closed"]

    from fieldapp.records.models import Referral

    db.rollback()
    stored = db.get(Referral, referral)
    assert stored.answered_at == datetime(2026, 1, 7, 9, tzinfo=timezone.utc)
    assert stored.answered_by_id == world.users["coord"]


def test_answer_is_a_contacted_event(app, db, world, login):
    coord = login("coord")
    referral = new_referral(login("vol"), world.streets["Smitsplein"])
    response = coord.post(f"/api/v1/referrals/{referral}/answer", json={"answered_at": LATER})
    assert response.status_code == 200
    events = coord.get(f"/api/v1/referrals/{referral}").get_json()["events"]
    assert [(e["type"], e["sent_by"], e["at"][:19]) for e in events] == [("contacted", "coord", "2026-01-06T09:00:00")]
    assert coord.post(f"/api/v1/referrals/{referral}/answer", json={}).status_code == 409
    closed_first = new_referral(login("vol"), world.streets["Smitsplein"])
    assert send(coord, closed_first, closed("unreachable")).status_code == 201
    assert list(errors_of(coord.post(f"/api/v1/referrals/{closed_first}/answer", json={}))) == ["type"]


def open_referrals(api) -> int:
    rows = api.get("/api/v1/dashboard/streets?from=2026-01-01&to=2026-01-31").get_json()["streets"]
    return {row["name"]: row for row in rows}["Smitsplein"]["referrals_open"]


def test_closed_without_contact_is_no_longer_open_in_part_one(app, world, login):
    vol, coord = login("vol"), login("coord")
    referral = new_referral(vol, world.streets["Smitsplein"], occurred_at=RECORDED_AT)
    assert open_referrals(coord) == 1
    assert send(vol, referral, closed("unreachable")).status_code == 201
    assert open_referrals(coord) == 0


def test_assignment_shows_in_the_answer(app, db, world, login):
    add_user(db, "eas_two", "volunteer", "eas", ["Smitsveen"], ["tr"])
    coord = login("coord")
    referral = new_referral(login("vol"), world.streets["Smitsplein"])
    card = send(coord, referral, assigned("eas_two")).get_json()
    assert card["assignee"] == "eas_two" and card["events"][0]["assignee"] == "eas_two"
    card = send(coord, referral, assigned("vol", at="2026-01-07T10:00:00+01:00")).get_json()
    assert card["assignee"] == "vol"  # re-assigned: an event too
    assert [e["assignee"] for e in card["events"]] == ["eas_two", "vol"]
    assert desk_row(db, referral) == ("eas", "open", "vol")

"""Meetings: planned and reported exactly once (PUT), listed by period; sign-ups link to them."""
import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from fieldapp.meetings.models import Meeting


def meeting_body(world, **extra) -> dict:
    body = {"type": "residents_meeting", "starts_at": "2026-03-10T19:30:00+01:00", "place": "Smitshof, room 2",
            "neighbourhood_id": world.hood_id,
            "streets": [world.streets["Koningsweg"], world.streets["Smitsplein"]],
            "languages": ["tr", "NL"], "partners": ["eas", "balans"]}
    body.update(extra)
    return body


def report_body(**extra) -> dict:
    body = {"head_count": 40, "head_counts": {"tr": 25, "nl": 10}, "heard_via": {"flyer": 5, "neighbour": 12}}
    body.update(extra)
    return body


def test_plan_is_stored_once_a_retry_is_200_and_another_body_409(login, world, db):
    api = login("coord")
    mid = uuid.uuid4()
    first = api.put(f"/api/v1/meetings/{mid}", json=meeting_body(world))
    assert first.status_code == 201, first.get_json()
    stored = first.get_json()
    assert stored["languages"] == ["nl", "tr"] and stored["partners"] == ["balans", "eas"]
    assert stored["streets"] == sorted([world.streets["Koningsweg"], world.streets["Smitsplein"]])
    assert stored["reported"] is False and stored["head_count"] is None and stored["sign_ups"] == 0
    assert stored["starts_at"] == "2026-03-10T18:30:00+00:00"
    # The same meeting again, streets in another order, the time in UTC: a retry.
    again = api.put(f"/api/v1/meetings/{mid}", json=meeting_body(
        world, streets=[world.streets["Smitsplein"], world.streets["Koningsweg"]], starts_at="2026-03-10T18:30:00Z"))
    assert again.status_code == 200 and again.get_json() == stored
    conflict = api.put(f"/api/v1/meetings/{mid}", json=meeting_body(world, place="elsewhere"))
    assert conflict.status_code == 409
    # Another coordinator sending the identical body under that UUID is a conflict too, not a retry.
    assert login("adm").put(f"/api/v1/meetings/{mid}", json=meeting_body(world)).status_code == 409
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Meeting)) == 1
    assert db.get(Meeting, mid).place == "Smitshof, room 2"


def test_bad_plans_get_a_message_per_field(login, world):
    api = login("coord", "nl")
    response = api.put(f"/api/v1/meetings/{uuid.uuid4()}", json=meeting_body(
        world, type="bbq", starts_at="2026-03-10T19:30:00", place="", streets=[], languages=["xx"]))
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert set(errors) == {"type", "starts_at", "place", "streets", "languages"}
    # Another neighbourhood's street, an unknown partner, another neighbourhood.
    response = api.put(f"/api/v1/meetings/{uuid.uuid4()}", json=meeting_body(
        world, streets=[world.streets["Dorpsstraat"]], partners=["nobody"]))
    assert response.status_code == 422 and set(response.get_json()["errors"]) == {"streets", "partners"}
    response = api.put(f"/api/v1/meetings/{uuid.uuid4()}", json=meeting_body(world, neighbourhood_id=world.other_hood_id))
    assert response.status_code == 422 and set(response.get_json()["errors"]) == {"neighbourhood_id"}
    assert api.put(f"/api/v1/meetings/{uuid.uuid4()}", json={**meeting_body(world), "name": "x"}).status_code == 422


def test_report_once_retry_200_other_counts_409_and_sums_checked(login, world):
    api = login("coord")
    mid = uuid.uuid4()
    assert api.put(f"/api/v1/meetings/{mid}", json=meeting_body(world)).status_code == 201
    too_many = api.put(f"/api/v1/meetings/{mid}/report", json=report_body(head_counts={"tr": 30, "nl": 11}))
    assert too_many.status_code == 422 and set(too_many.get_json()["errors"]) == {"head_counts"}
    bad = api.put(f"/api/v1/meetings/{mid}/report", json=report_body(heard_via={"radio": 1}, head_count=-1))
    assert bad.status_code == 422 and set(bad.get_json()["errors"]) == {"heard_via", "head_count"}
    first = api.put(f"/api/v1/meetings/{mid}/report", json=report_body())
    assert first.status_code == 201
    got = first.get_json()
    assert got["reported"] and got["head_count"] == 40
    assert got["head_counts"] == {"nl": 10, "tr": 25} and got["heard_via"] == {"flyer": 5, "neighbour": 12}
    # A zero count says nothing more: the same report.
    assert api.put(f"/api/v1/meetings/{mid}/report", json=report_body(heard_via={"flyer": 5, "neighbour": 12,
                                                                               "school": 0})).status_code == 200
    assert api.put(f"/api/v1/meetings/{mid}/report", json=report_body(head_count=41)).status_code == 409
    assert api.get("/api/v1/meetings").get_json()["meetings"][0]["head_count"] == 40
    assert api.put(f"/api/v1/meetings/{uuid.uuid4()}/report", json=report_body()).status_code == 404


def test_a_meeting_in_the_future_cannot_be_reported_yet(login, world):
    api = login("coord")
    mid = uuid.uuid4()
    later = (datetime.now(timezone.utc) + timedelta(days=3)).isoformat()
    assert api.put(f"/api/v1/meetings/{mid}", json=meeting_body(world, starts_at=later)).status_code == 201
    response = api.put(f"/api/v1/meetings/{mid}/report", json=report_body())
    assert response.status_code == 422 and "head_count" in response.get_json()["errors"]


def test_period_filter_uses_amsterdam_days_both_ends_included(login, world):
    api = login("coord")
    starts = {"before": "2026-02-28T23:30:00+01:00", "first": "2026-03-01T00:00:00+01:00",
              "last": "2026-03-31T23:59:00+02:00", "after": "2026-04-01T00:00:00+02:00"}
    ids = {}
    for label, at in starts.items():
        ids[label] = str(uuid.uuid4())
        assert api.put(f"/api/v1/meetings/{ids[label]}", json=meeting_body(world, starts_at=at)).status_code == 201
    listed = api.get("/api/v1/meetings?from=2026-03-01&to=2026-03-31").get_json()["meetings"]
    assert [m["id"] for m in listed] == [ids["first"], ids["last"]]
    assert len(api.get("/api/v1/meetings").get_json()["meetings"]) == 4
    bad = api.get("/api/v1/meetings?from=2026-03-31&to=2026-03-01")
    assert bad.status_code == 422 and "to" in bad.get_json()["errors"]
    assert api.get("/api/v1/meetings?from=2026-13-01").status_code == 422
    # A volunteer reads them (to pick one), an outsider sees none of them.
    assert len(login("vol").get("/api/v1/meetings").get_json()["meetings"]) == 4
    assert login("outsider").get("/api/v1/meetings").get_json()["meetings"] == []


def test_volunteers_do_not_plan_or_report(login, world):
    mid = uuid.uuid4()
    assert login("vol").put(f"/api/v1/meetings/{mid}", json=meeting_body(world)).status_code == 403
    assert login("coach").put(f"/api/v1/meetings/{mid}/report", json=report_body()).status_code == 403


def sign_up(world, meeting_id, **extra) -> dict:
    body = {"channel": "event", "street_id": world.streets["Koningsweg"], "occurred_at": "2026-03-10T20:00:00+01:00",
            "language": "tr", "topics": ["energy_bill"], "meeting": str(meeting_id),
            "referrals": [{"code": "energy_coach", "consent": True}]}
    body.update(extra)
    return body


def test_sign_ups_are_event_records_linked_to_the_meeting(login, world):
    mid = uuid.uuid4()
    assert login("coord").put(f"/api/v1/meetings/{mid}", json=meeting_body(world)).status_code == 201
    api = login("vol")
    rid = uuid.uuid4()
    created = api.put(f"/api/v1/records/{rid}", json=sign_up(world, mid))
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["meeting"] == str(mid) and created.get_json()["outcome"] is None
    assert api.put(f"/api/v1/records/{rid}", json=sign_up(world, mid)).status_code == 200
    assert api.put(f"/api/v1/records/{rid}", json=sign_up(world, mid, language="so")).status_code == 409
    assert api.get(f"/api/v1/records/{rid}").get_json()["meeting"] == str(mid)
    assert login("coord").get("/api/v1/meetings").get_json()["meetings"][0]["sign_ups"] == 1
    # A record without a meeting still has none, and says so.
    plain = api.put(f"/api/v1/records/{uuid.uuid4()}", json={
        "channel": "rally", "street_id": world.streets["Koningsweg"], "occurred_at": "2026-03-10T20:00:00+01:00",
        "language": "tr", "outcome": "talked"})
    assert plain.status_code == 201 and plain.get_json()["meeting"] is None


def test_a_sign_up_naming_an_unknown_meeting_or_a_door_outcome_is_422(login, world):
    mid = uuid.uuid4()
    assert login("coord").put(f"/api/v1/meetings/{mid}", json=meeting_body(world)).status_code == 201
    api = login("vol")
    unknown = api.put(f"/api/v1/records/{uuid.uuid4()}", json=sign_up(world, uuid.uuid4()))
    assert unknown.status_code == 422 and set(unknown.get_json()["errors"]) == {"meeting"}
    # Another neighbourhood's volunteer cannot name this neighbourhood's meeting.
    elsewhere = login("outsider").put(f"/api/v1/records/{uuid.uuid4()}",
                                      json=sign_up(world, mid, street_id=world.streets["Dorpsstraat"]))
    assert elsewhere.status_code == 422 and set(elsewhere.get_json()["errors"]) == {"meeting"}
    door = api.put(f"/api/v1/records/{uuid.uuid4()}", json=sign_up(world, mid, outcome="talked"))
    assert door.status_code == 422 and set(door.get_json()["errors"]) == {"outcome"}
    rally = api.put(f"/api/v1/records/{uuid.uuid4()}", json=sign_up(world, mid, channel="rally", outcome="talked"))
    assert rally.status_code == 422 and set(rally.get_json()["errors"]) == {"meeting"}
    batch = api.post("/api/v1/records/batch", json={"records": [
        {**sign_up(world, mid), "id": str(uuid.uuid4())}, {**sign_up(world, uuid.uuid4()), "id": str(uuid.uuid4())}]})
    assert [r["status"] for r in batch.get_json()["results"]] == ["created", "invalid"]

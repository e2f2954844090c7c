"""Koppelkansen as initiatives (issue 16): making one, notes sent exactly once, stalled around
the 30-day edge, the figures of the records that name one, and the session overview. Both
databases (the fixtures run each test on SQLite and PostgreSQL)."""
from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta

import pytest

from conftest import session_client
from fieldapp.timeutil import AMSTERDAM, day_number, local_date, utcnow


def today():
    """Amsterdam's today, asked when a test runs: a constant taken at collection went stale
    when a run crossed midnight in Amsterdam (23:00 UTC in winter)."""
    return local_date(utcnow())


def body(**changes) -> dict:
    data = {"title": "Klusdag galerijflats", "description": "Present and Portaal together", "partners": ["eas", "balans"],
            "owner_partner": "eas", "owner": "vol", "status": "running", "start_date": "2026-01-10"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def make(api, **changes) -> dict:
    response = api.post("/api/v1/initiatives", json=body(**changes))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def moment(days_ago: int) -> str:
    """Noon in Amsterdam, `days_ago` calendar days before today."""
    return datetime.combine(today() - timedelta(days=days_ago), time(12), AMSTERDAM).isoformat()


def note(api, initiative_id: int, note_id=None, **fields):
    data = {"at": (utcnow() - timedelta(minutes=1)).isoformat(), "text": "Spoke with Portaal about the date", **fields}
    return api.put(f"/api/v1/initiatives/{initiative_id}/notes/{note_id or uuid.uuid4()}", json=data)


def last_progress(db, initiative_id: int, days_ago: int) -> None:
    from fieldapp.initiatives.models import Initiative

    db.get(Initiative, initiative_id).last_progress_day = day_number(today() - timedelta(days=days_ago))
    db.commit()


# --- making one ------------------------------------------------------------------------------

def test_a_coordinator_makes_an_initiative(login):
    made = make(login("coord"))
    assert made["partners"] == ["eas", "balans"]  # by name: Energie Actief Soest, Stichting Balans
    assert made["owner"] == "vol" and made["owner_partner"] == "eas" and made["status"] == "running"
    assert made["figures"] == {"records": 0, "reached_addresses": 0, "referrals": 0, "open_referrals": 0,
                               "meetings": 0, "meeting_head_count": 0}
    assert made["stalled"] is False and made["notes"] == []


@pytest.mark.parametrize("changes, field", [
    ({"partners": ["eas"]}, "partners"),
    ({"partners": ["eas", "eas"]}, "partners"),
    ({"partners": ["eas", "nobody"]}, "partners"),
    ({"owner_partner": "present"}, "owner_partner"),
    ({"owner": "coach"}, "owner"),          # balans's user cannot own for eas
    ({"owner": "outsider"}, "owner"),       # another neighbourhood
    ({"start_date": "2026-02-30"}, "start_date"),
    ({"next_step_due": "2026-03-01"}, "next_step_due"),  # a due date without a step
    ({"next_step": "Call Portaal", "next_step_due": "soon"}, "next_step_due"),
    ({"status": "done"}, "status"),
    ({"title": ""}, "title"),
    ({"title": None}, "title"),
])
def test_a_bad_initiative_is_a_422_at_its_field(login, changes, field):
    response = login("coord", "nl").post("/api/v1/initiatives", json=body(**changes))
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"], response.get_json()


def test_only_coordinators_and_admins_make_initiatives(login):
    assert login("vol").post("/api/v1/initiatives", json=body()).status_code == 403
    assert login("adm").post("/api/v1/initiatives", json=body()).status_code == 201


def test_another_neighbourhood_sees_nothing(login):
    made = make(login("coord"))
    outsider = login("outsider")
    assert outsider.get(f"/api/v1/initiatives/{made['id']}").status_code == 404
    assert outsider.get("/api/v1/initiatives").get_json()["initiatives"] == []
    assert note(outsider, made["id"]).status_code == 404


# --- notes, exactly once -------------------------------------------------------------------

def test_a_note_is_stored_once_a_retry_is_200_another_body_409(login):
    coord = login("coord")
    made = make(coord)
    note_id, at = uuid.uuid4(), moment(1)
    first = note(coord, made["id"], note_id, at=at, next_step="Book the community room", next_step_due="2026-12-01")
    assert first.status_code == 201, first.get_json()
    again = note(coord, made["id"], note_id, at=at, next_step="Book the community room", next_step_due="2026-12-01")
    assert again.status_code == 200 and again.get_json() == first.get_json()
    other = note(coord, made["id"], note_id, at=at, text="Something else")
    assert other.status_code == 409
    detail = coord.get(f"/api/v1/initiatives/{made['id']}").get_json()
    assert len(detail["notes"]) == 1 and detail["next_step"] == "Book the community room"
    [stored] = detail["notes"]
    assert stored["next_step_changed"] and stored["next_step_before"] is None
    assert stored["next_step_due_after"] == "2026-12-01" and stored["status_after"] is None


def test_a_note_keeps_what_it_changed(login):
    coord = login("coord")
    made = make(coord, status="idea", next_step="Ask Present", next_step_due="2026-12-01")
    assert note(coord, made["id"], status="running", next_step="Plan the day").status_code == 201
    assert note(coord, made["id"], status="done", text="Forty homes got LED bulbs").status_code == 201
    detail = coord.get(f"/api/v1/initiatives/{made['id']}").get_json()
    assert detail["status"] == "done" and detail["next_step"] is None  # finished: nobody's step any more
    newest, oldest = detail["notes"]
    assert (oldest["status_before"], oldest["status_after"]) == ("idea", "running")
    assert (oldest["next_step_before"], oldest["next_step_due_before"]) == ("Ask Present", "2026-12-01")
    assert (oldest["next_step_after"], oldest["next_step_due_after"]) == ("Plan the day", None)
    assert (newest["status_before"], newest["status_after"]) == ("running", "done")
    assert newest["next_step_before"] == "Plan the day" and newest["next_step_after"] is None


@pytest.mark.parametrize("path, wanted", [
    (("done",), "running"), (("dropped",), "idea"), (("done",), "dropped"), ((), "done"),
])
def test_an_impossible_status_change_is_a_422(login, path, wanted):
    coord = login("coord")
    made = make(coord, status="idea" if not path else "running")
    for status in path:
        assert note(coord, made["id"], status=status).status_code == 201
    response = note(coord, made["id"], status=wanted)
    assert response.status_code == 422 and "status" in response.get_json()["errors"]


@pytest.mark.parametrize("fields, field", [
    ({"text": ""}, "text"), ({"at": "2026-01-05T10:00:00"}, "at"), ({"status": "paused"}, "status"),
    ({"next_step_due": "2026-13-01", "next_step": "x"}, "next_step_due"), ({"colour": "red"}, "colour"),
])
def test_a_bad_note_is_a_422(login, fields, field):
    coord = login("coord")
    made = make(coord)
    response = note(coord, made["id"], **fields)
    assert response.status_code == 422 and field in response.get_json()["errors"], response.get_json()


def test_a_note_in_the_future_is_a_422(login):
    coord = login("coord")
    made = make(coord)
    later = (utcnow() + timedelta(hours=2)).isoformat()
    assert note(coord, made["id"], at=later).status_code == 422


def test_the_owner_and_coordinators_write_notes_other_users_do_not(login):
    made = make(login("coord"))
    assert note(login("vol"), made["id"]).status_code == 201      # the owner, a volunteer
    assert note(login("coach"), made["id"]).status_code == 403    # balans takes part, but coach owns nothing
    assert note(login("adm"), made["id"]).status_code == 201


# --- stalled -------------------------------------------------------------------------------

@pytest.mark.parametrize("days_ago, is_stalled", [(29, False), (30, True), (31, True)])
def test_running_without_a_note_stalls_on_the_30th_day(login, db, days_ago, is_stalled):
    coord = login("coord")
    made = make(coord)
    last_progress(db, made["id"], days_ago)
    listed = {i["id"]: i for i in coord.get("/api/v1/initiatives").get_json()["initiatives"]}
    assert listed[made["id"]]["stalled"] is is_stalled
    assert coord.get(f"/api/v1/initiatives/{made['id']}").get_json()["stalled"] is is_stalled


def test_a_note_sent_29_days_ago_keeps_it_going(login, db):
    coord = login("coord")
    made = make(coord)
    last_progress(db, made["id"], 60)
    assert note(coord, made["id"], at=moment(30)).get_json()["stalled"] is True
    assert note(coord, made["id"], at=moment(29)).get_json()["stalled"] is False
    # A note typed late about an older day does not move the last progress back.
    assert note(coord, made["id"], at=moment(45)).get_json()["last_progress"] == str(today() - timedelta(days=29))


def test_an_idea_does_not_stall_from_quiet_but_a_past_due_step_stalls_it(login, db):
    coord = login("coord")
    quiet_idea = make(coord, status="idea", title="Quiet idea")
    last_progress(db, quiet_idea["id"], 90)
    make(coord, status="idea", title="Overdue step", next_step="Call Portaal", next_step_due=str(today() - timedelta(days=1)))
    make(coord, title="Due today", next_step="Call Portaal", next_step_due=str(today()))
    flags = {i["title"]: i["stalled"] for i in coord.get("/api/v1/initiatives").get_json()["initiatives"]}
    assert flags == {"Quiet idea": False, "Overdue step": True, "Due today": False}
    assert [i["title"] for i in coord.get("/api/v1/initiatives").get_json()["initiatives"]][0] == "Overdue step"


def test_the_sql_and_python_stalled_agree(login, db):
    from sqlalchemy import select

    from fieldapp.initiatives.figures import is_stalled, stalled
    from fieldapp.initiatives.models import Initiative

    coord = login("coord")
    for days in (0, 29, 30, 31):
        last_progress(db, make(coord, title=f"q{days}")["id"], days)
    make(coord, title="late", next_step="x", next_step_due=str(today() - timedelta(days=1)))
    db.expire_all()
    in_sql = set(db.scalars(select(Initiative.title).where(stalled(today()))))
    in_python = {i.title for i in db.scalars(select(Initiative)) if is_stalled(i, today())}
    assert in_sql == in_python == {"q30", "q31", "late"}


# --- records naming an initiative and the figures ---------------------------------------------

def record(street_id: int, number=None, initiative=None, referrals=(), **extra) -> dict:
    data = {"channel": "rally", "street_id": street_id, "house_number": number, "outcome": "talked",
            "occurred_at": "2026-01-05T10:00:00+01:00", "language": "nl", "initiative": initiative,
            "referrals": list(referrals), **extra}
    return {k: v for k, v in data.items() if v is not None}


def put(api, data):
    return api.put(f"/api/v1/records/{uuid.uuid4()}", json=data)


def test_the_figures_of_an_initiative_on_a_hand_made_fixture(login, world, db):
    from sqlalchemy import select, update

    from fieldapp.records.models import Referral

    coord, vol, coach = login("coord"), login("vol"), login("coach")
    made = make(coord)
    other = make(coord, title="Another one")
    plein, koning = world.streets["Smitsplein"], world.streets["Koningsweg"]
    consent, declined = {"code": "energy_coach", "consent": True}, {"code": "debt_help", "consent": False}
    sent = [
        put(vol, record(plein, 1, made["id"], [consent])),             # Smitsplein 1: reached
        put(coach, record(plein, 1, made["id"])),                     # the same address again (balans takes part)
        put(vol, record(plein, 2, made["id"], [consent, declined])),  # Smitsplein 2: reached; one promise, one offer
        put(vol, record(plein, None, made["id"])),                    # no house number: a record, no address
        put(vol, record(koning, 99, made["id"])),                     # not in the register: a record, no address
        put(vol, record(koning, 12, other["id"], [consent])),         # the other initiative
        put(vol, record(koning, 12)),                                 # no initiative
    ]
    assert [r.status_code for r in sent] == [201] * 7, [r.get_json() for r in sent]
    assert sent[0].get_json()["initiative"] == made["id"] and sent[6].get_json()["initiative"] is None
    answered = sent[0].get_json()["referrals"][0]["id"]
    db.execute(update(Referral).where(Referral.id == answered).values(answered_at=utcnow()))
    db.commit()
    figures = coord.get(f"/api/v1/initiatives/{made['id']}").get_json()["figures"]
    # 5 records; addresses Smitsplein 1 and 2; consented referrals: Smitsplein 1's (answered) and 2's.
    assert figures == {"records": 5, "reached_addresses": 2, "referrals": 2, "open_referrals": 1, "meetings": 0,
                       "meeting_head_count": 0}
    assert coord.get(f"/api/v1/initiatives/{other['id']}").get_json()["figures"] == {
        "records": 1, "reached_addresses": 1, "referrals": 1, "open_referrals": 1, "meetings": 0,
        "meeting_head_count": 0}
    assert db.scalar(select(Referral.id).where(Referral.id == answered)) == answered


def test_a_record_names_only_a_running_initiative_of_my_partner(login, world):
    coord, vol = login("coord"), login("vol", "so")
    plein = world.streets["Smitsplein"]
    running = make(coord)
    idea = make(coord, status="idea", title="Idea")
    without_eas = make(coord, partners=["balans", "present"], owner_partner="balans", owner="coach", title="No eas")
    assert put(vol, record(plein, 1, running["id"])).status_code == 201
    for initiative in (idea["id"], without_eas["id"], 999999):
        response = put(vol, record(plein, 1, initiative))
        assert response.status_code == 422 and "initiative" in response.get_json()["errors"], response.get_json()
    assert put(login("outsider"), record(world.streets["Dorpsstraat"], 1, running["id"])).status_code == 422
    assert put(vol, record(plein, 1, "7")).status_code == 422  # a string is no id
    batch = vol.post("/api/v1/records/batch", json={"records": [
        {**record(plein, 1, running["id"]), "id": str(uuid.uuid4())},
        {**record(plein, 1, idea["id"]), "id": str(uuid.uuid4())}]}).get_json()["results"]
    assert [r["status"] for r in batch] == ["created", "invalid"] and "initiative" in batch[1]["errors"]


def test_a_record_sent_without_an_initiative_keeps_its_fingerprint(login, world):
    vol = login("vol")
    rid = uuid.uuid4()
    data = record(world.streets["Smitsplein"], 1)
    assert vol.put(f"/api/v1/records/{rid}", json=data).status_code == 201
    assert vol.put(f"/api/v1/records/{rid}", json={**data, "initiative": None}).status_code == 200


def test_mine_lists_the_running_initiatives_my_partner_is_in(login):
    coord = login("coord")
    make(coord, title="With eas")
    make(coord, partners=["balans", "present"], owner_partner="balans", owner="coach", title="Without eas")
    make(coord, status="idea", title="Idea with eas")
    titles = [i["title"] for i in login("vol").get("/api/v1/initiatives?status=running&mine=true")
              .get_json()["initiatives"]]
    assert titles == ["With eas"]


# --- the session overview ------------------------------------------------------------------

def test_the_overview_lists_what_moved_since_the_previous_session(app, login, world, db):
    coord = login("coord")
    moved = make(coord, title="Moved")
    quiet = make(coord, title="Quiet")
    done = make(coord, title="Finished")
    assert note(coord, moved["id"], at=moment(20), text="Before the session").status_code == 201
    assert note(coord, moved["id"], at=moment(5), text="After the session").status_code == 201
    assert note(coord, quiet["id"], at=moment(15), text="Only before").status_code == 201
    assert note(coord, done["id"], at=moment(3), status="done", text="Forty homes").status_code == 201
    last_progress(db, quiet["id"], 40)
    since = str(today() - timedelta(days=10))
    client = session_client(app, world.users["coord"])
    page = client.get(f"/initiatives/overview?since={since}&lang=en").get_data(as_text=True)
    moved_part = page.split('id="moved"')[1].split('id="stalled"')[0]
    assert "After the session" in moved_part and "Before the session" not in moved_part
    assert "Finished" in moved_part and "Quiet" not in moved_part
    stalled_part = page.split('id="stalled"')[1].split('id="done"')[0]
    assert "Quiet" in stalled_part and "Moved" not in stalled_part
    assert "Finished" in page.split('id="done"')[1]
    csv = client.get(f"/initiatives/overview.csv?since={since}&lang=en")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    rows = csv.get_data(as_text=True).splitlines()
    assert rows[0].startswith("Part,Status,Initiative")
    assert sum(1 for r in rows if r.startswith("Moved since the previous session")) == 2
    assert sum(1 for r in rows if r.startswith("Stalled,")) == 1
    assert sum(1 for r in rows if r.startswith("Done: successes,")) == 1
    # Without `since` and no partner session in the app: 30 days ago, and the page says so.
    default = client.get("/initiatives/overview?lang=en").get_data(as_text=True)
    assert "Not given: the day of the previous partner session" in default
    assert f'value="{today() - timedelta(days=30)}"' in default and "Before the session" in default
    # The latest partner session before today sets it; a later one, or another kind, does not.
    plan_meeting(coord, world, "partner_session", moment(12))
    plan_meeting(coord, world, "residents_meeting", moment(7))
    plan_meeting(coord, world, "partner_session", moment(-3))
    default = client.get("/initiatives/overview?lang=en").get_data(as_text=True)
    moved_part = default.split('id="moved"')[1].split('id="stalled"')[0]
    assert f'value="{today() - timedelta(days=12)}"' in default
    assert "After the session" in moved_part and "Before the session" not in moved_part
    assert client.get("/initiatives/overview?since=yesterday").status_code == 422


def plan_meeting(api, world, kind: str, starts_at: str, **extra):
    body = {"type": kind, "starts_at": starts_at, "place": "Smitshof", "neighbourhood_id": world.hood_id,
            "streets": [world.streets["Smitsplein"]], "partners": ["eas"], **extra}
    return api.put(f"/api/v1/meetings/{uuid.uuid4()}", json=body)


def test_a_meeting_names_a_running_initiative_and_counts_for_it(login, world):
    coord = login("coord")
    running = make(coord, title="Klusdag Smitsplein")
    idea = make(coord, status="idea", title="Still an idea")
    meeting_id = uuid.uuid4()
    plan = {"type": "klusdag", "starts_at": moment(2), "place": "Smitshof", "neighbourhood_id": world.hood_id,
            "streets": [world.streets["Smitsplein"]], "partners": ["eas"], "initiative": running["id"]}
    assert coord.put(f"/api/v1/meetings/{meeting_id}", json=plan).status_code == 201
    assert coord.put(f"/api/v1/meetings/{meeting_id}", json=plan).status_code == 200  # the same again
    refused = plan_meeting(coord, world, "klusdag", moment(2), initiative=idea["id"])
    assert refused.status_code == 422 and set(refused.get_json()["errors"]) == {"initiative"}
    assert plan_meeting(coord, world, "klusdag", moment(2), initiative=999999).status_code == 422
    report = {"head_count": 14, "head_counts": {"tr": 9}}
    assert coord.put(f"/api/v1/meetings/{meeting_id}/report", json=report).status_code == 201
    plan_meeting(coord, world, "street_party", moment(1), initiative=running["id"])  # not reported yet
    figures = coord.get(f"/api/v1/initiatives/{running['id']}").get_json()["figures"]
    assert (figures["meetings"], figures["meeting_head_count"]) == (2, 14)
    assert coord.get(f"/api/v1/initiatives/{idea['id']}").get_json()["figures"]["meetings"] == 0


# --- office screens ------------------------------------------------------------------------

def test_the_office_screens_make_an_initiative_and_add_a_note(app, world, db):
    from conftest import csrf_from

    client = session_client(app, world.users["coord"])
    form = client.get("/initiatives/new?lang=en")
    token = csrf_from(form.get_data(as_text=True))
    bad = client.post("/initiatives/new", data={"csrf_token": token, "title": "Klusdag", "partners": ["eas"],
                                                "owner_partner": "eas", "owner": "vol", "start_date": "2026-01-10"})
    assert bad.status_code == 422 and "An initiative has at least two partners." in bad.get_data(as_text=True)
    made = client.post("/initiatives/new", data={"csrf_token": token, "title": "Klusdag", "partners": ["eas", "present"],
                                                 "owner_partner": "eas", "owner": "vol", "status": "running",
                                                 "start_date": "2026-01-10"})
    assert made.status_code == 302, made.get_data(as_text=True)
    page = client.get(made.headers["Location"])
    note_id = page.get_data(as_text=True).split('name="note_id" value="')[1].split('"')[0]
    data = {"csrf_token": token, "note_id": note_id, "text": "Date fixed", "status": "done"}
    path = made.headers["Location"] + "/notes"
    assert client.post(path, data=data).status_code == 302
    assert client.post(path, data=data).status_code == 302  # a double click: stored once
    shown = client.get(made.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert shown.count("Date fixed") == 1 and "Done" in shown
    back = client.post(path, data={**data, "note_id": str(uuid.uuid4()), "status": "running"})
    assert back.status_code == 422
    listing = client.get("/initiatives/?lang=en").get_data(as_text=True)
    assert "Klusdag" in listing


def test_the_office_plans_a_meeting_for_an_initiative(app, login, world):
    from conftest import csrf_from

    running = make(login("coord"), title="Klusdag Smitsplein")
    client = session_client(app, world.users["coord"])
    form = client.get("/meetings/?lang=en").get_data(as_text=True)
    assert f'<option value="{running["id"]}">Klusdag Smitsplein</option>' in form
    data = {"csrf_token": csrf_from(form), "id": str(uuid.uuid4()), "type": "klusdag",
            "day": str(today() - timedelta(days=1)), "time": "10:00", "place": "Smitshof",
            "neighbourhood_id": str(world.hood_id), "streets": [str(world.streets["Smitsplein"])],
            "partners": ["eas"], "initiative": str(running["id"])}
    saved = client.post("/meetings/", data=data)
    assert saved.status_code == 302, saved.get_data(as_text=True)
    page = client.get(saved.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "Part of a joint initiative" in page and "Klusdag Smitsplein" in page
    assert client.get(f"/initiatives/{running['id']}?lang=en").status_code == 200
    assert login("coord").get(f"/api/v1/initiatives/{running['id']}").get_json()["figures"]["meetings"] == 1
    # No initiative chosen: the plan names none.
    unnamed = client.post("/meetings/", data={**data, "id": str(uuid.uuid4()), "initiative": ""})
    assert unnamed.status_code == 302

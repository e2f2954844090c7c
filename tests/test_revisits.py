"""The revisit queue and its conversion per language (DOMAIN.md part two), on a hand-made street.

Every record is sent through the batch API, as phones send them, so registered addresses get
their address_id the way real records do. The expected lists and figures are worked out by
hand next to each record's story below.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from fieldapp.audit.models import AuditEvent
from fieldapp.revisits.queries import conversion_by_language

NOW = datetime.now(timezone.utc).replace(microsecond=0)


def ago(days: float) -> str:
    return (NOW - timedelta(days=days)).isoformat()


def rec(street: str, number, when: str, outcome, language: str, addition=None, channel="rally") -> dict:
    body = {"id": str(uuid.uuid4()), "channel": channel, "street": street, "occurred_at": when,
            "language": language}
    if number is not None:
        body["house_number"] = number
    if addition is not None:
        body["house_addition"] = addition
    if outcome is not None:
        body["outcome"] = outcome
    if channel == "loket":
        body["heard_via"] = "flyer"
    return body


def send(client, world, records: list[dict]) -> None:
    for body in records:
        body["street_id"] = world.streets[body.pop("street")]
    response = client.post("/api/v1/records/batch", json={"records": records})
    assert response.status_code == 200, response.get_json()
    assert {r["status"] for r in response.get_json()["results"]} == {"created"}, response.get_json()


NAL, NH = "no_answer_language", "not_home"

# The world's register: Smitsplein 1, 2; Koningsweg 10-1, 10-2, 12; Weegbreestraat 5.
# Weegbreestraat 7, 7A and 9 are numbers the register does not know.
QUEUE_RECORDS = [
    # Smitsplein 1: one knock, nobody home -> in, 1 attempt, ti.
    rec("Smitsplein", 1, ago(10), NH, "ti"),
    # Smitsplein 2: refused 200 days ago -> out, whatever came after.
    rec("Smitsplein", 2, ago(200), "refused", "nl"),
    rec("Smitsplein", 2, ago(5), NAL, "so"),
    # Koningsweg 10-1: refused 400 days ago (forgotten), then two language barriers -> in, 2.
    rec("Koningsweg", 10, ago(400), "refused", "nl", addition="1"),
    rec("Koningsweg", 10, ago(20), NAL, "ti", addition="1"),
    rec("Koningsweg", 10, ago(12), NAL, "ti", addition="1"),
    # Koningsweg 10-2: another door than 10-1 (together they would be 3 knocks: out) -> in, 1.
    rec("Koningsweg", 10, ago(8), NAL, "ti", addition="2"),
    # Koningsweg 12: three knocks without an answer -> out.
    rec("Koningsweg", 12, ago(30), NH, "so"),
    rec("Koningsweg", 12, ago(20), NH, "so"),
    rec("Koningsweg", 12, ago(10), NH, "so"),
    # Weegbreestraat 5: two barriers, a conversation broke the run, then nobody home -> in, 1, tr.
    rec("Weegbreestraat", 5, ago(40), NAL, "so"),
    rec("Weegbreestraat", 5, ago(35), NAL, "so"),
    rec("Weegbreestraat", 5, ago(30), "talked", "so"),
    rec("Weegbreestraat", 5, ago(4), NH, "tr"),
    # Weegbreestraat 7 (not in the register): refused 400 days ago, then a barrier -> in, 1, ar.
    rec("Weegbreestraat", 7, ago(400), "refused", "nl"),
    rec("Weegbreestraat", 7, ago(3), NAL, "ar"),
    # Weegbreestraat 7A (not in the register): its own door -> in, 1, so.
    rec("Weegbreestraat", 7, ago(2), NH, "so", addition="A"),
    # Weegbreestraat 9: a barrier, then the resident walked into the energieloket (no outcome) -> out.
    rec("Weegbreestraat", 9, ago(9), NAL, "so"),
    rec("Weegbreestraat", 9, ago(2), None, "so", channel="loket"),
    # No house number: never on the list.
    rec("Smitsplein", None, ago(1), NAL, "ti"),
    rec("Koningsweg", None, ago(1), NH, "so"),
]


def entry(number, addition, language, attempts, days, outcome) -> dict:
    return {"house_number": number, "house_addition": addition, "language": language, "attempts": attempts,
            "last_at": (NOW - timedelta(days=days)).isoformat(), "last_outcome": outcome}


EXPECTED = {
    "Koningsweg": [entry(10, "1", "ti", 2, 12, NAL), entry(10, "2", "ti", 1, 8, NAL)],
    "Smitsplein": [entry(1, None, "ti", 1, 10, NH)],
    "Weegbreestraat": [entry(5, None, "tr", 1, 4, NH), entry(7, None, "ar", 1, 3, NAL),
                       entry(7, "A", "so", 1, 2, NH)],
}


@pytest.fixture
def queue_world(app, db, world, login):
    from fieldapp.accounts.operations import upsert_user

    from conftest import PASSWORD

    send(login("vol"), world, [dict(r) for r in QUEUE_RECORDS])
    send(login("outsider"), world, [rec("Dorpsstraat", 1, ago(3), NAL, "ti")])
    upsert_user(db, "coach_e", PASSWORD, "taalcoach", "balans", ["Elders"], languages=["ti"])
    db.commit()
    return world


def lists(body: dict, world) -> dict:
    assert [s["street"] for s in body["streets"]] == sorted(s["street"] for s in body["streets"])
    for street in body["streets"]:
        assert street["street_id"] == world.streets[street["street"]]
    return {s["street"]: s["entries"] for s in body["streets"]}


def only(languages) -> dict:
    kept = {name: [e for e in entries if e["language"] in languages] for name, entries in EXPECTED.items()}
    return {name: entries for name, entries in kept.items() if entries}


def set_languages(db, world, username: str, languages: list[str]) -> None:
    from fieldapp.accounts.models import User

    db.get(User, world.users[username]).spoken_languages = languages
    db.commit()


def test_a_coordinator_sees_every_queued_door_of_the_neighbourhood(queue_world, login):
    for name in ("coord", "adm"):
        response = login(name).get("/api/v1/revisits")
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert lists(body, queue_world) == EXPECTED
        assert body["languages"] == ["ar", "so", "ti", "tr"]


def test_a_coordinator_may_choose_a_language_and_a_street(queue_world, login):
    coord = login("coord")
    body = coord.get("/api/v1/revisits?language=SO").get_json()
    assert lists(body, queue_world) == only({"so"}) and body["languages"] == ["so"]
    body = coord.get(f"/api/v1/revisits?street_id={queue_world.streets['Koningsweg']}").get_json()
    assert lists(body, queue_world) == {"Koningsweg": EXPECTED["Koningsweg"]} and body["languages"] == ["ti"]
    # A street of another neighbourhood holds nothing for them.
    body = coord.get(f"/api/v1/revisits?street_id={queue_world.streets['Dorpsstraat']}").get_json()
    assert body == {"streets": [], "languages": []}


def test_a_taalcoach_sees_the_doors_of_the_languages_they_speak(queue_world, db, login):
    set_languages(db, queue_world, "coach", ["nl", "ti"])
    coach = login("coach")
    body = coach.get("/api/v1/revisits").get_json()
    assert lists(body, queue_world) == only({"ti"}) and body["languages"] == ["nl", "ti"]
    body = coach.get("/api/v1/revisits?language=ti").get_json()
    assert lists(body, queue_world) == only({"ti"}) and body["languages"] == ["ti"]
    # A language they do not speak: nothing, not someone else's doors.
    assert coach.get("/api/v1/revisits?language=so").get_json() == {"streets": [], "languages": []}
    set_languages(db, queue_world, "coach", ["so", "tr", "ar"])
    body = coach.get("/api/v1/revisits").get_json()
    assert lists(body, queue_world) == only({"so", "tr", "ar"}) and body["languages"] == ["ar", "so", "tr"]


def test_a_taalcoach_without_languages_gets_an_empty_list(queue_world, db, login):
    set_languages(db, queue_world, "coach", [])
    response = login("coach").get("/api/v1/revisits")
    assert response.status_code == 200
    assert response.get_json() == {"streets": [], "languages": []}


def test_another_neighbourhood_is_invisible(queue_world, login):
    body = login("coach_e").get("/api/v1/revisits").get_json()
    assert lists(body, queue_world) == {"Dorpsstraat": [entry(1, None, "ti", 1, 3, NAL)]}
    coord = login("coord").get("/api/v1/revisits").get_json()
    assert "Dorpsstraat" not in lists(coord, queue_world)


def test_volunteers_may_not_read_the_queue(queue_world, login):
    for path in ("/api/v1/revisits", "/api/v1/revisits/conversion"):
        assert login("vol").get(path).status_code == 403
    assert login("coach").get("/api/v1/revisits/conversion").status_code == 403


@pytest.mark.parametrize("query, field", [
    ("language=xx", "language"), ("language=", "language"), ("street_id=abc", "street_id"),
    ("street_id=0", "street_id"), ("street_id=99999999999", "street_id"),
])
def test_bad_parameters_are_refused_per_field(queue_world, login, query, field):
    response = login("coord", "nl").get(f"/api/v1/revisits?{query}")
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {field}


def test_listing_house_numbers_is_audited(queue_world, db, login):
    def views():
        db.expire_all()
        return [e for e in db.scalars(select(AuditEvent).where(AuditEvent.event == "address_view"))]

    before = len(views())
    login("coord").get("/api/v1/revisits")
    [*_, entry_] = views()
    assert len(views()) == before + 1
    assert entry_.actor_username == "coord" and entry_.details["addresses"] == 6
    assert entry_.details["streets"] == sorted(queue_world.streets[n] for n in EXPECTED)
    # An empty list shows no house number: nothing to audit.
    login("coord").get("/api/v1/revisits?language=nl")
    assert len(views()) == before + 1


# --- conversion -----------------------------------------------------------------------------
# Period: March 2025 (Europe/Amsterdam). Each address's story and what it counts:
CONVERSION_RECORDS = [
    # Smitsplein 1: barrier, then a conversation 15 days later -> ti queued, converted.
    rec("Smitsplein", 1, "2025-03-05T10:00:00+01:00", NAL, "ti"),
    rec("Smitsplein", 1, "2025-03-20T10:00:00+01:00", "talked", "ti", channel="visit"),
    # Smitsplein 2: nobody home, let in 29 days later (after the period: still counts) -> ti, converted.
    rec("Smitsplein", 2, "2025-03-03T10:00:00+01:00", NH, "ti"),
    rec("Smitsplein", 2, "2025-04-01T09:00:00+02:00", "let_in", "ti", channel="klus"),
    # Koningsweg 12: a refusal 13 months before (forgotten), a barrier, a conversation 31 days
    # later: too late -> ti queued, not converted.
    rec("Koningsweg", 12, "2024-02-01T10:00:00+01:00", "refused", "nl"),
    rec("Koningsweg", 12, "2025-03-02T10:00:00+01:00", NAL, "ti"),
    rec("Koningsweg", 12, "2025-04-02T11:00:00+02:00", "talked", "ti"),
    # Koningsweg 10-1: three barriers (the third is no longer a queued knock), then a conversation
    # after the third -> so queued once, not converted (each queued knock was followed by a barrier).
    rec("Koningsweg", 10, "2025-03-04T10:00:00+01:00", NAL, "so", addition="1"),
    rec("Koningsweg", 10, "2025-03-10T10:00:00+01:00", NAL, "so", addition="1"),
    rec("Koningsweg", 10, "2025-03-15T10:00:00+01:00", NAL, "so", addition="1"),
    rec("Koningsweg", 10, "2025-03-18T10:00:00+01:00", "talked", "so", addition="1"),
    # Koningsweg 10-2: nobody home (so), nobody home (tr), then a conversation -> counted once,
    # under tr (its last queued knock), converted.
    rec("Koningsweg", 10, "2025-03-06T10:00:00+01:00", NH, "so", addition="2"),
    rec("Koningsweg", 10, "2025-03-08T10:00:00+01:00", NH, "tr", addition="2"),
    rec("Koningsweg", 10, "2025-03-09T10:00:00+01:00", "talked", "tr", addition="2"),
    # Weegbreestraat 5: refused in December -> its barrier does not queue it.
    rec("Weegbreestraat", 5, "2024-12-01T10:00:00+01:00", "refused", "so"),
    rec("Weegbreestraat", 5, "2025-03-05T10:00:00+01:00", NAL, "so"),
    rec("Weegbreestraat", 5, "2025-03-07T10:00:00+01:00", "talked", "so"),
    # Weegbreestraat 7 (unregistered): a queued knock before the period, converted; then one on
    # 31 March 23:30 Amsterdam (21:30 UTC), let in 10 days later -> ar queued, converted.
    rec("Weegbreestraat", 7, "2025-02-27T10:00:00+01:00", NAL, "ar"),
    rec("Weegbreestraat", 7, "2025-03-02T10:00:00+01:00", "talked", "ar"),
    rec("Weegbreestraat", 7, "2025-03-31T23:30:00+02:00", NAL, "ar"),
    rec("Weegbreestraat", 7, "2025-04-10T10:00:00+02:00", "let_in", "ar", channel="visit"),
    # Weegbreestraat 9 (unregistered): 1 March 00:30 Amsterdam (28 Feb UTC), no next record
    # -> ar queued, not converted.
    rec("Weegbreestraat", 9, "2025-03-01T00:30:00+01:00", NH, "ar"),
    # No house number: never queued.
    rec("Smitsplein", None, "2025-03-05T10:00:00+01:00", NAL, "ti"),
    rec("Smitsplein", None, "2025-03-06T10:00:00+01:00", "talked", "ti"),
]

MARCH = [
    {"language": "ar", "queued": 2, "converted": 1, "share": 0.5},
    {"language": "so", "queued": 1, "converted": 0, "share": 0.0},
    {"language": "ti", "queued": 3, "converted": 2, "share": 0.6667},
    {"language": "tr", "queued": 1, "converted": 1, "share": 1.0},
]


@pytest.fixture
def conversion_world(app, world, login):
    send(login("vol"), world, [dict(r) for r in CONVERSION_RECORDS])
    send(login("outsider"), world, [rec("Dorpsstraat", 1, "2025-03-05T10:00:00+01:00", NAL, "ti"),
                                    rec("Dorpsstraat", 1, "2025-03-06T10:00:00+01:00", "talked", "ti")])
    return world


def test_conversion_per_language_over_a_period(conversion_world, db):
    hood = {conversion_world.hood_id}
    assert conversion_by_language(db, hood, date(2025, 3, 1), date(2025, 3, 31)) == MARCH
    # 1 March starts at 23:00 UTC on 28 February: Weegbreestraat 9's knock leaves with it.
    assert conversion_by_language(db, hood, date(2025, 3, 2), date(2025, 3, 31))[0] == \
        {"language": "ar", "queued": 1, "converted": 1, "share": 1.0}
    # 31 March ends at 22:00 UTC: without that day Weegbreestraat 7 has no queued knock.
    assert conversion_by_language(db, hood, date(2025, 3, 1), date(2025, 3, 30))[0] == \
        {"language": "ar", "queued": 1, "converted": 0, "share": 0.0}
    # All time: Weegbreestraat 7's February knock is its own and counts no second time.
    assert conversion_by_language(db, hood, None, None) == MARCH
    assert conversion_by_language(db, hood, date(2025, 5, 1), None) == []


def test_conversion_leaves_other_neighbourhoods_out(conversion_world, db):
    other = conversion_by_language(db, {conversion_world.other_hood_id}, None, None)
    assert other == [{"language": "ti", "queued": 1, "converted": 1, "share": 1.0}]
    assert conversion_by_language(db, set(), None, None) == []


def test_conversion_api(conversion_world, login):
    response = login("coord").get("/api/v1/revisits/conversion?from=2025-03-01&to=2025-03-31")
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"from": "2025-03-01", "to": "2025-03-31", "languages": MARCH,
                                   "total": {"queued": 7, "converted": 4, "share": 0.5714}}
    empty = login("adm").get("/api/v1/revisits/conversion?from=2026-01-01").get_json()
    assert empty == {"from": "2026-01-01", "to": None, "languages": [],
                     "total": {"queued": 0, "converted": 0, "share": None}}


@pytest.mark.parametrize("query, field", [
    ("from=2025-13-01", "from"), ("to=yesterday", "to"), ("from=2025-03-31&to=2025-03-01", "to"),
])
def test_conversion_refuses_a_bad_period_per_field(conversion_world, login, query, field):
    response = login("coord", "tr").get(f"/api/v1/revisits/conversion?{query}")
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {field}

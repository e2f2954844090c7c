"""Every validation rule of the record API, with its message in the request's language."""
import uuid

import pytest
from sqlalchemy import func, select

from fieldapp.codes import CHANNELS
from fieldapp.records.models import Record
from fieldapp.records.schemas import FIELD_RULES

from helpers import catalog_text, rally

# (what is wrong, changes to a valid rally body, the field that must complain, the English message)
RULES = [
    ("unknown channel", {"channel": "fax"}, "channel", "Unknown channel."),
    ("channel missing", {"channel": None}, "channel", "Field may not be null."),
    ("street not a number", {"street_id": "Smitsplein"}, "street_id", "Not a valid integer."),
    ("street unknown", {"street_id": 999999}, "street_id", "Unknown street."),
    ("house number zero", {"house_number": 0}, "house_number", "Give a house number from 1 to 99999."),
    ("house number text", {"house_number": "12a"}, "house_number", "Not a valid integer."),
    ("addition too long", {"house_addition": "x" * 11}, "house_addition", "At most 10 characters."),
    ("addition without number", {"house_number": None, "house_addition": "A"}, "house_addition", "An addition needs a house number."),
    ("time without offset", {"occurred_at": "2026-01-05T10:00:00"}, "occurred_at", "Give the time with its UTC offset, like +02:00."),
    ("time not a time", {"occurred_at": "yesterday"}, "occurred_at", "Give a date and time like 2024-05-01T14:30:00+02:00."),
    ("time in the future", {"occurred_at": "2099-01-01T10:00:00+01:00"}, "occurred_at", "This time lies in the future."),
    ("unknown language", {"language": "xx"}, "language", "Unknown language code."),
    ("language missing", {"language": None}, "language", "Field may not be null."),
    ("taalcoach not a bool", {"taalcoach_present": "maybe"}, "taalcoach_present", "Not a valid boolean."),
    ("unknown outcome", {"outcome": "maybe"}, "outcome", "Unknown door outcome."),
    ("rally without outcome", {"outcome": None}, "outcome", "Choose how the door went."),
    ("unknown topic", {"topics": ["weather"]}, "topics", "Unknown topic."),
    ("measures outside klus", {"measures": [{"code": "led_bulb", "quantity": 2}]}, "measures", "Measures are only recorded on a klusactie visit."),
    ("heard_via outside loket", {"heard_via": "flyer"}, "heard_via", "Only asked at the energieloket."),
    ("unknown referral", {"referrals": [{"code": "lawyer", "consent": True}]}, "referrals", "Unknown referral."),
    ("referral without consent", {"referrals": [{"code": "debt_help"}]}, "referrals", "Missing data for required field."),
    ("unknown partner", {"partners": ["acme"]}, "partners", "Unknown partner."),
    ("notes too long", {"notes": "x" * 501}, "notes", "At most 500 characters."),
    ("unknown field", {"resident_name": "someone"}, "resident_name", "Unknown field."),
]
KLUS_RULES = [
    ("unknown measure", {"measures": [{"code": "solar_panel", "quantity": 1}]}, "measures", "Unknown measure."),
    ("quantity zero", {"measures": [{"code": "led_bulb", "quantity": 0}]}, "measures", "Give a quantity from 1 to 999."),
    ("measure twice", {"measures": [{"code": "led_bulb", "quantity": 1}, {"code": "led_bulb", "quantity": 2}]}, "measures", "Give each measure once, with its quantity."),
]
LOKET_RULES = [
    ("loket without heard_via", {}, "heard_via", "Ask how the visitor heard of the energieloket."),
    ("unknown heard_via", {"heard_via": "radio"}, "heard_via", "Unknown answer."),
]


def messages_in(errors) -> list[str]:
    if isinstance(errors, dict):
        return [m for value in errors.values() for m in messages_in(value)]
    if isinstance(errors, list):
        return [m for value in errors for m in messages_in(value)]
    return [errors]


def body_for(channel: str, street_id: int, changes: dict) -> dict:
    base = rally(street_id)
    if channel == "klus":
        base.update(channel="klus", outcome=None)
    if channel == "loket":
        base.update(channel="loket", outcome=None)
    return {**base, **changes}


CASES = [("rally", *r) for r in RULES] + [("klus", *r) for r in KLUS_RULES] + [("loket", *r) for r in LOKET_RULES]


@pytest.mark.parametrize("language", ["nl", "tr"])
@pytest.mark.parametrize("channel,case,changes,field,english", CASES, ids=[c[1] for c in CASES])
def test_rule_gives_a_translated_message_for_the_field(login, world, db, language, channel, case, changes, field, english):
    api = login("vol", language=language)
    body = body_for(channel, world.streets["Smitsplein"], changes)
    response = api.put(f"/api/v1/records/{uuid.uuid4()}", json=body)
    assert response.status_code == 422, response.get_json()
    payload = response.get_json()
    expected = catalog_text(language, english)
    assert expected != english, f"no {language} translation for {english!r}"
    assert expected in messages_in(payload["errors"][field])
    assert payload["message"] == catalog_text(language, "Some fields need attention.")
    assert db.scalar(select(func.count()).select_from(Record)) == 0


def test_valid_bodies_of_every_channel_are_accepted(login, world):
    api = login("vol")
    street = world.streets["Koningsweg"]
    bodies = [
        rally(street, outcome="not_home"),
        {**rally(street, house_number=None), "outcome": "brief"},
        {"channel": "klus", "street_id": street, "house_number": 12, "occurred_at": "2025-03-01T10:00:00+01:00",
         "language": "so", "taalcoach_present": True, "measures": [{"code": "led_bulb", "quantity": 6}, {"code": "radiator_foil"}],
         "partners": ["present", "portaal"]},
        {"channel": "loket", "street_id": street, "occurred_at": "2025-03-01T10:00:00+01:00", "language": "ti", "heard_via": "neighbour",
         "topics": ["energy_bill"], "referrals": [{"code": "money_questions", "consent": True}]},
        {"channel": "visit", "street_id": street, "house_number": 10, "house_addition": "-1", "occurred_at": "2020-01-01T10:00:00Z",
         "language": "pap", "ambassador": True},
        # A sign-up at a group meeting: no door outcome, no house number needed, a referral like any record.
        {"channel": "event", "street_id": street, "occurred_at": "2025-03-01T20:00:00+01:00", "language": "tr",
         "topics": ["saving_tips"], "referrals": [{"code": "energy_coach", "consent": True}],
         "ownership": ["cooked", "became_volunteer"]},
        # Both shapes at once (an older outbox entry fixed in the new form): the union.
        {"channel": "loket", "street_id": street, "occurred_at": "2025-03-01T10:00:00+01:00", "language": "so",
         "heard_via": "event", "ownership": ["language_helper"], "ambassador": True},
        {**rally(street), "ambassador": False},
    ]
    stored = []
    for body in bodies:
        response = api.put(f"/api/v1/records/{uuid.uuid4()}", json=body)
        assert response.status_code == 201, response.get_json()
        stored.append(response.get_json())
    assert stored[3]["outcome"] == "talked"  # a walk-in defaults to a conversation
    assert stored[2]["measures"] == [{"code": "led_bulb", "quantity": 6}, {"code": "radiator_foil", "quantity": 1}]
    assert stored[4]["house_addition"] == "1" and stored[4]["address_registered"] is True
    assert stored[3]["referrals"][0]["due_date"] == "2025-03-15"  # a promise gets a due date by default
    # The old flag is stored as the ownership code; the answer still says it for older apps.
    assert stored[4]["ownership"] == ["ambassador"] and stored[4]["ambassador"] is True
    assert stored[5]["channel"] == "event" and stored[5]["outcome"] is None
    assert stored[5]["ownership"] == ["became_volunteer", "cooked"] and stored[5]["ambassador"] is False
    assert stored[5]["referrals"][0]["consent"] is True
    assert stored[6]["heard_via"] == "event" and stored[6]["ownership"] == ["ambassador", "language_helper"]
    assert stored[7]["ownership"] == [] and stored[0]["ownership"] == []


def test_ownership_codes_are_checked(login, world):
    api = login("vol", language="nl")
    street = world.streets["Koningsweg"]
    for ownership, field in ((["mayor"], "0"), (["cooked", 3], "1"), ("cooked", None)):
        response = api.put(f"/api/v1/records/{uuid.uuid4()}", json={**rally(street), "ownership": ownership})
        assert response.status_code == 422, response.get_json()
        errors = response.get_json()["errors"]["ownership"]
        assert field is None or field in errors, errors
    response = api.put(f"/api/v1/records/{uuid.uuid4()}", json={**rally(street), "ambassador": "yes please"})
    assert response.status_code == 422 and "ambassador" in response.get_json()["errors"]
    response = api.put(f"/api/v1/records/{uuid.uuid4()}",
                       json={"channel": "event", "street_id": street, "occurred_at": "2025-03-01T20:00:00+01:00",
                             "language": "tr", "heard_via": "flyer", "measures": [{"code": "led_bulb"}]})
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"heard_via", "measures"}  # only asked at the loket, a klusactie


def test_a_body_that_is_not_json_is_a_clear_4xx(login, world):
    api = login("vol", language="nl")
    response = api.put(f"/api/v1/records/{uuid.uuid4()}", data="not json", headers={"Content-Type": "application/json"})
    assert 400 <= response.status_code < 500
    assert response.get_json()["message"]
    assert api.put("/api/v1/records/not-a-uuid", json=rally(world.streets["Smitsplein"])).status_code == 404


@pytest.mark.parametrize("changes,field", [
    ({"notes": "a\x00b"}, "notes"),
    ({"house_addition": "\x00"}, "house_addition"),
    ({"street_id": 2**63}, "street_id"),
    ({"house_number": 2**70}, "house_number"),
    ({"occurred_at": "0001-01-01T00:30:00+01:00"}, "occurred_at"),
    ({"occurred_at": "9999-12-31T23:59:00-05:00"}, "occurred_at"),
    ({"referrals": [{"code": "debt_help", "consent": True, "due_date": "not a date"}]}, "referrals"),
])
def test_edge_values_are_422_not_a_database_error(login, world, db, changes, field):
    body = {**rally(world.streets["Smitsplein"]), **changes}
    response = login("vol").put(f"/api/v1/records/{uuid.uuid4()}", json=body)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert field in response.get_json()["errors"]
    assert db.scalar(select(func.count()).select_from(Record)) == 0


@pytest.mark.parametrize("query", ["street_id=99999999999999999999", "street_id=-1", "from=2026-13-01", "channel=fax", "limit=100000"])
def test_bad_record_queries_are_422(login, world, query):
    assert login("vol").get(f"/api/v1/records?{query}").status_code == 422


def test_nul_in_credentials_is_a_422(app, world):
    response = app.test_client().post("/api/v1/auth/token", json={"username": "vol\x00", "password": "x"})
    assert response.status_code == 422


def test_the_characters_refused_are_the_controls_below_space_but_tab_and_line_breaks():
    import re

    from fieldapp.validation import NO_CONTROL_CHARACTERS

    allowed = re.compile(NO_CONTROL_CHARACTERS)
    refused = {chr(code) for code in range(0x110000) if not allowed.match("a" + chr(code) + "b")}
    assert refused == {chr(code) for code in range(32)} - set("\t\n\r")


def test_a_street_id_in_the_query_string_filters_the_records(login, world):
    """Query strings carry text: ?street_id=5 is the street 5, not "not a whole number"."""
    api = login("vol")
    for street in ("Smitsplein", "Koningsweg"):
        assert api.put(f"/api/v1/records/{uuid.uuid4()}", json=rally(world.streets[street])).status_code == 201
    response = api.get(f"/api/v1/records?street_id={world.streets['Koningsweg']}")
    assert response.status_code == 200, response.get_json()
    assert [r["street_id"] for r in response.get_json()["records"]] == [world.streets["Koningsweg"]]


# A valid answer for each field a rule of FIELD_RULES names, to break or keep the rule with.
ANSWERS = {"measures": [{"code": "led_bulb", "quantity": 1}], "handed_out": [{"code": "flyer", "quantity": 1}], "heard_via": "flyer", "outcome": "talked",
           "house_addition": "A", "house_number": 12, "meeting": "6f1c2a4e-0b8e-4d7e-9a51-3c2f5d7e8a90"}


def breaking(rule, street_id: int) -> dict:
    """A body that breaks `rule` and nothing else of the table."""
    channel = next(c for c in CHANNELS.codes
                   if (not rule.on or c in rule.on) and (not rule.off or c not in rule.off))
    body = {"channel": channel, "street_id": street_id, "occurred_at": "2026-01-05T10:00:00+01:00", "language": "nl",
            "outcome": "talked" if channel == "rally" else None, "heard_via": "flyer" if channel == "loket" else None}
    body[rule.field] = ANSWERS[rule.field] if rule.need == "forbidden" else None
    if rule.without:
        body[rule.without] = None
    return {k: v for k, v in body.items() if v is not None}


def rule_id(rule) -> str:
    where = [f"on {','.join(rule.on)}"] if rule.on else []
    where += [f"off {','.join(rule.off)}"] if rule.off else []
    where += [f"without {rule.without}"] if rule.without else []
    return " ".join([rule.field, rule.need, *where])


@pytest.mark.parametrize("rule", FIELD_RULES, ids=rule_id)
def test_every_rule_of_the_table_is_applied_with_its_message(login, world, rule):
    """check_channel_rules applies FIELD_RULES as written: a body breaking one rule gets that
    rule's message at its field; the same body with the field answered as the rule wants is stored."""
    api = login("vol", language="tr")
    body = breaking(rule, world.streets["Smitsplein"])
    response = api.put(f"/api/v1/records/{uuid.uuid4()}", json=body)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["errors"] == {rule.field: [catalog_text("tr", rule.message)]}
    if rule.need == "required":
        kept = {**body, rule.field: ANSWERS[rule.field]}
    else:
        kept = {k: v for k, v in body.items() if k != rule.field}
    assert api.put(f"/api/v1/records/{uuid.uuid4()}", json=kept).status_code == 201

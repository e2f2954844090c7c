"""schemathesis against /api/v1/openapi.json over real HTTP, every operation, signed in.

Negative cases (input the document forbids) must be refused without a server error. Positive
cases (input the document allows) must be accepted: no 4xx but "who are you" (401), "not yours"
(403), "no such thing" (404) and "already stored otherwise" (409). A query parameter that the
document calls an integer but the server refused as text once slipped past the in-process test
client; here it travels in a query string, as a phone sends it.
"""
import os
import uuid

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance, not_a_server_error, positive_data_acceptance, response_schema_conformance,
    status_code_conformance,
)

from fieldapp.followup.schemas import EVENT_FIELDS
from helpers import ServedApp

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance, status_code_conformance]
# `make test` runs a fixed, reproducible sample of 10 examples per operation and mode (20 took
# 90 s of the suite's 640 s of CPU, nearly all of it in generating them); FIELDAPP_FUZZ_RANDOM=1
# and FIELDAPP_FUZZ_EXAMPLES=200 to hunt.
EXAMPLES = int(os.environ.get("FIELDAPP_FUZZ_EXAMPLES", "10"))
DERANDOMIZE = os.environ.get("FIELDAPP_FUZZ_RANDOM") != "1"

# Rules that join several fields or depend on the clock (a klus visit's measures, the loket's
# "heard via", a time not in the future): OpenAPI 3.0 cannot state them, so a schema-valid body
# may break one and get a 422 naming exactly these fields. Any other 422 on valid input fails.
# A record's initiative must be a running one of the sender's partner, its meeting one of the
# neighbourhood's: the document cannot list them.
CROSS_FIELD_RULES = {"measures", "heard_via", "outcome", "house_addition", "occurred_at", "to", "meeting", "initiative",
                     "handed_out"}
# A referral's event: which fields each type carries (schemas.EVENT_FIELDS), its time and the
# appointment's against the clock and the record, the assignee and joint partner among the users
# and partners stored. The answer call: its time, likewise.
EVENT_RULES = {"at"} | {name for rules in EVENT_FIELDS.values() for names in rules.values() for name in names}
# A meeting: its streets must lie in its neighbourhood and its partners be stored, its time after
# 2000; its report's counts add up to at most the head count, and come once the meeting began.
# An initiative: two distinct stored partners with the owner's among them, an owner of that partner
# in the neighbourhood, a due date only with a step, dates the app can convert, no finished start.
# A note: its time against the clock, the status moves that may follow the current one, a step for
# a due date.
INITIATIVE_RULES = {"partners", "owner_partner", "owner", "neighbourhood_id", "status", "start_date", "next_step_due"}
NOTE_RULES = {"at", "status", "next_step", "next_step_due"}
OPERATION_RULES = {"/api/v1/referrals/{referral_id}/events/{event_id}": EVENT_RULES,
                   "/api/v1/referrals/{referral_id}/answer": {"answered_at"},
                   "/api/v1/meetings/{meeting_id}": {"streets", "partners", "starts_at", "neighbourhood_id", "initiative"},
                   "/api/v1/meetings/{meeting_id}/report": {"head_count", "head_counts", "heard_via"},
                   "/api/v1/initiatives": INITIATIVE_RULES,
                   "/api/v1/initiatives/{initiative_id}/notes/{note_id}": NOTE_RULES,
                   # A figure's low, default and high go up; a version counts from a day in 2000 or
                   # later, which the document cannot state for a date.
                   "/api/v1/savings/figures": {"kwh_default", "gas_m3_default", "water_m3_default", "valid_from"},
                   "/api/v1/savings/prices": {"valid_from"},
                   # A suggestion's text must be one of the catalog's msgids, its forms as many as
                   # the msgid's plural forms with its placeholders and glossary words: the catalog
                   # check's rules, which the document cannot state (issue 18).
                   "/api/v1/translations/suggestions/{suggestion_id}": {"msgid", "forms"}}


def _fresh_token(app, username: str) -> str:
    """A token minted straight in the database (without argon2's cost): every example starts
    signed in, even after a fuzzed /auth/logout revoked the previous one."""
    from sqlalchemy import select

    from fieldapp.accounts.models import User
    from fieldapp.accounts.operations import issue_token
    from fieldapp.db import get_session, write_transaction

    session = get_session()
    with write_transaction(session):
        user = session.scalar(select(User).where(User.username == username))
        token, _expires = issue_token(session, user, 1)
    return token


def _fresh_referral(app, token: str, street_id: int) -> int:
    """An open referral routed to eas (the fuzzed users' partner and neighbourhood's): one per
    example, so no example finds it closed or answered by an earlier one."""
    body = {"channel": "rally", "street_id": street_id, "house_number": 1, "outcome": "talked", "language": "nl",
            "occurred_at": "2026-01-05T10:00:00+01:00", "referrals": [{"code": "energy_coach", "consent": True}]}
    response = app.test_client().put(f"/api/v1/records/{uuid.uuid4()}", json=body,
                                     headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["referrals"][0]["id"]


def _fresh_initiative(app) -> int:
    """A running initiative of eas and present owned by `vol`, made by a coordinator: the fuzzed
    volunteer owns it and the fuzzed coordinator may write its notes."""
    body = {"title": "Klusdag", "partners": ["eas", "present"], "owner_partner": "eas", "owner": "vol",
            "status": "running", "start_date": "2026-01-10"}
    response = app.test_client().post("/api/v1/initiatives", json=body,
                                      headers={"Authorization": f"Bearer {_fresh_token(app, 'coord')}"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _use_real_ids(case, street_id: int, ids: dict) -> None:
    """A valid street_id is a street that exists, a valid cursor one the server handed out, a
    referral, neighbourhood or partner one that is stored: the document cannot list them. Paging
    itself is tested in test_records_* and test_followup_access."""
    if isinstance(case.path_parameters, dict):
        for name in ("referral_id", "neighbourhood_id", "initiative_id"):
            if name in case.path_parameters:
                case.path_parameters[name] = ids[name]()
    if isinstance(case.query, dict):
        case.query.pop("cursor", None)
        if "street_id" in case.query:
            case.query["street_id"] = street_id
        if "partner" in case.query:
            case.query["partner"] = "eas"
    if isinstance(case.body, dict) and "street_id" in case.body:
        case.body["street_id"] = street_id
    if case.operation.path == "/api/v1/meetings/{meeting_id}" and isinstance(case.body, dict):
        case.body.update(neighbourhood_id=ids["neighbourhood_id"](), streets=[street_id], partners=["eas"])
    if isinstance(case.body, dict) and "id" in case.body and "record_id" in (case.path_parameters or {}):
        case.body["id"] = case.path_parameters["record_id"]  # a valid body names the record of its URL
    if isinstance(case.body, dict) and isinstance(case.body.get("records"), list):
        for record in case.body["records"]:
            if isinstance(record, dict) and "street_id" in record:
                record["street_id"] = street_id
    if "/events/" in case.operation.path and isinstance(case.body, dict):
        _keep_to_the_event_rules(case.body)


def _keep_to_the_event_rules(body: dict) -> None:
    """A time between the record and now, and only the fields the event's type carries: else these
    rules, which the document cannot state, refuse nearly every example and no event is stored."""
    if "at" in body:
        body["at"] = "2026-01-06T10:00:00+01:00"
    rules = EVENT_FIELDS.get(body.get("type"))
    if rules is not None:
        for name in EVENT_RULES - {"at", *rules["required"], *rules["optional"]}:
            body.pop(name, None)


def _accepted_or_cross_field(case, response) -> bool:
    if response.status_code != 422:
        return False
    errors = response.json().get("errors") or {}
    fields = set(errors)
    if "records" in fields:  # a batch reports per record in a 200, so a 422 here is the envelope's
        return False
    return bool(fields) and fields <= OPERATION_RULES.get(case.operation.path, CROSS_FIELD_RULES)


def _exercise(app, served, operation, mode, username: str, street_id: int, hood_id: int) -> list[int]:
    codes: list[int] = []
    # A token lasts until an example signs out: minting one per example cost a write each.
    signs_out = operation.path == "/api/v1/auth/logout"
    tokens: list[str] = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
              database=None, derandomize=DERANDOMIZE)
    def run(case):
        if signs_out or not tokens:
            tokens[:] = [_fresh_token(app, username)]
        token = tokens[0]
        if mode == GenerationMode.POSITIVE:
            _use_real_ids(case, street_id, {"referral_id": lambda: _fresh_referral(app, token, street_id),
                                            "neighbourhood_id": lambda: hood_id,
                                            "initiative_id": lambda: _fresh_initiative(app)})
        response = case.call(base_url=served.url, headers={"Authorization": f"Bearer {token}", "Accept-Language": "tr"})
        codes.append(response.status_code)
        if response.status_code == 401:
            tokens.clear()  # whatever ended this session, the next example signs in afresh
        if mode == GenerationMode.NEGATIVE:
            # Invalid on purpose: only "no server error" and a JSON error apply.
            case.validate_response(response, checks=CHECKS[:1])
            if response.status_code >= 400:
                assert "message" in response.json(), response.text
        elif _accepted_or_cross_field(case, response):
            case.validate_response(response, checks=CHECKS)
        else:
            case.validate_response(response, checks=CHECKS + [positive_data_acceptance])

    run()
    return codes


@pytest.mark.slow
@pytest.mark.parametrize("username", ["vol", "coord"])
def test_every_operation_over_http(app, db, world, username):
    street_id = world.streets["Smitsplein"]
    with ServedApp(app) as served:
        schema = schemathesis.openapi.from_url(f"{served.url}/api/v1/openapi.json")
        operations = [result.ok() for result in schema.get_all_operations()]
        assert {op.path for op in operations} >= {"/api/v1/records", "/api/v1/auth/token", "/api/v1/streets"}
        outcomes = {
            (operation.label, mode.value): _exercise(app, served, operation, mode, username, street_id, world.hood_id)
            for operation in operations for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        }
    for (label, mode), codes in outcomes.items():
        assert codes, f"{label} ({mode}): no example ran"
    every = [code for codes in outcomes.values() for code in codes]
    assert any(code < 300 for code in every) and any(code == 422 for code in every)

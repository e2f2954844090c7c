"""What one stored record asks of the database. A volunteer's PUT is the request the field app
makes most; each statement in it is a round trip to PostgreSQL. Those that only some records
need are made for those records only: the desk's routing for a consented referral, the savings'
copy for listed measures; and the request's user is found without the languages the user speaks,
which no store reads."""
from __future__ import annotations

import uuid

import pytest

from helpers import sent_statements


@pytest.fixture
def statements(app):
    with sent_statements(app) as seen:
        yield seen


def _put(api, world, statements, **extra) -> list[str]:
    body = {"channel": "rally", "street_id": world.streets["Koningsweg"], "house_number": 4, "outcome": "talked",
            "occurred_at": "2025-03-04T10:00:00+01:00", "language": "nl", **extra}
    statements.clear()
    response = api.put(f"/api/v1/records/{uuid.uuid4()}", json=body)
    assert response.status_code == 201, response.get_json()
    sent = [" ".join(s.split()) for s in statements]
    return [s for s in sent if s not in ("BEGIN", "COMMIT", "ROLLBACK")]


def test_a_plain_record_reads_no_languages_measures_or_desk(app, world, login, statements):
    api = login("vol")
    asked = _put(api, world, statements)
    assert not any("user_languages" in s for s in asked), asked
    assert not any("installed_measures" in s for s in asked), asked
    assert not any("followups" in s for s in asked), asked


def test_measures_and_a_consented_referral_are_asked_for_when_listed(app, world, login, statements):
    api = login("vol")
    asked = _put(api, world, statements, channel="klus", outcome="let_in", measures=[{"code": "led_bulb", "quantity": 2}],
                 referrals=[{"code": "energy_coach", "consent": True}])
    assert any(s.startswith("INSERT INTO installed_measures") for s in asked), asked
    assert any(s.startswith("INSERT INTO followups") for s in asked), asked
    assert not any("user_languages" in s for s in asked), asked


def test_the_languages_are_read_when_a_screen_needs_them(app, db, world, login, statements):
    """The revisit queue reads the languages a taalcoach speaks (as the desk's suggestions do): still
    there when asked for, from a lazily read relationship."""
    from conftest import session_client

    client = session_client(app, world.users["coord"])
    statements.clear()
    assert client.get("/dashboard/").status_code == 200
    assert not any("user_languages" in s for s in statements), statements
    response = login("coach").get("/api/v1/revisits")
    assert response.status_code == 200, response.get_json()
    assert any("user_languages" in s for s in statements)

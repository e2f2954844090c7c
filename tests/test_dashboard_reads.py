"""A dashboard GET only reads: no INSERT, UPDATE or DELETE, so on SQLite it never waits for (nor
holds) the one write lock that storing records takes. Checked on the statements the engine
sends, for the API, the pages and the map, the first time (nothing counted yet) and again
after a record arrived (its street counted again)."""
from __future__ import annotations

import re
import uuid

import pytest

from conftest import session_client
from helpers import sent_statements

WRITE = re.compile(r"^\s*(WITH\b.*?\)\s*)?(INSERT|UPDATE|DELETE|REPLACE|MERGE|UPSERT)\b", re.IGNORECASE | re.DOTALL)
PERIOD = "from=2026-03-01&to=2026-03-31"


def writes_in(sent: list[str]) -> list[str]:
    return [statement for statement in sent if WRITE.match(statement) or " INSERT INTO " in statement.upper()]


def test_the_pattern_sees_writes():
    assert writes_in(["INSERT INTO x VALUES (1)", "WITH a AS (SELECT 1) UPDATE x SET y = 1",
                      "WITH w AS (INSERT INTO t SELECT 1) INSERT INTO v SELECT 2", " delete from x"]) == [
        "INSERT INTO x VALUES (1)", "WITH a AS (SELECT 1) UPDATE x SET y = 1",
        "WITH w AS (INSERT INTO t SELECT 1) INSERT INTO v SELECT 2", " delete from x"]
    assert writes_in(["SELECT 1", "BEGIN", "SET LOCAL jit = off", "SELECT inserted FROM x"]) == []


@pytest.mark.parametrize("query", ["", PERIOD])
def test_a_dashboard_get_never_writes(app, dashboard_world, login, query):
    users = dashboard_world.world.users
    api = login("coord")  # signing in writes a token: before the count starts
    page = session_client(app, users["coord"])
    volunteer = session_client(app, users["vol"])
    street = dashboard_world.world.streets["Koningsweg"]
    gets = [
        (api, f"/api/v1/dashboard/streets?{query}"),
        (api, f"/api/v1/map/streets.geojson?metric=trust_index&{query}"),
        (api, f"/api/v1/map/streets.geojson?metric=coverage&{query}"),
        (page, f"/dashboard/?{query}"),
        (page, f"/dashboard/map?{query}"),
        (volunteer, f"/dashboard/streets/{street}?{query}"),  # coordinators' views of it are audited
    ]

    def read_everything():
        with sent_statements(app) as sent:
            for client, url in gets:
                assert client.get(url).status_code == 200, url
        assert sent, "the listener saw nothing"
        assert writes_in(sent) == []

    read_everything()  # nothing counted yet in this process
    read_everything()  # what was counted, read back
    stored = api.put(f"/api/v1/records/{uuid.uuid4()}", json={
        "channel": "loket", "street_id": street, "occurred_at": "2026-03-20T10:00:00+01:00",
        "language": "nl", "heard_via": "flyer"})
    assert stored.status_code == 201
    read_everything()  # one street counted again

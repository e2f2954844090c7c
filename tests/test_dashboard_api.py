"""GET /api/v1/dashboard/streets against figures worked out by hand.

The records (tests/conftest.py, _dashboard_records), period 2026-03-01..2026-03-31 Amsterdam:

Smitsplein (2 households: 1 social rent, 2 owner)
  r0  #1  2026-02-28 23:30 CET   rally brief       -> before the period: not counted
  r1  #1  2026-03-01 00:30 CET   loket talked, tr, taalcoach, eas+balans -> step 5 (earlier record r0)
  r2  #2  rally refused, nl       -> step 1, a refusal
  r3  #2  visit not_home, nl      -> klus/visit but nobody met: step 1
  r4  no number, rally, so        -> anonymous
  r5  #99 (not in register), rally, ti, taalcoach -> anonymous
  => #1 step 5, #2 step 1: trust (5+1)/2*20 = 60
Koningsweg (3 households: 10-1, 10-2 social rent, 12 private rent)
  r6  10-1 klus let_in, ar, eas+present+portaal, consented referral due 2026-03-20 open -> step 4, overdue
  r7  10-2 visit refused, nl, taalcoach, eas+schuldhulpmaatje, consented referral answered after 2.0 days
      -> refused blocks step 4; the consented referral gives step 3
  r8  10-2 rally talked, tr, declined referral -> step 2 (declined: not open, not a commitment)
  r9  12 2026-03-31 23:30 CEST rally talked, nl (last evening of the period): a consented referral
      open until 2099, another answered after 4.04 days -> step 3 (a commitment)
  r10 12 2026-04-01 00:10 CEST loket -> after the period: not counted
Weegbreestraat (4 households by hand; register 5 owner, 7 social rent, 9 private rent)
  r12 #5 rally talked, so, ambassador, eas+vang -> step 5
  r13 #7 visit talked, so, taalcoach -> step 4
  r14 #9 klus 2026-01-10 -> before the period: #9 not reached
Dorpsstraat (Elders): r15, never visible to Smitsveen users.
"""
from __future__ import annotations

import pytest

from fieldapp.timeutil import local_date, utcnow

PERIOD = "?from=2026-03-01&to=2026-03-31"


def channels(rally=(0, 0), klus=(0, 0), loket=(0, 0), visit=(0, 0), event=(0, 0)):
    return {code: {"records": r, "addresses": a}
            for code, (r, a) in (("rally", rally), ("klus", klus), ("loket", loket), ("visit", visit),
                                 ("event", event))}


def tenure(social=(0, 0), private=(0, 0), owner=(0, 0)):
    return {code: {"households": h, "reached": r}
            for code, (h, r) in (("social_rent", social), ("private_rent", private), ("owner", owner))}


def ladder(*counts):
    return {str(step): n for step, n in enumerate(counts)}


def expected_streets(ids):
    return [
        {
            "street_id": ids["Koningsweg"], "name": "Koningsweg", "households": 3, "reached": 3, "coverage": 1.0,
            "anonymous_contacts": 0, "records": 4, "refusals": 1,
            # 10-1 step 4, 10-2 step 3, 12 step 3: (4+3+3)/3*20
            "trust_index": 66.7, "ladder": ladder(0, 0, 0, 2, 1, 0),
            "channels": channels(rally=(2, 2), klus=(1, 1), visit=(1, 1)),
            "languages": {"nl": 2, "ar": 1, "tr": 1}, "taalcoach_records": 1,
            "tenure": tenure(social=(2, 2), private=(1, 1)),
            "koppelkansen": 2, "referrals_open": 2, "referrals_overdue": 1,
            # answered after 2.0 and 4.04 days: mean of the middle two
            "median_response_days": 3.0,
        },
        {
            "street_id": ids["Smitsplein"], "name": "Smitsplein", "households": 2, "reached": 2, "coverage": 1.0,
            "anonymous_contacts": 2, "records": 5, "refusals": 1, "trust_index": 60.0,
            "ladder": ladder(0, 1, 0, 0, 0, 1),
            "channels": channels(rally=(3, 1), loket=(1, 1), visit=(1, 1)),
            "languages": {"nl": 2, "so": 1, "ti": 1, "tr": 1}, "taalcoach_records": 2,
            "tenure": tenure(social=(1, 1), owner=(1, 1)),
            "koppelkansen": 1, "referrals_open": 0, "referrals_overdue": 0, "median_response_days": None,
        },
        {
            "street_id": ids["Weegbreestraat"], "name": "Weegbreestraat", "households": 4, "reached": 2,
            "coverage": 0.5, "anonymous_contacts": 0, "records": 2, "refusals": 0, "trust_index": 90.0,
            "ladder": ladder(2, 0, 0, 0, 1, 1),
            "channels": channels(rally=(1, 1), visit=(1, 1)),
            "languages": {"so": 2}, "taalcoach_records": 1,
            "tenure": tenure(social=(1, 1), private=(1, 0), owner=(1, 1)),
            "koppelkansen": 1, "referrals_open": 0, "referrals_overdue": 0, "median_response_days": None,
        },
    ]


EXPECTED_TOTALS = {
    "households": 9, "reached": 7, "coverage": 0.7778, "anonymous_contacts": 2, "records": 11, "refusals": 2,
    # steps 1, 3, 3, 4, 4, 5, 5 -> 25/7*20
    "trust_index": 71.4, "ladder": ladder(2, 1, 0, 2, 2, 2),
    "channels": channels(rally=(6, 4), klus=(1, 1), loket=(1, 1), visit=(3, 3)),
    "languages": {"nl": 4, "so": 3, "tr": 2, "ar": 1, "ti": 1}, "taalcoach_records": 4,
    "tenure": tenure(social=(4, 4), private=(2, 1), owner=(2, 2)),
    "koppelkansen": 4, "referrals_open": 2, "referrals_overdue": 1, "median_response_days": 3.0,
}


@pytest.mark.parametrize("username", ["coord", "vol", "coach"])
def test_every_field_for_the_period(dashboard_world, login, username):
    response = login(username).get("/api/v1/dashboard/streets" + PERIOD)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["period"] == {"from": "2026-03-01", "to": "2026-03-31", "today": local_date(utcnow()).isoformat()}
    assert body["streets"] == expected_streets(dashboard_world.world.streets)
    assert body["totals"] == EXPECTED_TOTALS
    assert list(body["totals"]["languages"]) == ["nl", "so", "tr", "ar", "ti"]  # most spoken first


def test_without_a_period_every_record_counts(dashboard_world, login):
    body = login("coord").get("/api/v1/dashboard/streets").get_json()
    rows = {row["name"]: row for row in body["streets"]}
    # r0 joins Smitsplein's rally; #1 stays on step 5.
    assert rows["Smitsplein"]["records"] == 6
    assert rows["Smitsplein"]["channels"]["rally"] == {"records": 4, "addresses": 2}
    # r10, a walk-in after r9 at Koningsweg 12: returned (step 5).
    assert rows["Koningsweg"]["ladder"] == ladder(0, 0, 0, 1, 1, 1)
    assert rows["Koningsweg"]["trust_index"] == 80.0
    # r14, a klus at Weegbreestraat 9: let in (step 4).
    assert rows["Weegbreestraat"]["reached"] == 3
    assert rows["Weegbreestraat"]["coverage"] == 0.75
    assert rows["Weegbreestraat"]["ladder"] == ladder(1, 0, 0, 0, 2, 1)
    assert body["totals"]["records"] == 14
    assert body["period"]["from"] is None and body["period"]["to"] is None


def test_one_day_period_edges(dashboard_world, login):
    api = login("coord")
    # 2026-03-01 Amsterdam starts at 2026-02-28 23:00 UTC: r1 is in, r0 (22:30 UTC) is out.
    row = {r["name"]: r for r in api.get("/api/v1/dashboard/streets?from=2026-03-01&to=2026-03-01")
           .get_json()["streets"]}["Smitsplein"]
    assert row["records"] == 1 and row["ladder"]["5"] == 1
    # 2026-04-01 Amsterdam (CEST) starts at 2026-03-31 22:00 UTC: r10 is in, r9 (21:30 UTC) is out.
    body = api.get("/api/v1/dashboard/streets?from=2026-04-01&to=2026-04-01").get_json()
    row = {r["name"]: r for r in body["streets"]}["Koningsweg"]
    assert row["records"] == 1 and row["ladder"]["5"] == 1 and row["channels"]["loket"]["records"] == 1
    assert body["totals"]["records"] == 1


def test_other_neighbourhoods_stay_hidden(dashboard_world, login):
    body = login("outsider").get("/api/v1/dashboard/streets" + PERIOD).get_json()
    assert [row["name"] for row in body["streets"]] == ["Dorpsstraat"]
    assert body["totals"]["records"] == 1
    assert body["totals"]["referrals_overdue"] == 1


def test_needs_login_and_valid_period(dashboard_world, login, app):
    assert app.test_client().get("/api/v1/dashboard/streets").status_code == 401
    response = login("coord", "nl").get("/api/v1/dashboard/streets?from=2026-04-01&to=2026-03-01")
    assert response.status_code == 422
    assert response.get_json()["errors"]["to"] == ["De einddatum ligt voor de begindatum."]
    response = login("coord", "tr").get("/api/v1/dashboard/streets?from=2026-13-01")
    assert response.status_code == 422
    assert "from" in response.get_json()["errors"]


def test_in_the_openapi_document(app):
    paths = app.test_client().get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/dashboard/streets", "/api/v1/map/streets.geojson", "/api/v1/referrals/{referral_id}/answer",
                 "/api/v1/exports/streets.csv", "/api/v1/exports/streets.xlsx", "/api/v1/exports/records.csv"):
        assert path in paths, path


def test_geojson(dashboard_world, login):
    api = login("vol")
    response = api.get("/api/v1/map/streets.geojson" + PERIOD + "&metric=trust_index")
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    body = response.get_json()
    assert body["type"] == "FeatureCollection" and body["metric"] == "trust_index"
    features = {f["properties"]["name"]: f for f in body["features"]}
    assert set(features) == {"Koningsweg", "Smitsplein", "Weegbreestraat"}
    assert features["Smitsplein"]["geometry"] == {
        "type": "LineString", "coordinates": [[5.2848, 52.1649], [5.2853, 52.1652]]}
    assert features["Weegbreestraat"]["properties"]["value"] == 90.0
    assert features["Weegbreestraat"]["properties"]["coverage"] == 0.5
    coverage = api.get("/api/v1/map/streets.geojson" + PERIOD).get_json()
    assert {f["properties"]["name"]: f["properties"]["value"] for f in coverage["features"]} == {
        "Koningsweg": 1.0, "Smitsplein": 1.0, "Weegbreestraat": 0.5}
    bad = login("vol", "nl").get("/api/v1/map/streets.geojson?metric=colour")
    assert bad.status_code == 422 and bad.get_json()["errors"]["metric"]

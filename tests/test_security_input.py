"""Hostile input found by the fuzzer: a 4xx with per-field messages, never a server error."""
import uuid

from conftest import csrf_from


def test_nul_bytes_refused(app, world, login):
    client = app.test_client()
    response = client.post("/api/v1/auth/token", json={"username": "vo\u0000l", "password": "x" * 9})
    assert response.status_code == 422 and "username" in response.get_json()["errors"]
    api = login("vol")
    body = {"channel": "rally", "street_id": world.streets["Smitsplein"], "outcome": "talked", "house_number": 1,
            "house_addition": "a\u0000", "occurred_at": "2026-01-05T10:00:00+01:00", "language": "nl",
            "notes": "x\u0000y", "referrals": [{"code": "debt_help", "consent": True, "consent_text_version": "\u0000"}]}
    response = api.put(f"/api/v1/records/{uuid.uuid4()}", json=body)
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert {"notes", "house_addition", "referrals"} <= set(errors)
    page = client.get("/login")
    response = client.post("/login", data={"username": "\u0000", "password": "x" * 9,
                                           "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert response.status_code == 401


def test_dates_and_ids_out_of_range(login, world):
    api = login("vol")
    # Any real date is a valid bound of a period (the OpenAPI document says `format: date`):
    # year 1 or 9999 asks for everything on that side, without overflowing a time zone.
    api.put(f"/api/v1/records/{uuid.uuid4()}", json={"channel": "rally", "street_id": world.streets["Smitsplein"],
            "outcome": "talked", "occurred_at": "2026-01-05T10:00:00+01:00", "language": "nl"})
    for query in ("from=0001-01-01", "to=9999-12-31", "from=0001-01-01&to=9999-12-31"):
        response = api.get(f"/api/v1/records?{query}")
        assert response.status_code == 200 and len(response.get_json()["records"]) == 1, query
    assert api.get("/api/v1/records?from=9999-12-31").get_json()["records"] == []
    assert api.get(f"/api/v1/records?street_id={2**63}").status_code == 422
    body = {"channel": "rally", "street_id": world.streets["Smitsplein"], "outcome": "talked",
            "occurred_at": "0001-01-01T00:00:00+01:00", "language": "nl"}
    response = api.put(f"/api/v1/records/{uuid.uuid4()}", json=body)
    assert response.status_code == 422 and "occurred_at" in response.get_json()["errors"]
    body["street_id"] = 2**63
    assert api.put(f"/api/v1/records/{uuid.uuid4()}", json=body).status_code == 422

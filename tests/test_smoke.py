import uuid


def test_health(app):
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_put_then_retry(login, world):
    api = login("vol")
    body = {"channel": "rally", "street_id": world.streets["Smitsplein"], "house_number": 1,
            "occurred_at": "2026-01-05T10:00:00+01:00", "language": "tr", "outcome": "talked"}
    rid = uuid.uuid4()
    assert api.put(f"/api/v1/records/{rid}", json=body).status_code == 201
    assert api.put(f"/api/v1/records/{rid}", json=body).status_code == 200

"""CSRF: every state change by session cookie needs the token; bearer-token requests do not."""
import uuid

from conftest import PASSWORD, csrf_from


def _record(world):
    return {"channel": "rally", "street_id": world.streets["Smitsplein"], "outcome": "talked",
            "occurred_at": "2026-01-05T10:00:00+01:00", "language": "nl"}


def test_login_form_without_token_rejected(app, world):
    client = app.test_client()
    client.get("/login")
    response = client.post("/login?lang=en", data={"username": "vol", "password": PASSWORD})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    response = client.post("/login", data={"username": "vol", "password": PASSWORD, "csrf_token": "forged"})
    assert response.status_code == 400


def test_cookie_api_write_needs_token(app, world, web_login):
    client = web_login("vol")
    response = client.put(f"/api/v1/records/{uuid.uuid4()}", json=_record(world), headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert response.get_json()["message"] == "This form has expired. Reload the page and try again."
    token = csrf_from(client.get("/logout").get_data(as_text=True))
    response = client.put(f"/api/v1/records/{uuid.uuid4()}", json=_record(world), headers={"X-CSRFToken": token})
    assert response.status_code == 201


def test_token_of_another_session_rejected(app, world, web_login):
    victim = web_login("vol")
    attacker = web_login("coach")
    foreign = csrf_from(attacker.get("/logout").get_data(as_text=True))
    response = victim.post("/logout", data={"csrf_token": foreign})
    assert response.status_code == 400
    assert victim.get("/api/v1/streets").status_code == 200  # still signed in


def test_bearer_requests_need_no_csrf(login, world):
    api = login("vol")
    assert api.put(f"/api/v1/records/{uuid.uuid4()}", json=_record(world)).status_code == 201
    assert api.post("/api/v1/auth/logout", json={}).status_code == 204


def test_admin_form_without_token_rejected(app, world, web_login, db):
    from fieldapp.accounts.models import User

    client = web_login("adm")
    response = client.post(f"/admin/users/{world.users['vol']}/active", data={"active": "0"})
    assert response.status_code == 400
    db.expire_all()
    assert db.get(User, world.users["vol"]).active


def test_csrf_error_in_users_language(app, world):
    client = app.test_client()
    client.get("/login")
    response = client.post("/login?lang=tr", data={"username": "vol", "password": PASSWORD})
    assert response.status_code == 400
    assert "Bu formun süresi doldu" in response.get_data(as_text=True)

"""Sign-in for office screens (cookie) and API clients (bearer), second factor, sign-out."""
import pyotp
from sqlalchemy import select

from conftest import PASSWORD, csrf_from


def _post_login(client, username, password):
    page = client.get("/login?lang=en")
    token = csrf_from(page.get_data(as_text=True))
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def test_login_page_form_and_session_cookie(app, world):
    client = app.test_client()
    page = client.get("/login?lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="csrf_token"' in html and 'autocomplete="current-password"' in html
    response = _post_login(client, "vol", PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    # now signed in: an API call by cookie works
    assert client.get("/api/v1/streets").status_code == 200


def test_session_cookie_secure_under_https(app, world):
    client = app.test_client()
    page = client.get("/login?lang=en", base_url="https://localhost")
    # under HTTPS flask-wtf also wants a same-origin Referer
    response = client.post("/login", base_url="https://localhost", headers={"Referer": "https://localhost/login"}, data={
        "username": "vol", "password": PASSWORD, "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert response.status_code == 302
    assert "Secure" in response.headers["Set-Cookie"]


def test_wrong_password_is_401_and_translated(app, world):
    client = app.test_client()
    response = _post_login(client, "vol", "not the password")
    assert response.status_code == 401
    assert "Wrong username or password." in response.get_data(as_text=True)
    assert "Sign in" in response.get_data(as_text=True)
    page = client.get("/login?lang=nl")
    response = client.post("/login?lang=nl", data={"username": "vol", "password": "x" * 9,
                                                   "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert response.status_code == 401 and "Inloggen" in response.get_data(as_text=True)


def test_session_rotated_at_login(app, world):
    client = app.test_client()
    client.get("/login?lang=en")
    before = client.get_cookie("session").value
    _post_login(client, "vol", PASSWORD)
    after = client.get_cookie("session").value
    assert before != after


def test_open_redirect_refused(app, world):
    for target in ("//evil.example/x", "/\\evil.example", "https://evil.example/", "/\t/evil.example"):
        client = app.test_client()
        page = client.get("/login?lang=en")
        response = client.post("/login", data={"username": "vol", "password": PASSWORD, "next": target,
                                               "csrf_token": csrf_from(page.get_data(as_text=True))})
        assert response.headers["Location"] == "/", target
    page = client.get("/login?lang=en")
    response = client.post("/login", data={"username": "vol", "password": PASSWORD, "next": "/admin/users?x=1",
                                           "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert response.headers["Location"] == "/admin/users?x=1"


def test_page_401_redirects_to_login(app, world):
    response = app.test_client().get("/admin/users")
    assert response.status_code == 302 and "/login?next=/admin/users" in response.headers["Location"]


def test_coordinator_needs_code_at_login(app, world, enrol_totp, web_login):
    secret, recovery = enrol_totp("coord")
    client = app.test_client()
    response = _post_login(client, "coord", PASSWORD)
    assert response.status_code == 302 and response.headers["Location"].endswith("/login/code")
    # not signed in yet
    assert client.get("/api/v1/streets").status_code == 401
    page = client.get("/login/code")
    bad = client.post("/login/code", data={"code": "000000", "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert bad.status_code == 401
    signed_in = web_login("coord", pyotp.TOTP(secret).now())
    assert signed_in.get("/api/v1/streets").status_code == 200


def test_recovery_code_works_once(app, world, enrol_totp, web_login):
    _secret, recovery = enrol_totp("adm")
    assert web_login("adm", recovery[0]).get("/admin/users").status_code == 200
    client = app.test_client()
    _post_login(client, "adm", PASSWORD)
    page = client.get("/login/code")
    again = client.post("/login/code", data={"code": recovery[0], "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert again.status_code == 401


def test_token_needs_totp_for_enrolled_coordinator(app, world, enrol_totp):
    secret, _codes = enrol_totp("coord")
    client = app.test_client()
    missing = client.post("/api/v1/auth/token", json={"username": "coord", "password": PASSWORD},
                          headers={"Accept-Language": "en"})
    assert missing.status_code == 401
    assert "code" in missing.get_json()["message"] and "totp" in missing.get_json()["message"]
    wrong = client.post("/api/v1/auth/token", json={"username": "coord", "password": PASSWORD, "totp": "123456"})
    assert wrong.status_code == 401
    code = pyotp.TOTP(secret).now()
    good = client.post("/api/v1/auth/token", json={"username": "coord", "password": PASSWORD, "totp": code})
    assert good.status_code == 200, good.get_json()
    # the same code a second time is refused (replay)
    replay = client.post("/api/v1/auth/token", json={"username": "coord", "password": PASSWORD, "totp": code})
    assert replay.status_code == 401


def test_code_message_translated(app, world, enrol_totp):
    enrol_totp("coord")
    en = app.test_client().post("/api/v1/auth/token", json={"username": "coord", "password": PASSWORD},
                                headers={"Accept-Language": "en"}).get_json()["message"]
    tr = app.test_client().post("/api/v1/auth/token", json={"username": "coord", "password": PASSWORD},
                                headers={"Accept-Language": "tr"}).get_json()["message"]
    assert en != tr


def test_api_logout_revokes_tokens_and_clears_site_data(app, login):
    api = login("vol")
    other = login("vol")
    assert api.get("/api/v1/records").status_code == 200
    response = api.post("/api/v1/auth/logout", json={})
    assert response.status_code == 204
    assert response.headers["Clear-Site-Data"] == '"cache", "cookies"'
    assert api.get("/api/v1/records").status_code == 401
    assert other.get("/api/v1/records").status_code == 401  # signed out everywhere
    fresh = login("vol")
    response = fresh.post("/api/v1/auth/logout", json={"clear_storage": True})
    assert '"storage"' in response.headers["Clear-Site-Data"]


def test_web_logout_ends_sessions_and_tokens(app, login, web_login):
    client = web_login("vol")
    api = login("vol")
    page = client.get("/logout")
    assert page.status_code == 200
    response = client.post("/logout", data={"csrf_token": csrf_from(page.get_data(as_text=True))})
    assert response.status_code == 302
    assert response.headers["Clear-Site-Data"] == '"cache", "cookies"'
    assert client.get("/api/v1/streets").status_code == 401
    assert api.get("/api/v1/streets").status_code == 401


def test_stolen_cookie_dies_with_logout(app, world, web_login):
    client = web_login("vol")
    stolen = client.get_cookie("session").value
    page = client.get("/logout")
    client.post("/logout", data={"csrf_token": csrf_from(page.get_data(as_text=True))})
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/api/v1/streets").status_code == 401


def test_idle_and_absolute_timeouts(app, world, web_login, monkeypatch):
    import time as time_module

    client = web_login("vol")
    real = time_module.time
    idle = app.config["SESSION_IDLE_MINUTES"] * 60
    monkeypatch.setattr(time_module, "time", lambda: real() + idle - 30)
    assert client.get("/api/v1/streets").status_code == 200
    monkeypatch.setattr(time_module, "time", lambda: real() + 2 * idle - 30)
    assert client.get("/api/v1/streets").status_code == 200  # activity kept it alive
    monkeypatch.setattr(time_module, "time", lambda: real() + 3 * idle + 60)
    assert client.get("/api/v1/streets").status_code == 401  # idle too long

    monkeypatch.setattr(time_module, "time", real)
    client = web_login("vol")
    absolute = app.config["SESSION_ABSOLUTE_MINUTES"] * 60
    step = idle - 60
    offset = 0
    while offset < absolute:
        offset += step
        monkeypatch.setattr(time_module, "time", lambda o=offset: real() + o)
        status = client.get("/api/v1/streets").status_code
        if offset <= absolute:
            assert status == 200, (offset, client.get_cookie("session"))
    monkeypatch.setattr(time_module, "time", lambda: real() + absolute + 120)
    assert client.get("/api/v1/streets").status_code == 401


def test_expired_token_refused(app, login, db, world):
    from fieldapp.accounts.models import ApiToken
    from fieldapp.timeutil import utcnow
    from datetime import timedelta

    api = login("vol")
    for row in db.scalars(select(ApiToken)):
        row.expires_at = utcnow() - timedelta(seconds=1)
    db.commit()
    assert api.get("/api/v1/records").status_code == 401


def test_office_users_land_on_the_dashboard_with_its_links(enrol_totp, web_login):
    import pyotp

    secret, _codes = enrol_totp("adm")
    client = web_login("adm", pyotp.TOTP(secret).now())
    assert client.landed_on == "/dashboard/"
    html = client.get("/dashboard/?lang=en").get_data(as_text=True)
    for link in ('href="/dashboard/"', 'href="/admin/users"', 'href="/admin/audit"', 'href="/logout"'):
        assert link in html


def test_token_response_lists_the_users_languages(app, db, world):
    from fieldapp.accounts.operations import upsert_user

    upsert_user(db, "polyglot", PASSWORD, "volunteer", "eas", ["Smitsveen"], ["ti", "nl"])
    db.commit()
    for username, languages in (("polyglot", ["nl", "ti"]), ("vol", [])):
        response = app.test_client().post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
        assert response.status_code == 200
        assert response.get_json()["user"] == {"username": username, "role": "volunteer", "partner": "eas",
                                               "languages": languages}

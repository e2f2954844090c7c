"""Admin screens: invite with a one-time code, reset a password, disable, assign neighbourhoods."""
import re

import pyotp

from conftest import PASSWORD, csrf_from


def _form(client, url):
    return csrf_from(client.get(url).get_data(as_text=True))


def _invite_code(html: str) -> str:
    match = re.search(r"/invite\?code=([A-Za-z0-9_\-]+)", html)
    assert match, html
    return match.group(1)


def test_invite_then_choose_password_then_sign_in(app, world, web_login, login):
    admin = web_login("adm")
    token = _form(admin, "/admin/users")
    page = admin.post("/admin/users?lang=en", data={"csrf_token": token, "username": "newbie", "role": "volunteer",
                                                   "partner": "present", "neighbourhood": str(world.hood_id)})
    assert page.status_code == 200
    code = _invite_code(page.get_data(as_text=True))

    guest = app.test_client()
    form = guest.get(f"/invite?code={code}&lang=en")
    assert form.status_code == 200 and "newbie" in form.get_data(as_text=True)
    weak = guest.post("/invite?lang=en", data={"code": code, "password": "password123", "password2": "password123",
                                              "csrf_token": csrf_from(form.get_data(as_text=True))})
    assert weak.status_code == 422 and "too easy to guess" in weak.get_data(as_text=True)
    short = guest.post("/invite?lang=en", data={"code": code, "password": "abc", "password2": "abc",
                                               "csrf_token": csrf_from(form.get_data(as_text=True))})
    assert short.status_code == 422 and "at least 8" in short.get_data(as_text=True)
    done = guest.post("/invite", data={"code": code, "password": "plum kettle river", "password2": "plum kettle river",
                                       "csrf_token": csrf_from(form.get_data(as_text=True))})
    assert done.status_code == 302
    response = app.test_client().post("/api/v1/auth/token", json={"username": "newbie", "password": "plum kettle river"})
    assert response.status_code == 200 and response.get_json()["user"]["partner"] == "present"
    # the code works once
    again = guest.get(f"/invite?code={code}")
    assert again.status_code == 400


def test_invited_coordinator_sets_up_totp(app, world, web_login):
    admin = web_login("adm")
    page = admin.post("/admin/users", data={"csrf_token": _form(admin, "/admin/users"), "username": "boss",
                                            "role": "coordinator", "partner": "gemeente",
                                            "neighbourhood": str(world.hood_id)})
    code = _invite_code(page.get_data(as_text=True))
    guest = app.test_client()
    form = guest.get(f"/invite?code={code}")
    setup = guest.post("/invite", data={"code": code, "password": "plum kettle river", "password2": "plum kettle river",
                                        "csrf_token": csrf_from(form.get_data(as_text=True))})
    assert setup.status_code == 200
    secret = re.search(r'class="secret"><code>([A-Z2-7]+)</code>', setup.get_data(as_text=True)).group(1)
    no_code = guest.post("/api/v1/auth/token", json={"username": "boss", "password": "plum kettle river"})
    assert no_code.status_code == 401
    ok = guest.post("/api/v1/auth/token", json={"username": "boss", "password": "plum kettle river",
                                                "totp": pyotp.TOTP(secret).now()})
    assert ok.status_code == 200


def test_reset_password_ends_sessions(app, world, web_login, login):
    api = login("vol")
    admin = web_login("adm")
    url = f"/admin/users/{world.users['vol']}"
    page = admin.post(f"{url}/reset", data={"csrf_token": _form(admin, url)})
    assert page.status_code == 200
    assert api.get("/api/v1/records").status_code == 401
    old = app.test_client().post("/api/v1/auth/token", json={"username": "vol", "password": PASSWORD})
    assert old.status_code == 401
    code = _invite_code(page.get_data(as_text=True))
    guest = app.test_client()
    form = guest.get(f"/invite?code={code}")
    guest.post("/invite", data={"code": code, "password": "new secret words", "password2": "new secret words",
                                "csrf_token": csrf_from(form.get_data(as_text=True))})
    assert app.test_client().post("/api/v1/auth/token",
                                  json={"username": "vol", "password": "new secret words"}).status_code == 200


def test_disable_ends_sessions_and_tokens(app, world, web_login, login):
    api = login("coach")
    cookie = web_login("coach")
    admin = web_login("adm")
    url = f"/admin/users/{world.users['coach']}"
    assert admin.post(f"{url}/active", data={"active": "0", "csrf_token": _form(admin, url)}).status_code == 200
    assert api.get("/api/v1/records").status_code == 401
    assert cookie.get("/api/v1/streets").status_code == 401
    assert app.test_client().post("/api/v1/auth/token",
                                  json={"username": "coach", "password": PASSWORD}).status_code == 401
    assert admin.post(f"{url}/active", data={"active": "1", "csrf_token": _form(admin, url)}).status_code == 200
    assert app.test_client().post("/api/v1/auth/token",
                                  json={"username": "coach", "password": PASSWORD}).status_code == 200


def test_admin_cannot_disable_self(app, world, web_login):
    admin = web_login("adm")
    url = f"/admin/users/{world.users['adm']}"
    assert admin.post(f"{url}/active", data={"active": "0", "csrf_token": _form(admin, url)}).status_code == 422


def test_assign_neighbourhoods_and_role(app, world, web_login, login, db):
    from fieldapp.accounts.models import User

    admin = web_login("adm")
    url = f"/admin/users/{world.users['vol']}"
    bad = admin.post(f"{url}?lang=en", data={"csrf_token": _form(admin, url), "role": "volunteer", "partner": "eas"})
    assert bad.status_code == 422 and "at least one neighbourhood" in bad.get_data(as_text=True)
    # an admin cannot hand out a neighbourhood that is not theirs
    sneaky = admin.post(url, data={"csrf_token": _form(admin, url), "role": "coordinator", "partner": "eas",
                                   "neighbourhood": [str(world.hood_id), str(world.other_hood_id)]})
    assert sneaky.status_code == 200
    db.expire_all()
    user = db.get(User, world.users["vol"])
    assert user.role == "coordinator" and user.neighbourhood_ids == {world.hood_id}


def test_user_list_shows_only_shared_neighbourhoods(app, world, web_login):
    html = web_login("adm").get("/admin/users").get_data(as_text=True)
    assert ">vol<" in html and ">outsider<" not in html


def test_user_list_flags_coordinators_without_second_factor(app, world, web_login, enrol_totp):
    secret, _codes = enrol_totp("adm")
    client = web_login("adm", pyotp.TOTP(secret).now())
    html = client.get("/admin/users?lang=en").get_data(as_text=True)
    # coord has no second factor (made directly in the database); adm has one; volunteers need none
    assert html.count("No sign-in code set up") == 1


# --- issue 15: the languages a user speaks ---------------------------------------------------


def test_spoken_languages_on_the_user_screen(app, world, web_login, db):
    from sqlalchemy import select

    from fieldapp.accounts.models import User
    from fieldapp.audit.models import AuditEvent
    from helpers import catalog_text

    admin = web_login("adm")
    url = f"/admin/users/{world.users['vol']}"
    page = admin.get(f"{url}?lang=en").get_data(as_text=True)
    assert 'name="language" value="ti"' in page and 'name="other_languages"' in page
    fields = {"csrf_token": _form(admin, url), "role": "volunteer", "partner": "eas", "neighbourhood": str(world.hood_id)}
    # An unknown code is said at the field, in the reader's language, with the code; nothing changes.
    bad = admin.post(f"{url}?lang=nl", data={**fields, "language": ["nl", "ti"], "other_languages": "fa, xx"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422, html
    assert f'id="languages-error">{catalog_text("nl", "Unknown language code.")} xx<' in html, re.findall("languages-error.{0,80}", html)
    db.expire_all()
    assert db.get(User, world.users["vol"]).spoken_languages == []
    saved = admin.post(url, data={**fields, "language": ["nl", "ti"], "other_languages": "FA ti"})
    assert saved.status_code == 200
    db.expire_all()
    assert db.get(User, world.users["vol"]).spoken_languages == ["fa", "nl", "ti"]
    page = admin.get(f"{url}?lang=en").get_data(as_text=True)
    assert re.search(r'name="language" value="ti" checked', page) and 'value="fa"' in page  # others typed stay typed
    changed = db.scalars(select(AuditEvent).where(AuditEvent.event == "user_changed")).all()[-1]
    assert changed.details["before"]["languages"] == [] and changed.details["after"]["languages"] == ["fa", "nl", "ti"]
    assert ">fa, nl, ti<" in admin.get("/admin/users").get_data(as_text=True)  # shown in the list
    # A form without the language fields (an older page) leaves them as they are.
    assert admin.post(url, data={**fields, "role": "taalcoach"}).status_code == 200
    db.expire_all()
    assert db.get(User, world.users["vol"]).spoken_languages == ["fa", "nl", "ti"]
    # Unticking everything clears them.
    assert admin.post(url, data={**fields, "other_languages": ""}).status_code == 200
    db.expire_all()
    assert db.get(User, world.users["vol"]).spoken_languages == []


def test_invite_with_spoken_languages(app, world, web_login, db):
    from sqlalchemy import select

    from fieldapp.accounts.models import User
    from fieldapp.audit.models import AuditEvent

    admin = web_login("adm")
    token = _form(admin, "/admin/users")
    fields = {"csrf_token": token, "username": "ayaan", "role": "volunteer", "partner": "goos",
              "neighbourhood": str(world.hood_id)}
    bad = admin.post("/admin/users?lang=en", data={**fields, "language": ["so", "klingon"]})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Unknown language code. klingon" in html
    assert re.search(r'name="language" value="so" checked', html)  # what was ticked stays ticked
    assert admin.post("/admin/users", data={**fields, "language": ["so", "nl"], "other_languages": ""}).status_code == 200
    db.expire_all()
    assert db.scalar(select(User).where(User.username == "ayaan")).spoken_languages == ["nl", "so"]
    invited = db.scalars(select(AuditEvent).where(AuditEvent.event == "user_invited")).all()[-1]
    assert invited.details["languages"] == ["so", "nl"]

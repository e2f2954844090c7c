"""The audit log: every event is written by the flow it describes; the table refuses edits."""
import re
import uuid

import pyotp
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from conftest import csrf_from
from fieldapp import audit


def _events(db):
    from fieldapp.audit.models import AuditEvent

    db.expire_all()
    return list(db.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def test_every_event_is_written(app, db, world, login, web_login, enrol_totp, monkeypatch):
    from fieldapp.cli import main

    runner = app.test_cli_runner()
    # login (token and cookie), token_issued, login_failed
    vol = login("vol")
    # translation_suggested, translation_accepted, translation_rejected (issue 18)
    from fieldapp.accounts.models import User

    db.get(User, world.users["coach"]).spoken_languages = ["ti"]
    db.commit()
    coach, reviewer = login("coach"), login("adm")
    for decision, msgid, wording in (("accept", "Not found.", "ኣይተረኽበን"), ("reject", "Send now", "ሕጂ ስደድ")):
        sid = uuid.uuid4()
        assert coach.put(f"/api/v1/translations/suggestions/{sid}",
                         json={"locale": "ti", "msgid": msgid, "forms": [wording]}).status_code == 201
        assert reviewer.post(f"/api/v1/translations/suggestions/{sid}/review",
                             json={"decision": decision}).status_code == 200
    app.test_client().post("/api/v1/auth/token", json={"username": "vol", "password": "not the one"})
    secret, _codes = enrol_totp("coord")
    coord = web_login("coord", pyotp.TOTP(secret).now())
    # address_view: a coordinator reads house numbers a volunteer recorded
    body = {"channel": "rally", "street_id": world.streets["Smitsplein"], "house_number": 2, "outcome": "talked",
            "occurred_at": "2026-01-05T10:00:00+01:00", "language": "nl"}
    rid = uuid.uuid4()
    assert vol.put(f"/api/v1/records/{rid}", json=body).status_code == 201
    assert coord.get("/api/v1/records").status_code == 200
    # user_invited, user_changed, user_disabled, password_reset, invite_accepted
    admin = web_login("adm")
    token = csrf_from(admin.get("/admin/users").get_data(as_text=True))
    page = admin.post("/admin/users", data={"csrf_token": token, "username": "fresh", "role": "volunteer",
                                            "partner": "eas", "neighbourhood": str(world.hood_id)})
    code = re.search(r"/invite\?code=([A-Za-z0-9_\-]+)", page.get_data(as_text=True)).group(1)
    guest = app.test_client()
    form = guest.get(f"/invite?code={code}")
    guest.post("/invite", data={"code": code, "password": "plum kettle river", "password2": "plum kettle river",
                                "csrf_token": csrf_from(form.get_data(as_text=True))})
    url = f"/admin/users/{world.users['coach']}"
    admin.post(url, data={"csrf_token": token, "role": "coordinator", "partner": "balans",
                          "neighbourhood": str(world.hood_id)})
    admin.post(f"{url}/reset", data={"csrf_token": token})
    admin.post(f"{url}/active", data={"csrf_token": token, "active": "0"})
    # routing_changed: an admin routes a referral code to another partner
    admin.post(f"/desk/routing/{world.hood_id}", data={"csrf_token": token, "route-debt_help": "goos"})
    # loket_hours_changed: the energieloket's place and hours on the public page
    admin.post("/buurt/smitsveen/loket", data={"csrf_token": token, "place": "Smitshof"})
    # retention_run, address_exported, address_erased
    runner.invoke(main, ["retention"])
    address = ["--neighbourhood", "Smitsveen", "--street", "Smitsplein", "--number", "2"]
    runner.invoke(main, ["export-address", *address])
    runner.invoke(main, ["erase-address", *address, "--yes"])
    # logout, token_revoked
    vol.post("/api/v1/auth/logout", json={})

    written = {entry.event for entry in _events(db)}
    # "export" is written by the dashboard's exports (issue 5), which call audit.record("export", ...).
    assert written == set(audit.EVENTS) - {"export"}, set(audit.EVENTS) - written

    entries = _events(db)
    failed = next(e for e in entries if e.event == "login_failed")
    assert failed.details == {"username": "vol", "reason": "password"} and failed.actor_id is None
    view = next(e for e in entries if e.event == "address_view")
    assert view.actor_username == "coord" and view.details["records"] == 1
    changed = next(e for e in entries if e.event == "user_changed" and e.actor_username == "adm")
    assert changed.details["before"]["role"] == "taalcoach" and changed.details["after"]["role"] == "coordinator"


def test_own_records_are_not_an_address_view(app, db, world, login):
    vol = login("vol")
    body = {"channel": "rally", "street_id": world.streets["Smitsplein"], "house_number": 2, "outcome": "talked",
            "occurred_at": "2026-01-05T10:00:00+01:00", "language": "nl"}
    vol.put(f"/api/v1/records/{uuid.uuid4()}", json=body)
    vol.get("/api/v1/records")
    assert "address_view" not in {e.event for e in _events(db)}


def test_record_function_for_other_packages(app, db, world):
    with app.test_request_context("/"):
        audit.record("export", kind="street_csv", streets=3)
    [entry] = [e for e in _events(db) if e.event == "export"]
    assert entry.details == {"kind": "street_csv", "streets": 3}
    with pytest.raises(ValueError):
        audit.record("no_such_event")


def test_audit_table_is_append_only(app, db, world):
    with app.test_request_context("/"):
        audit.record("export", kind="x")
    db.rollback()
    for statement in ("UPDATE audit_events SET event = 'login'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError):
            db.execute(text(statement))
            db.flush()
        db.rollback()
    assert len(_events(db)) == 1


def test_admin_reads_the_log(app, world, web_login, login):
    app.test_client().post("/api/v1/auth/token", json={"username": "nobody", "password": "whatever12"})
    admin = web_login("adm")
    html = admin.get("/admin/audit?event=login_failed&lang=nl").get_data(as_text=True)
    assert "Inloggen mislukt" in html and "username=nobody" in html
    assert web_login("coord").get("/admin/audit").status_code == 403

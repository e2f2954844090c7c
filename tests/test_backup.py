"""`fieldapp backup` then `fieldapp restore FILE` into a fresh database: the restored database
answers the dashboard exactly as the original did (both databases)."""
from __future__ import annotations

import json
import os
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from helpers import rally

RESTORE_DB = "fieldapp_h19_restore"


def _records(api, world):
    bodies = [
        rally(world.streets["Smitsplein"], house_number=1),
        rally(world.streets["Smitsplein"], house_number=2, channel="visit", outcome="let_in",
              referrals=[{"code": "energy_coach", "consent": True}]),
        rally(world.streets["Koningsweg"], house_number=10, house_addition="2", channel="klus", outcome="let_in",
              measures=[{"code": "led_bulb", "quantity": 3}]),
        rally(world.streets["Weegbreestraat"], house_number=5, outcome="refused"),
        rally(world.streets["Koningsweg"], house_number=None, language="ti", occurred_at="2026-11-30T10:00:00+01:00"),
    ]
    for body in bodies:
        assert api.put(f"/api/v1/records/{uuid.uuid4()}", json=body).status_code == 201


def _invoke(app, command, args):
    """Run a command against `app` (the test's own app context, pushed by `db`, would win)."""
    with app.app_context():
        return app.test_cli_runner().invoke(command, args)


@pytest.fixture
def fresh_url(database_url, tmp_path):
    """An empty database of the same kind: a new file, or a new database on the same server."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored' / 'fieldapp.sqlite'}"
        return
    url = make_url(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    name = RESTORE_DB + ("_" + os.environ["PYTEST_XDIST_WORKER"] if os.environ.get("PYTEST_XDIST_WORKER") else "")
    admin = create_engine(url, isolation_level="AUTOCOMMIT")

    def recreate(drop_only=False):
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            if not drop_only:
                conn.execute(text(f'CREATE DATABASE "{name}"'))

    recreate()
    yield url.set(database=name).render_as_string(hide_password=False).replace("+psycopg", "", 1)
    recreate(drop_only=True)
    admin.dispose()


def test_backup_then_restore_into_a_fresh_database_answers_the_dashboard_identically(
        app, login, world, fresh_url, tmp_path, monkeypatch):
    from fieldapp import create_app
    from fieldapp.cli import backup_command, restore_command

    api = login("vol")
    _records(api, world)
    original = api.get("/api/v1/dashboard/streets").get_json()
    assert original["totals"]["records"] == 5

    made = app.test_cli_runner().invoke(backup_command, ["--dir", str(tmp_path / "backups")])
    assert made.exit_code == 0, made.output
    files = sorted(p for p in (tmp_path / "backups").iterdir() if p.suffix in (".sqlite", ".dump"))
    assert len(files) == 1
    note = json.loads(files[0].with_name(files[0].name + ".json").read_text())
    assert note["records"] == 5

    monkeypatch.setenv("FIELDAPP_INSTANCE_PATH", str(tmp_path / "new-machine"))
    restored_app = create_app({"DATABASE_URL": fresh_url, "SECRET_KEY": "test-secret", "TESTING": True})
    try:
        result = _invoke(restored_app, restore_command, [str(files[0])])
        assert result.exit_code == 0, result.output
        assert "answers exactly" in result.output
        # The app on the restored database: the same volunteer, the same token's owner, the same figures.
        client = restored_app.test_client()
        token = client.post("/api/v1/auth/token", json={"username": "vol", "password": "correct horse battery"})
        assert token.status_code == 200
        restored = client.get("/api/v1/dashboard/streets", headers={
            "Authorization": f"Bearer {token.get_json()['token']}", "Accept-Language": "en"}).get_json()
        assert restored == original
        # Restoring again over it is refused unless asked for.
        again = _invoke(restored_app, restore_command, [str(files[0])])
        assert again.exit_code != 0 and "not empty" in again.output
    finally:
        restored_app.extensions["fieldapp.engine"].dispose()


def test_a_restore_that_does_not_match_its_figures_says_so(app, login, world, fresh_url, tmp_path, monkeypatch):
    from fieldapp import create_app
    from fieldapp.cli import backup_command, restore_command

    _records(login("vol"), world)
    assert app.test_cli_runner().invoke(backup_command, ["--dir", str(tmp_path / "b")]).exit_code == 0
    dump = next(p for p in (tmp_path / "b").iterdir() if p.suffix in (".sqlite", ".dump"))
    note_path = dump.with_name(dump.name + ".json")
    note = json.loads(note_path.read_text())
    note["figures"]["all_time"]["totals"]["records"] += 1  # the backup lost a record on its way
    note_path.write_text(json.dumps(note))
    monkeypatch.setenv("FIELDAPP_INSTANCE_PATH", str(tmp_path / "new-machine"))
    restored_app = create_app({"DATABASE_URL": fresh_url, "SECRET_KEY": "test-secret", "TESTING": True})
    try:
        result = _invoke(restored_app, restore_command, [str(dump)])
        assert result.exit_code != 0 and "differs" in result.output and "all_time.totals.records" in result.output
    finally:
        restored_app.extensions["fieldapp.engine"].dispose()

"""Fixtures: the app on SQLite (always) and on PostgreSQL (when FIELDAPP_TEST_DATABASE_URL is set).

The schema is built by the Alembic migrations, never by create_all, so every test also runs
on what a deploy would have. SQLite: one migrated template file, copied per test.
PostgreSQL: migrated once per run into a fresh schema, tables truncated between tests.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("FIELDAPP_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
PASSWORD = "correct horse battery"


def pytest_report_header(config):
    return f"fieldapp databases: {', '.join(BACKENDS)}"


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogs():
    """Build the .mo files from the committed .po files, as `make` does."""
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "compile", "-d", str(ROOT / "translations"), "--statistics"],
        check=True, capture_output=True,
    )


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    from fieldapp.db import make_engine
    from fieldapp.migrations.runner import upgrade

    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_migrated():
    if not PG_URL:
        pytest.skip("FIELDAPP_TEST_DATABASE_URL not set")
    from fieldapp.db import make_engine
    from fieldapp.migrations.runner import upgrade

    engine = make_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    yield engine
    engine.dispose()


def _truncate_all(engine) -> None:
    from fieldapp.db import Base
    from fieldapp.models import import_all_models

    import_all_models()
    names = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    if request.param == "sqlite":
        path = tmp_path / "fieldapp.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    _truncate_all(request.getfixturevalue("postgres_migrated"))
    return PG_URL


@pytest.fixture
def app(database_url, tmp_path, monkeypatch):
    from fieldapp import create_app

    monkeypatch.setenv("FIELDAPP_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "test-secret", "TESTING": True})
    yield app
    app.extensions["fieldapp.engine"].dispose()


@pytest.fixture
def db(app):
    """A session outside any request, for arranging and checking data."""
    with app.app_context():
        from fieldapp.db import get_session

        yield get_session()


@dataclass
class World:
    """A small neighbourhood for tests: streets with known coordinates, users of each role."""

    hood_id: int
    other_hood_id: int
    streets: dict  # name -> id
    users: dict  # username -> id


def build_world(session) -> World:
    from fieldapp.accounts.operations import ensure_standard_partners, upsert_user
    from fieldapp.streets.importer import import_addresses
    import io

    ensure_standard_partners(session)
    session.flush()
    csv_text = "\n".join([
        "neighbourhood,street,number,addition,postcode,lat,lon,tenure",
        # Smitsplein around 52.1650,5.2850; Koningsweg ~300 m east; Weegbreestraat ~700 m north
        "Smitsveen,Smitsplein,1,,3766AB,52.16500,5.28500,social_rent",
        "Smitsveen,Smitsplein,2,,3766AB,52.16510,5.28510,owner",
        "Smitsveen,Koningsweg,10,1,3766CD,52.16500,5.28940,social_rent",
        "Smitsveen,Koningsweg,10,2,3766CD,52.16500,5.28940,social_rent",
        "Smitsveen,Koningsweg,12,,3766CD,52.16510,5.28960,private_rent",
        "Smitsveen,Weegbreestraat,5,,3766EF,52.17130,5.28500,owner",
        "Elders,Dorpsstraat,1,,3764AA,52.18000,5.30000,owner",
        "",
    ])
    import_addresses(session, io.StringIO(csv_text))
    users = {}
    for username, role, partner, hoods in [
        ("vol", "volunteer", "eas", ["Smitsveen"]),
        ("coach", "taalcoach", "balans", ["Smitsveen"]),
        ("coord", "coordinator", "gemeente", ["Smitsveen"]),
        ("adm", "admin", "gemeente", ["Smitsveen"]),
        ("outsider", "volunteer", "eas", ["Elders"]),
    ]:
        users[username] = upsert_user(session, username, PASSWORD, role, partner, hoods).id
    session.commit()
    from fieldapp.streets.models import Neighbourhood, Street
    from sqlalchemy import select

    hoods = {h.name: h.id for h in session.scalars(select(Neighbourhood))}
    streets = {s.name: s.id for s in session.scalars(select(Street))}
    return World(hoods["Smitsveen"], hoods["Elders"], streets, users)


@pytest.fixture
def world(db) -> World:
    return build_world(db)


class ApiClient:
    """The Flask test client with a bearer token and an Accept-Language."""

    def __init__(self, client, token: str | None, language: str = "en"):
        self.client = client
        self.headers = {"Accept-Language": language}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def __getattr__(self, method):
        def call(url, **kwargs):
            headers = {**self.headers, **kwargs.pop("headers", {})}
            return getattr(self.client, method)(url, headers=headers, **kwargs)

        return call


@pytest.fixture
def login(app, world):
    def as_user(username: str, language: str = "en") -> ApiClient:
        client = app.test_client()
        response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
        assert response.status_code == 200, response.get_json()
        return ApiClient(client, response.get_json()["token"], language)

    return as_user


# --- issue 6 (accounts, security, privacy) -------------------------------------------------


@pytest.fixture
def enrol_totp(app, db, world):
    """Give a world user a second factor; returns (secret, recovery codes)."""
    def enrol(username: str):
        from fieldapp.accounts.models import User
        from fieldapp.accounts.operations import enrol_totp as enrol_user

        user = db.get(User, world.users[username])
        secret, codes = enrol_user(db, user)
        db.commit()
        return secret, codes

    return enrol


def csrf_from(html: str) -> str:
    import re

    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


@pytest.fixture
def web_login(app, world):
    """A test client signed in through the /login form (session cookie), TOTP code when given."""
    def sign_in(username: str, code: str | None = None):
        client = app.test_client()
        page = client.get("/login?lang=en")
        response = client.post("/login", data={
            "username": username, "password": PASSWORD, "csrf_token": csrf_from(page.get_data(as_text=True)),
        })
        if code is not None:
            assert response.status_code == 302 and response.headers["Location"].endswith("/login/code"), response
            page = client.get("/login/code")
            response = client.post("/login/code", data={"code": code, "csrf_token": csrf_from(page.get_data(as_text=True))})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return sign_in

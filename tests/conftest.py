"""Fixtures: the app on SQLite (always) and on PostgreSQL (when FIELDAPP_TEST_DATABASE_URL is set).

The schema is built by the Alembic migrations, never by create_all, so every test also runs
on what a deploy would have. SQLite: one migrated template file, copied per test.
PostgreSQL: migrated once per run into a fresh schema, tables truncated between tests.
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from jinja2 import BytecodeCache
from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
# `make test` runs the suite in two processes (pytest-xdist): each worker gets a PostgreSQL
# database of its own, named after the given one, so their truncations never meet.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
BASE_PG_URL = os.environ.get("FIELDAPP_TEST_DATABASE_URL")
PG_URL = f"{BASE_PG_URL}_{WORKER}" if BASE_PG_URL and WORKER else BASE_PG_URL
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
PASSWORD = "correct horse battery"
# The databases here are thrown away after each test: a commit need not wait for the disk
# (fieldapp.db.sqlite_synchronous; FULL, the app's default, with FIELDAPP_SQLITE_SYNCHRONOUS=FULL).
os.environ.setdefault("FIELDAPP_SQLITE_SYNCHRONOUS", "OFF")


def pytest_report_header(config):
    return f"fieldapp databases: {', '.join(BACKENDS)}"


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogs():
    """Build the .mo files from the committed .po files, as `make` does.

    Every worker builds them, while the other may already be reading them: a .mo is only
    replaced whole (written beside it, then renamed), and only when it differs, so no test
    ever reads a half-written catalog (one did, with three workers).
    """
    import io

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in sorted((ROOT / "translations").glob("*/LC_MESSAGES/messages.po")):
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parent.parent.name)
        built = io.BytesIO()
        write_mo(built, catalog)
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.read_bytes() != built.getvalue():
            partial = mo.with_name(f"messages.{os.getpid()}.mo.part")
            partial.write_bytes(built.getvalue())
            os.replace(partial, mo)


def _ensure_database(url: str) -> None:
    """Create a worker's database beside the given one when it is missing."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    target = make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
    admin = create_engine(target.set(database=make_url(BASE_PG_URL).database)
                          .set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                            {"name": target.database}).scalar():
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def _built_once(tmp_path_factory, name: str, build):
    """(path, what build returned) of an SQLite file made once per test run: the first worker to
    ask builds it under a lock, every worker copies it. build(path) fills a new file at path and
    returns something picklable. Seeding the demo took 7-10 s, which each worker paid before."""
    import fcntl
    import pickle

    root = tmp_path_factory.getbasetemp()
    root = root.parent if WORKER else root  # xdist's workers each have a directory in one root
    path, facts = root / f"{name}.sqlite", root / f"{name}.pickle"
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            building = root / f"{name}.building.sqlite"
            building.unlink(missing_ok=True)
            facts.write_bytes(pickle.dumps(build(building)))
            building.rename(path)
    return path, pickle.loads(facts.read_bytes())


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    def migrate(path):
        from fieldapp.db import make_engine
        from fieldapp.migrations.runner import upgrade

        engine = make_engine(f"sqlite:///{path}")
        upgrade(engine)
        engine.dispose()

    return _built_once(tmp_path_factory, "template", migrate)[0]


@pytest.fixture(scope="session")
def postgres_migrated():
    if not PG_URL:
        pytest.skip("FIELDAPP_TEST_DATABASE_URL not set")
    from fieldapp.db import make_engine
    from fieldapp.migrations.runner import upgrade

    if PG_URL != BASE_PG_URL:
        _ensure_database(PG_URL)
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
        _reseed(conn)


def _reseed(conn) -> None:
    """What the migrations seed, which the truncation above took: the savings defaults."""
    from fieldapp.savings import defaults
    from fieldapp.savings.models import Price, SavingFigure
    from fieldapp.timeutil import utcnow

    conn.execute(SavingFigure.__table__.insert(), defaults.figure_rows(utcnow()))
    conn.execute(Price.__table__.insert(), defaults.price_rows(utcnow()))


def _filled_template(sqlite_template, tmp_path_factory, name: str, fill):
    """(path, what fill returned) of a copy of the migrated template with `fill(session)` run on it."""
    def build(path):
        from fieldapp import create_app
        from fieldapp.db import get_session

        shutil.copy(sqlite_template, path)
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("FIELDAPP_INSTANCE_PATH", str(tmp_path_factory.mktemp(name) / "instance"))
            app = create_app({"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "test-secret", "TESTING": True})
        with app.app_context():
            filled = fill(get_session())
        app.extensions["fieldapp.engine"].dispose()
        return filled

    return _built_once(tmp_path_factory, name, build)


@pytest.fixture(scope="session")
def sqlite_world_template(sqlite_template, tmp_path_factory):
    """The migrated template with the test world in it, built once: most tests ask for `world`,
    and building it per test cost more than many of the tests themselves."""
    return _filled_template(sqlite_template, tmp_path_factory, "world", build_world)


@pytest.fixture(scope="session")
def sqlite_demo_template(sqlite_template, tmp_path_factory):
    """The migrated template with `make demo`'s Smitsveen in it, built once: seeding its 3,200
    records took longer than most of the tests that read them."""
    from fieldapp.demo.seed import seed_demo

    return _filled_template(sqlite_template, tmp_path_factory, "demo",
                            lambda session: seed_demo(session, PASSWORD) and None)[0]


# The demo with fewer records, for the tally tests that seed it and compare ways of counting.
SMALL_DEMO_RECORDS = 600


@pytest.fixture(scope="session")
def sqlite_small_demo_template(sqlite_template, tmp_path_factory):
    from fieldapp.demo.seed import seed_demo

    return _filled_template(sqlite_template, tmp_path_factory, "small-demo",
                            lambda session: seed_demo(session, PASSWORD, records=SMALL_DEMO_RECORDS) and None)[0]


def _wants_world(request) -> bool:
    return "world" in request.fixturenames


def _wants_demo(request) -> bool:
    return "demo_db" in request.fixturenames


def _wants_small_demo(request) -> bool:
    return "small_demo_db" in request.fixturenames


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    if request.param == "sqlite":
        path = tmp_path / "fieldapp.sqlite"
        if _wants_world(request) + _wants_demo(request) + _wants_small_demo(request) > 1:
            raise pytest.UsageError("a test gets the test world, the demo or the small demo, not two of them")
        if _wants_world(request):
            shutil.copy(request.getfixturevalue("sqlite_world_template")[0], path)
        elif _wants_demo(request):
            shutil.copy(request.getfixturevalue("sqlite_demo_template"), path)
        elif _wants_small_demo(request):
            shutil.copy(request.getfixturevalue("sqlite_small_demo_template"), path)
        else:
            shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    _truncate_all(request.getfixturevalue("postgres_migrated"))
    return PG_URL


class CompiledTemplates(BytecodeCache):
    """Jinja's compiled templates kept for the whole test process: every test makes a new app,
    whose first pages would otherwise compile each template again (a third of their CPU time).
    Jinja checks the kept code against the template's source: an edited template is compiled
    afresh. Every test app configures Jinja the same way (create_app), so the code fits all."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = CompiledTemplates()


@pytest.fixture
def app(database_url, tmp_path, monkeypatch):
    from fieldapp import create_app

    monkeypatch.setenv("FIELDAPP_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "test-secret", "TESTING": True})
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
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
def world(request, database_url, db) -> World:
    if database_url.startswith("sqlite"):  # copied from the world template: same rows, same ids
        return request.getfixturevalue("sqlite_world_template")[1]
    return build_world(db)


@pytest.fixture
def demo_db(database_url, db):
    """The session `db` on `make demo`'s Smitsveen (1,860 addresses, 3,200 records), every demo
    user's password PASSWORD; the dashboard's figures cache emptied."""
    from fieldapp.dashboard import cache

    if not database_url.startswith("sqlite"):  # SQLite's copy of the demo template has it already
        from fieldapp.demo.seed import seed_demo

        seed_demo(db, PASSWORD)
    cache.clear()
    return db


@pytest.fixture
def small_demo_db(database_url, db):
    """The session `db` on the demo seeded with SMALL_DEMO_RECORDS records (on SQLite a copy of a
    template seeded once per run), every demo user's password PASSWORD."""
    from fieldapp.dashboard import cache

    if not database_url.startswith("sqlite"):
        from fieldapp.demo.seed import seed_demo

        seed_demo(db, PASSWORD, records=SMALL_DEMO_RECORDS)
        db.commit()
    cache.clear()
    return db


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
        client.landed_on = response.headers["Location"]
        return client

    return sign_in


# --- issue 5: the dashboard's hand-made neighbourhood -------------------------------------
@dataclass
class DashboardWorld:
    """`world` plus records chosen so every ladder step, channel and corner case appears.

    The expected figures are worked out by hand in tests/test_dashboard_api.py; the story of
    each record is told there. Period used there: 2026-03-01 .. 2026-03-31 (Amsterdam).
    """

    world: World
    records: dict  # label -> uuid
    referrals: dict  # label -> id
    addresses: dict  # (street, number, addition) -> id


def _dashboard_records(session, w: World) -> DashboardWorld:
    import uuid as _uuid
    from datetime import date as _date, datetime as _dt, timedelta as _td, timezone as _tz

    from sqlalchemy import select, update

    from fieldapp.accounts.models import User
    from fieldapp.codes import ownership_bits
    from fieldapp.dashboard import tallies
    from fieldapp.followup.routing import route_all_unrouted
    from fieldapp.records.models import Record, Referral
    from fieldapp.streets.models import Address, Street

    weegbree = w.streets["Weegbreestraat"]
    session.add_all([
        Address(street_id=weegbree, number=7, addition="", postcode="3766EF", lat=52.1714, lon=5.2851, tenure="social_rent"),
        Address(street_id=weegbree, number=9, addition="", postcode="3766EF", lat=52.1715, lon=5.2852, tenure="private_rent"),
    ])
    session.flush()
    # Entered by hand: one more dwelling than the register knows.
    session.execute(update(Street).where(Street.id == weegbree).values(households=4))
    # Smitsplein as a line, so the map draws a path for a LineString too.
    session.execute(update(Street).where(Street.id == w.streets["Smitsplein"]).values(
        geometry={"type": "LineString", "coordinates": [[5.2848, 52.1649], [5.2853, 52.1652]]}))
    addresses = {(s.name, a.number, a.addition): a.id
                 for a, s in session.execute(select(Address, Street).join(Street, Address.street_id == Street.id))}
    users = {u.username: u for u in session.scalars(select(User))}

    def at(text):
        return _dt.fromisoformat(text).astimezone(_tz.utc)

    records, referrals, rows, referral_rows = {}, {}, [], []

    def rec(label, street, number, when, channel, outcome, language, partners=("eas",), addition="",
            taalcoach=False, ownership=(), refs=(), user="vol"):
        rid = _uuid.uuid4()
        records[label] = rid
        partners = sorted(set(partners) | {users[user].partner.code})
        rows.append({
            "id": rid, "channel": channel, "street_id": w.streets[street],
            "address_id": addresses.get((street, number, addition)) if number else None,
            "house_number": number, "house_addition": addition or None, "occurred_at": at(when),
            "language": language, "taalcoach_present": taalcoach, "outcome": outcome, "topics": [],
            "measures": [], "heard_via": "flyer" if channel == "loket" else None, "partners": partners,
            "partner_count": len(partners), "ownership": sorted(ownership),
            "ownership_bits": ownership_bits(ownership), "notes": None,
            "recorded_by_id": users[user].id, "recorded_by_partner_id": users[user].partner_id,
            "received_at": at(when) + _td(minutes=5), "fingerprint": label.ljust(64, "0"),
        })
        for position, (ref_label, code, consent, due, answered) in enumerate(refs):
            referral_rows.append((ref_label, {
                "record_id": rid, "street_id": rows[-1]["street_id"], "address_id": rows[-1]["address_id"],
                "occurred_at": rows[-1]["occurred_at"], "position": position, "code": code, "consent": consent,
                "due_date": due, "answered_at": at(answered) if answered else None,
                "answered_by_id": users["coord"].id if answered else None,
            }))

    # Smitsplein: 1 (social rent), 2 (owner)
    rec("r0", "Smitsplein", 1, "2026-02-28T23:30:00+01:00", "rally", "brief", "tr")  # before the period
    rec("r1", "Smitsplein", 1, "2026-03-01T00:30:00+01:00", "loket", "talked", "tr",
        partners=("eas", "balans"), taalcoach=True)  # returned: earlier record r0
    rec("r2", "Smitsplein", 2, "2026-03-06T10:00:00+01:00", "rally", "refused", "nl")
    rec("r3", "Smitsplein", 2, "2026-03-07T10:00:00+01:00", "visit", "not_home", "nl")
    rec("r4", "Smitsplein", None, "2026-03-08T10:00:00+01:00", "rally", "talked", "so")  # no number
    rec("r5", "Smitsplein", 99, "2026-03-09T10:00:00+01:00", "rally", "brief", "ti", taalcoach=True)  # unknown
    # Koningsweg: 10-1, 10-2 (social rent), 12 (private rent)
    rec("r6", "Koningsweg", 10, "2026-03-10T10:00:00+01:00", "klus", "let_in", "ar", addition="1",
        partners=("present", "portaal"), refs=[("f_overdue", "energy_coach", True, _date(2026, 3, 20), None)])
    rec("r7", "Koningsweg", 10, "2026-03-11T11:00:00+01:00", "visit", "refused", "nl", addition="2",
        partners=("schuldhulpmaatje",), taalcoach=True,
        refs=[("f_answered_2d", "debt_help", True, _date(2026, 3, 25), "2026-03-13T11:00:00+01:00")])
    rec("r8", "Koningsweg", 10, "2026-03-12T10:00:00+01:00", "rally", "talked", "tr", addition="2",
        refs=[("f_declined", "klusactie", False, None, None)])
    rec("r9", "Koningsweg", 12, "2026-03-31T23:30:00+02:00", "rally", "talked", "nl",
        refs=[("f_open", "money_questions", True, _date(2099, 1, 1), None),
              ("f_answered_4d", "energy_coach", True, _date(2026, 4, 14), "2026-04-05T00:30:00+02:00")])
    rec("r10", "Koningsweg", 12, "2026-04-01T00:10:00+02:00", "loket", "talked", "nl")  # after the period
    # Weegbreestraat: 5 (owner), 7 (social rent), 9 (private rent); 4 households by hand
    rec("r12", "Weegbreestraat", 5, "2026-03-16T10:00:00+01:00", "rally", "talked", "so", ownership=("ambassador",),
        partners=("vang",))
    rec("r13", "Weegbreestraat", 7, "2026-03-17T10:00:00+01:00", "visit", "talked", "so", taalcoach=True)
    rec("r14", "Weegbreestraat", 9, "2026-01-10T10:00:00+01:00", "klus", "let_in", "nl")  # before the period
    # Sign-ups at meetings (channel event: no door outcome) and ownership codes (issue 16)
    rec("r16", "Weegbreestraat", 9, "2026-03-20T19:30:00+01:00", "event", None, "ti")
    rec("r17", "Smitsplein", 2, "2026-03-25T10:00:00+01:00", "rally", "brief", "nl", ownership=("brought_neighbour",))
    rec("r18", "Smitsplein", None, "2026-03-21T19:30:00+01:00", "event", None, "so",
        ownership=("language_helper", "brought_neighbour"))
    rec("r19", "Smitsplein", 1, "2026-02-20T19:30:00+01:00", "event", None, "tr", ownership=("hosted",))  # before
    # Elders: never visible to Smitsveen users
    rec("r15", "Dorpsstraat", 1, "2026-03-10T10:00:00+01:00", "rally", "talked", "nl", user="outsider",
        refs=[("f_elders", "energy_coach", True, _date(2026, 3, 12), None)])

    session.execute(Record.__table__.insert(), rows)
    for label, row in referral_rows:
        referrals[label] = session.execute(Referral.__table__.insert().values(**row)).inserted_primary_key[0]
    # Loaded around records.store, as a migration or an import would: tally and route them like they do.
    tallies.rebuild(session)
    route_all_unrouted(session)
    session.commit()
    return DashboardWorld(w, records, referrals, addresses)


@pytest.fixture
def dashboard_world(db, world) -> DashboardWorld:
    from fieldapp.dashboard import cache

    cache.clear()
    return _dashboard_records(db, world)


def session_client(app, user_id: int):
    """A test client holding a signed-in session for the user, as /login would leave it."""
    import time

    from fieldapp.accounts.models import User
    from fieldapp.db import get_session

    with app.app_context():
        version = get_session().get(User, user_id).session_version
    client = app.test_client()
    now = int(time.time())
    with client.session_transaction() as session:
        session.update(user_id=user_id, sv=version, login_at=now, seen_at=now, sid="test")
    return client

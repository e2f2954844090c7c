"""The `fieldapp` command and the Alembic migrations."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from fieldapp.accounts.models import Partner, User
from fieldapp.cli import main
from fieldapp.db import Base, make_engine
from fieldapp.models import import_all_models
from fieldapp.records.models import Record
from fieldapp.streets.models import Address, Street


@pytest.fixture
def run(database_url, tmp_path, monkeypatch):
    from fieldapp.accounts import operations

    monkeypatch.setenv("FIELDAPP_DATABASE_URL", database_url)
    monkeypatch.setenv("FIELDAPP_INSTANCE_PATH", str(tmp_path / "instance"))
    # The command makes its own app, not a TESTING one: its passwords would be hashed with the
    # real profile (half a second each, twelve in the demo test). The journeys keep it.
    monkeypatch.setattr(operations, "_hasher", operations._test_hasher)

    def invoke(*args, env=None, input=None):
        result = CliRunner().invoke(main, list(args), env=env or {}, input=input, catch_exceptions=False)
        return result

    return invoke


def counts(url):
    engine = make_engine(url)
    with engine.connect() as conn:
        values = tuple(conn.scalar(select(func.count()).select_from(model)) for model in (Street, Address, User, Record))
    engine.dispose()
    return values


def test_migrated_schema_matches_the_models(database_url):
    """Upgrading from empty (done by the fixtures) gives exactly what the models declare."""
    import_all_models()
    engine = make_engine(database_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    engine.dispose()
    assert diff == []


def test_demo_runs_twice_without_duplicating(run, database_url):
    first = run("demo", "--no-serve", env={"FIELDAPP_DEMO_PASSWORD": "demo-pass-123"})
    assert first.exit_code == 0, first.output
    assert "no real residents" in first.output and "demo-pass-123" in first.output
    for username in ("volunteer", "taalcoach", "coordinator", "admin"):
        assert username in first.output
    after_first = counts(database_url)
    assert after_first[0] >= 20 and 1800 <= after_first[1] <= 1900 and after_first[3] >= 3000
    second = run("demo", "--no-serve")  # no password set: one is generated and printed
    assert second.exit_code == 0, second.output
    assert "generated" in second.output
    assert counts(database_url) == after_first


def test_demo_data_is_varied_enough_to_show_something(demo_db, database_url):
    """What `fieldapp demo` seeds (demo_db: the same seed_demo, seeded once per run on SQLite)."""
    engine = make_engine(database_url)
    with engine.connect() as conn:
        channels = dict(conn.execute(select(Record.channel, func.count()).group_by(Record.channel)).all())
        languages = conn.scalar(select(func.count(func.distinct(Record.language))))
        span = conn.execute(select(func.min(Record.occurred_at), func.max(Record.occurred_at))).one()
        tenures = set(conn.scalars(select(Address.tenure).distinct()))
        additions = conn.scalar(select(func.count()).select_from(Address).where(Address.addition != ""))
        ownership = {code for codes in conn.scalars(select(Record.ownership)) for code in codes}
    engine.dispose()
    assert set(channels) == {"rally", "klus", "loket", "visit", "event"}
    assert ownership == {"brought_neighbour", "became_volunteer", "hosted", "cooked", "language_helper", "ambassador"}
    assert languages >= 5
    assert (span[1] - span[0]).days > 600
    assert tenures == {"social_rent", "private_rent", "owner"}
    assert additions > 1000  # the galerijflats


def test_rebuild_tallies_recounts_what_the_demo_kept(demo_db, run, database_url):
    from fieldapp.dashboard.tallies import L, T

    demo_db.close()  # the demo's rows are in; the tallies are changed beside this session
    engine = make_engine(database_url)

    from fieldapp.savings.models import InstalledMeasure

    M = InstalledMeasure.__table__

    def rows():
        with engine.connect() as conn:
            return sorted(map(tuple, conn.execute(select(T)))), sorted(map(tuple, conn.execute(select(L))))

    def marks():
        with engine.connect() as conn:
            return sorted(map(tuple, conn.execute(select(M.c.id, M.c.home_prev_day))))

    kept, kept_marks = rows(), marks()
    assert sum(row[2] for row in kept[0]) >= 3000  # every demo record is in an address tally
    assert any(mark is not None for _id, mark in kept_marks)  # the demo's klus measures start homes' days
    with engine.begin() as conn:
        conn.execute(T.delete())
        conn.execute(L.delete())
        conn.execute(M.update().values(home_prev_day=None))
    result = run("rebuild-tallies")
    assert result.exit_code == 0, result.output
    assert f"{len(kept[0])} address rows" in result.output
    assert rows() == kept
    assert marks() == kept_marks
    engine.dispose()


def test_migration_0004_tallies_what_was_stored_before_it(demo_db, database_url):
    """Down to 0003 and up again over the demo's records: the tallies and the referrals' copied
    street and time come back exactly as they were kept at insert."""
    from alembic import command

    from fieldapp.migrations.runner import alembic_config, upgrade
    from fieldapp.records.models import Referral
    from fieldapp.dashboard.tallies import L, T, W

    demo_db.close()  # the schema changes below wait for no open transaction of the fixture's
    engine = make_engine(database_url)
    referrals = select(Referral.id, Referral.street_id, Referral.occurred_at).order_by(Referral.id)

    def state():
        with engine.connect() as conn:
            return (sorted(map(tuple, conn.execute(select(T)))), sorted(map(tuple, conn.execute(select(L)))),
                    sorted(map(tuple, conn.execute(select(W)))), [tuple(row) for row in conn.execute(referrals)])

    # Only the ambassador code survives the way down through 0008 (before it, the flag):
    # keep the demo's records to what the round trip can hold.
    from fieldapp.codes import ownership_bits
    from fieldapp.dashboard import tallies as tally

    with Session(engine) as session, session.begin():
        for record_id, ownership in session.execute(select(Record.id, Record.ownership)).all():
            kept_codes = [code for code in ownership if code == "ambassador"]
            if kept_codes != ownership:
                session.execute(update(Record).where(Record.id == record_id).values(
                    ownership=kept_codes, ownership_bits=ownership_bits(kept_codes)))
        tally.rebuild(session)
    kept = state()
    assert kept[0] and kept[2] and len(kept[3]) > 100
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0003_dashboard")
    upgrade(engine)
    assert state() == kept
    engine.dispose()


def test_migration_0015_marks_the_homes_of_the_measures_stored_before_it(demo_db, database_url):
    """Down to 0014 and up again over the demo: each home's first measure of a day carries the
    same previous day as storing gave it."""
    from alembic import command

    from fieldapp.migrations.runner import alembic_config, upgrade
    from fieldapp.savings.models import InstalledMeasure

    demo_db.close()  # the schema changes below wait for no open transaction of the fixture's
    engine = make_engine(database_url)
    M = InstalledMeasure.__table__

    def marks():
        with engine.connect() as conn:
            return sorted(map(tuple, conn.execute(select(M.c.id, M.c.home_prev_day))))

    kept = marks()
    assert any(mark is not None for _id, mark in kept)
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0014_followup_speed")
    upgrade(engine)
    assert marks() == kept
    engine.dispose()


def test_init_create_user_and_import(run, database_url, tmp_path):
    assert run("init").exit_code == 0
    assert run("init").exit_code == 0  # idempotent
    csv_path = tmp_path / "bag.csv"
    csv_path.write_text(
        "neighbourhood,street,number,addition,postcode,lat,lon,tenure\n"
        "Smitsveen,Smitsweg,1,,3766AA,52.1660,5.2870,social_rent\n"
        "Smitsveen,Smitsweg,2,,3766AA,52.1661,5.2871,tenure-unknown\n"
    )
    result = run("import-addresses", str(csv_path))
    assert result.exit_code == 3  # something was rejected: a script can tell
    assert "1 addresses created" in result.output and "line 3" in result.output
    result = run("create-user", "anna", "--role", "volunteer", "--partner", "eas", "--neighbourhood", "Smitsveen",
                 env={"FIELDAPP_PASSWORD": "a long enough password"})
    assert result.exit_code == 0, result.output
    bad = run("create-user", "bob", "--role", "volunteer", "--partner", "acme", "--neighbourhood", "Smitsveen",
              env={"FIELDAPP_PASSWORD": "a long enough password"})
    assert bad.exit_code != 0 and "unknown partner" in bad.output
    engine = make_engine(database_url)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Partner)) == 8
        assert conn.scalar(select(User.role).where(User.username == "anna")) == "volunteer"
    engine.dispose()
    assert run("db", "upgrade").exit_code == 0


def test_migration_0014_gives_the_desk_its_working_day_ordinals(demo_db, database_url):
    """Down to 0013 and up again over the demo's desk: every day's ordinal is written back from
    the stored day, the same as routing and the events wrote it, and equal to the calendar's
    count of that day."""
    from datetime import date, timedelta

    from alembic import command

    from fieldapp.followup.models import FollowUp
    from fieldapp.migrations.runner import alembic_config, upgrade
    from fieldapp.workdays import calendar

    demo_db.close()  # the schema changes below wait for no open transaction of the fixture's
    engine = make_engine(database_url)
    columns = (FollowUp.referral_id, FollowUp.record_day, FollowUp.contact_day, FollowUp.closing_day,
               FollowUp.record_ordinal, FollowUp.contact_ordinal, FollowUp.closing_ordinal)

    def state():
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(select(*columns).order_by(FollowUp.referral_id))]

    kept = state()
    assert len(kept) > 20 and any(row[2] for row in kept) and any(row[3] for row in kept)
    cal = calendar(2040)
    for _rid, *days_and_ordinals in kept:
        for day, ordinal in zip(days_and_ordinals[:3], days_and_ordinals[3:]):
            assert ordinal == (day and cal.count(date(1970, 1, 1) + timedelta(days=day)))
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0013_translation_suggestions")
    upgrade(engine)
    assert state() == kept
    engine.dispose()


def test_migration_0016_gives_each_referral_its_records_address(demo_db, database_url):
    """Down to 0015 and up again over the demo: every referral carries its record's address, as
    storing gave it."""
    from alembic import command

    from fieldapp.migrations.runner import alembic_config, upgrade
    from fieldapp.records.models import Referral

    demo_db.close()
    engine = make_engine(database_url)
    F, R = Referral.__table__, Record.__table__

    def addresses():
        with engine.connect() as conn:
            return sorted(map(tuple, conn.execute(
                select(F.c.id, F.c.address_id, R.c.address_id).join(R, R.c.id == F.c.record_id))))

    kept = addresses()
    assert sum(mine is not None for _id, mine, _record in kept) > 10
    assert all(mine == record for _id, mine, record in kept)
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0015_savings_tallies")
    upgrade(engine)
    assert addresses() == kept
    engine.dispose()

"""Routing: every consented referral gets its partner when it is stored (DOMAIN.md's defaults,
per neighbourhood, overridden by admins from then on), and those stored before the desk by
migration 0006."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import sqlalchemy as sa

from fieldapp.codes import DEFAULT_ROUTES
from followup_support import desk_row, new_referral, record_body, referral_ids

# DOMAIN.md, part two, written out again rather than read from codes.py: the test pins the table.
DOMAIN_DEFAULTS = {
    "energy_coach": "eas", "klusactie": "present", "debt_help": "schuldhulpmaatje", "money_questions": "goos",
    "energy_supplier_dispute": "goos", "portaal_repair": "portaal", "municipality_social": "gemeente",
    "other": "gemeente",
}


def test_the_default_table_is_domain_md(app):
    assert DEFAULT_ROUTES == DOMAIN_DEFAULTS


def test_put_and_batch_route_every_code_by_default(app, db, world, login):
    api = login("vol")
    street = world.streets["Smitsplein"]
    by_put = dict(zip(DOMAIN_DEFAULTS, referral_ids(api, street, *DOMAIN_DEFAULTS)))
    declined_by_put = referral_ids(api, street, *DOMAIN_DEFAULTS, consent=False)
    batch = [{**record_body(street, [{"code": code, "consent": True}, {"code": code, "consent": False}]),
              "id": str(uuid.uuid4())} for code in DOMAIN_DEFAULTS]
    response = api.post("/api/v1/records/batch", json={"records": batch})
    assert response.status_code == 200, response.get_json()
    assert all(result["status"] == "created" for result in response.get_json()["results"])

    from fieldapp.records.models import Referral

    db.rollback()
    batch_ids = {str(record["id"]): record["referrals"][0]["code"] for record in batch}
    stored = db.execute(sa.select(Referral.id, Referral.record_id, Referral.consent)
                        .where(Referral.record_id.in_([uuid.UUID(i) for i in batch_ids]))).all()
    for referral_id, record_id, consent in stored:
        row = desk_row(db, referral_id)
        if consent:
            assert row == (DOMAIN_DEFAULTS[batch_ids[str(record_id)]], "open", None)
        else:
            assert row is None
    assert len(stored) == 2 * len(DOMAIN_DEFAULTS)
    for code, referral_id in by_put.items():
        assert desk_row(db, referral_id) == (DOMAIN_DEFAULTS[code], "open", None), code
    assert all(desk_row(db, referral_id) is None for referral_id in declined_by_put)

    listed = login("coord").get("/api/v1/referrals?limit=500").get_json()["referrals"]
    assert {card["id"]: card["partner"] for card in listed if card["id"] in by_put.values()} == {
        by_put[code]: partner for code, partner in DOMAIN_DEFAULTS.items()}
    assert not {card["id"] for card in listed} & set(declined_by_put)
    assert {card["language"] for card in listed} == {"nl"} and {card["status"] for card in listed} == {"open"}


def routes(api, hood_id: int) -> dict:
    response = api.get(f"/api/v1/routing/{hood_id}")
    assert response.status_code == 200, response.get_json()
    return {route["code"]: (route["partner"], route["default"]) for route in response.get_json()["routes"]}


def test_an_override_routes_later_referrals_of_its_neighbourhood_only(app, db, world, login):
    from fieldapp.followup.models import Route

    admin, vol, outsider = login("adm"), login("vol"), login("outsider")
    smitsplein, dorpsstraat = world.streets["Smitsplein"], world.streets["Dorpsstraat"]
    assert routes(admin, world.hood_id) == {code: (partner, True) for code, partner in DOMAIN_DEFAULTS.items()}
    before = new_referral(vol, smitsplein, "energy_coach")

    response = admin.put(f"/api/v1/routing/{world.hood_id}/energy_coach", json={"partner": "balans"})
    assert response.status_code == 200, response.get_json()
    assert routes(admin, world.hood_id)["energy_coach"] == ("balans", False)
    after = new_referral(vol, smitsplein, "energy_coach")
    elsewhere = new_referral(outsider, dorpsstraat, "energy_coach")
    other_code = new_referral(vol, smitsplein, "klusactie")
    assert desk_row(db, before)[0] == "eas"  # somebody may be working on it already
    assert desk_row(db, after)[0] == "balans"
    assert desk_row(db, elsewhere)[0] == "eas"  # routing is per neighbourhood
    assert desk_row(db, other_code)[0] == "present"

    response = admin.put(f"/api/v1/routing/{world.hood_id}/energy_coach", json={"partner": "eas"})
    assert response.status_code == 200
    assert routes(admin, world.hood_id)["energy_coach"] == ("eas", True)
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(Route)) == 0  # the default is said in one place
    assert desk_row(db, new_referral(vol, smitsplein, "energy_coach"))[0] == "eas"
    assert desk_row(db, after)[0] == "balans"


def test_routing_changes_are_audited_once_per_change(app, db, world, login):
    from fieldapp.audit.models import AuditEvent

    admin = login("adm")
    url = f"/api/v1/routing/{world.hood_id}/debt_help"
    for partner in ("goos", "goos", "schuldhulpmaatje"):
        assert admin.put(url, json={"partner": partner}).status_code == 200
    db.rollback()
    changes = db.scalars(sa.select(AuditEvent).where(AuditEvent.event == "routing_changed")
                         .order_by(AuditEvent.id)).all()
    assert [change.details["partner"] for change in changes] == ["goos", "schuldhulpmaatje"]


def test_routing_refuses_what_does_not_exist(app, world, login):
    admin = login("adm", "nl")
    unknown_partner = admin.put(f"/api/v1/routing/{world.hood_id}/energy_coach", json={"partner": "nobody"})
    assert unknown_partner.status_code == 422
    assert list(unknown_partner.get_json()["errors"]) == ["partner"]
    assert admin.put(f"/api/v1/routing/{world.hood_id}/no_such_code", json={"partner": "eas"}).status_code == 404
    assert admin.put(f"/api/v1/routing/{world.other_hood_id}/energy_coach", json={"partner": "eas"}).status_code == 404
    assert admin.put(f"/api/v1/routing/{world.hood_id}/energy_coach", json={}).status_code == 422
    assert login("coord").put(f"/api/v1/routing/{world.hood_id}/energy_coach",
                              json={"partner": "goos"}).status_code == 403
    assert routes(login("coord"), world.hood_id)["energy_coach"] == ("eas", True)


def test_loaded_around_store_referrals_are_routed(dashboard_world, db):
    """conftest's hand-made neighbourhood inserts referrals with Core, as an import or a bench does,
    and routes them with route_all_unrouted: answered ones as contacted, with their answer."""
    from fieldapp.followup.models import ReferralEvent
    from fieldapp.followup.routing import route_all_unrouted

    refs = dashboard_world.referrals
    assert desk_row(db, refs["f_overdue"]) == ("eas", "open", None)
    assert desk_row(db, refs["f_answered_2d"]) == ("schuldhulpmaatje", "contacted", None)
    assert desk_row(db, refs["f_declined"]) is None
    events = db.execute(sa.select(ReferralEvent.referral_id, ReferralEvent.type)).all()
    assert sorted(events) == sorted([(refs["f_answered_2d"], "contacted"), (refs["f_answered_4d"], "contacted")])
    assert route_all_unrouted(db) == 0  # nothing left: running it again changes nothing
    db.commit()
    assert len(db.execute(sa.select(ReferralEvent.id)).all()) == 2


def test_migration_0006_puts_referrals_stored_before_it_on_the_desk(app, db, world, database_url):
    from alembic import command

    from fieldapp.db import make_engine
    from fieldapp.followup.models import ReferralEvent
    from fieldapp.migrations.runner import alembic_config, upgrade
    from fieldapp.records.models import Record

    db.close()
    engine = make_engine(database_url)
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0005_versions_only")
    # The referrals table as 0005 left it (no closed_at yet); records did not change.
    referrals = sa.table("referrals", sa.column("id"), sa.column("record_id", sa.Uuid()), sa.column("street_id"),
                         sa.column("occurred_at", Record.__table__.c.occurred_at.type), sa.column("position"),
                         sa.column("code"), sa.column("consent", sa.Boolean()), sa.column("due_date", sa.Date()),
                         sa.column("answered_at", Record.__table__.c.occurred_at.type), sa.column("answered_by_id"))
    recorded = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
    answered = datetime(2026, 1, 7, 13, 30, tzinfo=timezone.utc)
    coord = world.users["coord"]
    try:
        with engine.begin() as connection:
            record_id = uuid.uuid4()
            # The records table as 0005 had it: the ambassador flag, no ownership codes yet.
            records = sa.table("records", *(sa.column(c.name, c.type) for c in Record.__table__.c
                                             if not c.name.startswith("ownership")),
                               sa.column("ambassador", sa.Boolean()))
            connection.execute(records.insert().values(
                id=record_id, channel="rally", street_id=world.streets["Koningsweg"], house_number=12,
                occurred_at=recorded, language="ti", taalcoach_present=False, outcome="talked", topics=[],
                measures=[], partners=["eas"], partner_count=1, ambassador=False, recorded_by_id=world.users["vol"],
                recorded_by_partner_id=connection.scalar(sa.text("SELECT id FROM partners WHERE code = 'eas'")),
                received_at=recorded, fingerprint="0" * 64))
            ids = {}
            for position, (label, code, consent, at) in enumerate([
                ("open", "energy_coach", True, None), ("answered", "debt_help", True, answered),
                ("declined", "klusactie", False, None),
            ]):
                ids[label] = connection.execute(referrals.insert().values(
                    record_id=record_id, street_id=world.streets["Koningsweg"], occurred_at=recorded,
                    position=position, code=code, consent=consent, due_date=recorded.date() if consent else None,
                    answered_at=at, answered_by_id=coord if at else None).returning(referrals.c.id)).scalar_one()
    finally:
        upgrade(engine)
        engine.dispose()

    assert desk_row(db, ids["open"]) == ("eas", "open", None)
    assert desk_row(db, ids["answered"]) == ("schuldhulpmaatje", "contacted", None)
    assert desk_row(db, ids["declined"]) is None
    events = db.execute(sa.select(ReferralEvent.referral_id, ReferralEvent.type, ReferralEvent.at,
                                  ReferralEvent.sent_by_id)).all()
    assert events == [(ids["answered"], "contacted", answered, coord)]
    from fieldapp.followup.models import FollowUp

    assert db.scalar(sa.select(FollowUp.language).where(FollowUp.referral_id == ids["open"])) == "ti"
    # Migration 0007 gave the rows their Amsterdam days, as timeutil counts them.
    from fieldapp.timeutil import amsterdam_day

    days = db.execute(sa.select(FollowUp.referral_id, FollowUp.record_day, FollowUp.contact_day, FollowUp.closing_day)
                      .order_by(FollowUp.referral_id)).all()
    assert days == [(ids["open"], amsterdam_day(recorded), None, None),
                    (ids["answered"], amsterdam_day(recorded), amsterdam_day(answered), None)]


def test_stored_days_carry_the_ordinal_python_counts(app, db, world, login):
    """The desk's record_ordinal is written by SQL (workdays.ordinal_sql), from a calendar that
    starts at the earliest day of the records stored (PostgreSQL sends only those counts): each
    equals workdays.ordinal of its Amsterdam day, for a PUT alone and for a batch whose records
    lie years apart, one on a new year's night (UTC still in the old year)."""
    from fieldapp.followup.models import FollowUp
    from fieldapp.timeutil import day_number, local_date
    from fieldapp.workdays import ordinal

    api = login("vol")
    street = world.streets["Smitsplein"]
    moments = ["2024-06-03T10:00:00+02:00", "2003-01-01T00:30:00+01:00", "2019-12-31T23:30:00+00:00",
               "2025-03-31T01:30:00+02:00"]
    by_put = {new_referral(api, street, occurred_at=moments[0]): moments[0]}
    batch = [{**record_body(street, [{"code": "klusactie", "consent": True}], occurred_at=at), "id": str(uuid.uuid4())}
             for at in moments[1:]]
    response = api.post("/api/v1/records/batch", json={"records": batch})
    assert response.status_code == 200, response.get_json()
    from fieldapp.records.models import Referral

    db.rollback()
    stored = db.execute(sa.select(FollowUp.record_day, FollowUp.record_ordinal, Referral.occurred_at)
                        .join(Referral, Referral.id == FollowUp.referral_id)
                        .where(Referral.record_id.in_([uuid.UUID(r["id"]) for r in batch])
                               | Referral.id.in_(list(by_put)))).all()
    assert len(stored) == len(moments)
    for record_day, record_ordinal, occurred_at in stored:
        day = day_number(local_date(occurred_at))
        assert (record_day, record_ordinal) == (day, ordinal(day)), occurred_at

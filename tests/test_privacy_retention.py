"""Retention, erasure and export, with time travel: what goes, what stays, and the audit trail."""
import json
import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from fieldapp.privacy.operations import apply_retention, months_before

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)


def _put(api, world, street="Smitsplein", number=1, when="2023-05-01T10:00:00+02:00", **extra):
    rid = uuid.uuid4()
    body = {"channel": "rally", "street_id": world.streets[street], "house_number": number, "outcome": "talked",
            "occurred_at": when, "language": "tr", "notes": "bring a taalcoach", **extra}
    response = api.put(f"/api/v1/records/{rid}", json=body)
    assert response.status_code == 201, response.get_json()
    return rid


def _street_stats(db, street_id):
    from fieldapp.records.models import Record

    rows = db.execute(
        select(Record.channel, Record.language, Record.outcome, func.count())
        .where(Record.street_id == street_id).group_by(Record.channel, Record.language, Record.outcome)
        .order_by(Record.channel, Record.language, Record.outcome)
    ).all()
    return [tuple(row) for row in rows]


def test_months_before_clamps_the_day():
    assert months_before(datetime(2026, 3, 31, tzinfo=timezone.utc), 1) == datetime(2026, 2, 28, tzinfo=timezone.utc)
    assert months_before(NOW, 24) == datetime(2024, 11, 23, 12, 0, tzinfo=timezone.utc)


def test_retention_strips_old_records_only(app, db, world, login):
    from fieldapp.records.models import Record

    api = login("vol")
    old = _put(api, world, when="2023-05-01T10:00:00+02:00")
    old_open = _put(api, world, number=2, when="2023-06-01T10:00:00+02:00",
                    referrals=[{"code": "energy_coach", "consent": True, "consent_text_version": "2024-05/tr"}])
    old_declined = _put(api, world, number=2, when="2023-06-02T10:00:00+02:00",
                        referrals=[{"code": "debt_help", "consent": False}])
    recent = _put(api, world, when="2026-10-01T10:00:00+02:00")
    stats_before = _street_stats(db, world.streets["Smitsplein"])

    result = apply_retention(db, 24, now=NOW)
    db.commit()
    assert (result.anonymised, result.kept_for_open_referral) == (2, 1)
    db.expire_all()
    for rid in (old, old_declined):
        record = db.get(Record, rid)
        assert (record.house_number, record.house_addition, record.notes, record.address_id) == (None, None, None, None)
        assert record.street_id == world.streets["Smitsplein"] and record.language == "tr"
    kept = db.get(Record, old_open)
    assert kept.house_number == 2 and kept.notes and kept.address_id is not None
    assert kept.referrals[0].consent_text_version == "2024-05/tr"
    assert db.get(Record, recent).house_number == 1
    # street-level statistics are unchanged; nothing was deleted
    assert _street_stats(db, world.streets["Smitsplein"]) == stats_before
    # safe to run again (nightly): nothing left to do
    assert apply_retention(db, 24, now=NOW).anonymised == 0


def test_answered_referral_no_longer_protects(app, db, world, login):
    from fieldapp.records.models import Record, Referral

    rid = _put(login("vol"), world, when="2023-06-01T10:00:00+02:00",
               referrals=[{"code": "energy_coach", "consent": True}])
    assert apply_retention(db, 24, now=NOW).anonymised == 0
    db.execute(Referral.__table__.update().values(answered_at=NOW - timedelta(days=400)))
    db.commit()
    assert apply_retention(db, 24, now=NOW).anonymised == 1
    db.commit()
    db.expire_all()
    assert db.get(Record, rid).house_number is None


def test_retention_command_time_travel_and_audit(app, db, world, login, monkeypatch):
    from fieldapp.audit.models import AuditEvent
    from fieldapp.cli import main
    import fieldapp.privacy.operations as privacy

    _put(login("vol"), world, when="2025-01-10T10:00:00+01:00")
    runner = app.test_cli_runner()
    result = runner.invoke(main, ["retention"])
    assert result.exit_code == 0 and "0 anonymised" in result.output  # not yet 24 months old
    monkeypatch.setattr(privacy, "utcnow", lambda: datetime(2027, 2, 1, tzinfo=timezone.utc))
    result = runner.invoke(main, ["retention"])
    assert result.exit_code == 0 and "1 anonymised" in result.output, result.output
    result = runner.invoke(main, ["retention", "--months", "0"])
    assert result.exit_code != 0
    db.expire_all()
    runs = db.scalars(select(AuditEvent).where(AuditEvent.event == "retention_run")).all()
    assert [run.details["anonymised"] for run in runs] == [0, 1]


def test_export_then_erase_address(app, db, world, login):
    from fieldapp.audit.models import AuditEvent
    from fieldapp.cli import main
    from fieldapp.records.models import Record

    api = login("vol")
    at_address = [_put(api, world, street="Koningsweg", number=10, house_addition="1",
                       referrals=[{"code": "debt_help", "consent": True}]),
                  _put(api, world, street="Koningsweg", number=10, house_addition="1", when="2026-11-01T10:00:00+01:00")]
    neighbour = _put(api, world, street="Koningsweg", number=10, house_addition="2")
    runner = app.test_cli_runner()
    address = ["--neighbourhood", "Smitsveen", "--street", "Koningsweg", "--number", "10", "--addition", "1"]

    exported = runner.invoke(main, ["export-address", *address, "--reference", "REQ-7"])
    assert exported.exit_code == 0, exported.output
    data = json.loads(exported.output)
    assert sorted(r["id"] for r in data["records"]) == sorted(str(r) for r in at_address)
    assert data["records"][0]["notes"] == "bring a taalcoach"
    assert "recorded_by" not in data["records"][0]  # the volunteer's name is not the resident's data

    erased = runner.invoke(main, ["erase-address", *address, "--yes", "--reference", "REQ-7"])
    assert erased.exit_code == 0 and "2 record(s) anonymised, 1 open referral(s) withdrawn" in erased.output
    db.expire_all()
    for rid in at_address:
        record = db.get(Record, rid)
        assert record.house_number is None and record.address_id is None and record.notes is None
        assert all(not ref.consent for ref in record.referrals)
    assert db.get(Record, neighbour).house_number == 10
    assert json.loads(runner.invoke(main, ["export-address", *address]).output)["records"] == []

    events = {}
    for entry in db.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())):
        events[entry.event] = entry.details  # the first of each kind wins
    assert events["address_erased"]["records"] == 2 and events["address_erased"]["reference"] == "REQ-7"
    assert events["address_exported"]["reference"] == "REQ-7"
    assert "10" not in json.dumps(events["address_erased"])  # no house number in the log

    unknown = runner.invoke(main, ["erase-address", "--neighbourhood", "Smitsveen", "--street", "Nowhere",
                                   "--number", "1", "--yes"])
    assert unknown.exit_code != 0 and "no street" in unknown.output


def test_erase_also_finds_unregistered_numbers(app, db, world, login):
    from fieldapp.cli import main
    from fieldapp.records.models import Record

    rid = _put(login("vol"), world, street="Smitsplein", number=99)
    assert db.get(Record, rid).address_id is None
    result = app.test_cli_runner().invoke(main, ["erase-address", "--neighbourhood", "Smitsveen", "--street",
                                                 "Smitsplein", "--number", "99", "--yes"])
    assert "1 record(s) anonymised" in result.output
    db.expire_all()
    assert db.get(Record, rid).house_number is None

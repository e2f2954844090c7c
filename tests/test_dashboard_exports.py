"""Exports: suppression (property-based), CSV/XLSX/GeoJSON downloads, record export for admins."""
from __future__ import annotations

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from fieldapp.dashboard.exports import COLUMNS, COUNTS, street_table
from fieldapp.dashboard.suppression import COMPLEMENTARY, PRIMARY, Table, solvable, suppress

PERIOD = "?from=2026-03-01&to=2026-03-31"
CHANNELS = ("rally", "klus", "loket", "visit")


@st.composite
def street_rows(draw):
    """Figures as the dashboard makes them: ladders add up to households, channels to records."""
    n = draw(st.integers(min_value=1, max_value=6))
    small = st.one_of(st.integers(0, 12), st.integers(0, 60))
    streets = []
    for i in range(n):
        ladder = {str(s): draw(small) for s in range(1, 6)}
        reached = sum(ladder.values())
        ladder["0"] = draw(small)
        channels = {c: {"records": draw(small), "addresses": 0} for c in CHANNELS}
        records = sum(c["records"] for c in channels.values())
        row = {
            "street_id": i + 1, "name": f"S{i}", "households": reached + ladder["0"], "reached": reached,
            "coverage": reached / (reached + ladder["0"]) if reached + ladder["0"] else None,
            "anonymous_contacts": draw(small), "records": records, "refusals": draw(small),
            "trust_index": 50.0 if reached else None, "ladder": ladder, "channels": channels,
            "taalcoach_records": draw(small), "koppelkansen": draw(small), "referrals_open": draw(small),
            "referrals_overdue": draw(small), "median_response_days": draw(st.none() | st.floats(0, 30)),
        }
        streets.append(row)
    totals = {"ladder": {}, "channels": {c: {"records": 0, "addresses": 0} for c in CHANNELS}}
    for key in ("households", "reached", "anonymous_contacts", "records", "refusals", "taalcoach_records",
                "koppelkansen", "referrals_open", "referrals_overdue"):
        totals[key] = sum(r[key] for r in streets)
    for s in range(6):
        totals["ladder"][str(s)] = sum(r["ladder"][str(s)] for r in streets)
    for c in CHANNELS:
        totals["channels"][c]["records"] = sum(r["channels"][c]["records"] for r in streets)
    totals["coverage"] = totals["reached"] / totals["households"] if totals["households"] else None
    totals["trust_index"] = 50.0 if totals["reached"] else None
    totals["median_response_days"] = 3.0
    return {"streets": streets, "totals": totals}


@settings(max_examples=150, deadline=None)
@given(street_rows())
def test_no_small_count_is_ever_shown_or_derivable(figures):
    table = street_table(figures)
    published, primary, complementary = suppress(table)
    hidden = primary | complementary
    for i, (row, out) in enumerate(zip(table.rows, published)):
        for key in COUNTS:
            if 0 < row[key] < 10:
                assert out[key] == PRIMARY
            elif (i, key) in complementary:
                assert out[key] == COMPLEMENTARY
            else:
                assert out[key] == row[key]  # nothing else is changed
        for derived, inputs in table.derived.items():
            if any((i, k) in hidden for k in inputs):
                assert out[derived] == COMPLEMENTARY
    # No relation has a single hidden cell (total minus visible cells), and no combination of
    # relations solves for any hidden cell.
    for total, parts in table.groups:
        assert sum(cell in hidden for cell in [total, *parts]) != 1
    assert solvable(hidden, table.groups) == set()
    # The relations are real: each group adds up in the true table.
    for (ti, tk), parts in table.groups:
        assert table.rows[ti][tk] == sum(table.rows[i][k] for i, k in parts)


def test_solvable_finds_a_disclosure_across_relations():
    # a+b = 10 and a+c = 12 and b+c = 6 (3 hidden, no group with one hidden) still gives a = 8.
    rows = [{"t1": 10, "t2": 12, "t3": 6, "a": 8, "b": 2, "c": 4}]
    groups = [((0, "t1"), [(0, "a"), (0, "b")]), ((0, "t2"), [(0, "a"), (0, "c")]), ((0, "t3"), [(0, "b"), (0, "c")])]
    assert solvable({(0, "a"), (0, "b"), (0, "c")}, groups) == {(0, "a"), (0, "b"), (0, "c")}
    published, primary, complementary = suppress(Table(rows, ("t1", "t2", "t3", "a", "b", "c"), groups))
    assert solvable(primary | complementary, groups) == set()


def test_streets_csv(dashboard_world, login):
    response = login("coord").get("/api/v1/exports/streets.csv" + PERIOD)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    header, rows = lines[0], lines[1:]
    assert header[0] == "Street" and len(header) == len(COLUMNS)
    assert [r[0] for r in rows] == ["Koningsweg", "Smitsplein", "Weegbreestraat", "Total"]
    # Every figure of this little neighbourhood is below 10: nothing small is shown as a number.
    for row in rows:
        for key, value in zip(COLUMNS, row):
            if key in COUNTS and value not in ("<10", "x"):
                assert int(value) == 0 or int(value) >= 10, (row[0], key, value)
    total = dict(zip(COLUMNS, rows[-1]))
    assert total["records"] == "11"  # 4 + 5 + 2: three hidden cells, none can be solved for
    assert dict(zip(COLUMNS, rows[1]))["households"] == "<10"
    assert dict(zip(COLUMNS, rows[1]))["coverage"] == "x"  # derived from hidden counts


def test_streets_xlsx_and_geojson(dashboard_world, login):
    from openpyxl import load_workbook

    api = login("coord", "nl")
    response = api.get("/api/v1/exports/streets.xlsx" + PERIOD)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = list(sheet.values)
    assert values[0][0] == "Straat"
    assert [v[0] for v in values[1:4]] == ["Koningsweg", "Smitsplein", "Weegbreestraat"]
    for row in values[1:]:
        for key, value in zip(COLUMNS, row):
            if key in COUNTS:
                assert value in ("<10", "x", 0) or value >= 10, (row[0], key, value)
    geo = api.get("/api/v1/exports/streets.geojson" + PERIOD)
    assert geo.status_code == 200 and geo.get_json()["type"] == "FeatureCollection"


def test_exports_are_for_coordinators(dashboard_world, login):
    for path in ("streets.csv", "streets.xlsx", "streets.geojson"):
        assert login("vol").get(f"/api/v1/exports/{path}").status_code == 403
        assert login("adm").get(f"/api/v1/exports/{path}").status_code == 200


def test_records_csv_admins_only(dashboard_world, login):
    assert login("coord").get("/api/v1/exports/records.csv").status_code == 403
    response = login("adm").get("/api/v1/exports/records.csv" + PERIOD)
    assert response.status_code == 200
    lines = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    ids = {line["id"] for line in lines}
    records = dashboard_world.records
    in_period = {f"r{i}" for i in (1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13)}
    assert ids == {str(records[label]) for label in in_period}
    assert "notes" not in lines[0]
    r5 = next(line for line in lines if line["id"] == str(records["r5"]))
    assert r5["house_number"] == "99" and r5["street"] == "Smitsplein"


def test_every_export_is_in_the_audit_log(dashboard_world, login, db):
    from sqlalchemy import select

    from fieldapp.audit.models import AuditEvent

    for path in ("streets.csv", "streets.xlsx", "streets.geojson", "records.csv"):
        assert login("adm").get(f"/api/v1/exports/{path}{PERIOD}").status_code == 200
    assert login("vol").get("/api/v1/exports/streets.csv").status_code == 403  # refused: nothing exported
    db.rollback()
    exports = db.scalars(select(AuditEvent).where(AuditEvent.event == "export")).all()
    assert sorted(e.details["kind"] for e in exports) == ["records.csv", "streets.csv", "streets.geojson", "streets.xlsx"]
    assert {e.actor_username for e in exports} == {"adm"}
    assert all(e.details["date_from"] == "2026-03-01" for e in exports)


def test_exports_stay_machine_readable_in_every_locale(app, db):
    """Screens write 1.078 and 69,7 (nl) or %58 (tr); the downloads keep plain numbers."""
    import json
    import re

    from openpyxl import load_workbook
    from sqlalchemy import select

    from conftest import session_client
    from fieldapp.accounts.models import User
    from fieldapp.dashboard import cache
    from fieldapp.demo.seed import seed_demo

    cache.clear()
    seed_demo(db, "correct horse battery")
    coordinator = db.scalar(select(User.id).where(User.username == "coordinator"))
    plain = re.compile(r"-?\d+(\.\d+)?")
    for lang in ("nl", "tr", "ti", "so"):
        client = session_client(app, coordinator)
        headers = {"Accept-Language": lang}
        text = client.get(f"/api/v1/exports/streets.csv?lang={lang}", headers=headers).get_data(as_text=True)
        rows = list(csv.reader(io.StringIO(text)))[1:]
        total = dict(zip(COLUMNS, rows[-1]))
        assert int(total["households"]) >= 1000 and total["households"] == str(int(total["households"]))
        for row in rows:
            for key, value in zip(COLUMNS[1:], row[1:]):
                assert value in ("", "<10", "x") or plain.fullmatch(value), (lang, row[0], key, value)
        assert "." in total["trust_index"] and "%" not in "".join(",".join(row) for row in rows)

        sheet = load_workbook(io.BytesIO(client.get(f"/api/v1/exports/streets.xlsx?lang={lang}", headers=headers).data)).active
        last = dict(zip(COLUMNS, list(sheet.values)[-1]))
        assert isinstance(last["households"], int) and isinstance(last["trust_index"], float)

        geo = json.loads(client.get(f"/api/v1/exports/streets.geojson?lang={lang}", headers=headers).data)
        for feature in geo["features"]:
            props = feature["properties"]
            assert isinstance(props["households"], int) and isinstance(props["coverage"], float)

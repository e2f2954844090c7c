"""Exports: CSV/XLSX/GeoJSON downloads, record export for admins (suppression: test_dashboard_suppression)."""
from __future__ import annotations

import csv
import io

from fieldapp.dashboard.exports import COLUMNS, COUNTS

PERIOD = "?from=2026-03-01&to=2026-03-31"


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
    assert total["records"] == "14"  # 4 + 7 + 3: three hidden cells, none can be solved for
    # Ownership per code, addresses plus anonymous records: brought_neighbour 1 + 1 on Smitsplein,
    # so small everywhere; a code nobody carried is a plain 0.
    assert [dict(zip(COLUMNS, row))["own_brought_neighbour"] for row in rows] == ["0", "<10", "0", "<10"]
    assert total["own_cooked"] == "0"
    assert header[COLUMNS.index("own_ambassador")] == "Ownership: Ambassador"
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
    in_period = {f"r{i}" for i in (1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 16, 17, 18)}
    assert ids == {str(records[label]) for label in in_period}
    assert "notes" not in lines[0]
    by_id = {line["id"]: line for line in lines}
    assert by_id[str(records["r12"])]["ownership"] == '["ambassador"]'
    assert by_id[str(records["r18"])]["ownership"] == '["brought_neighbour","language_helper"]'
    assert by_id[str(records["r18"])]["channel"] == "event" and by_id[str(records["r18"])]["outcome"] == ""
    assert by_id[str(records["r1"])]["ownership"] == "[]"
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


def test_exports_stay_machine_readable_in_every_locale(app, demo_db):
    """Screens write 1.078 and 69,7 (nl) or %58 (tr); the downloads keep plain numbers."""
    import json
    import re

    from openpyxl import load_workbook
    from sqlalchemy import select

    from conftest import session_client
    from fieldapp.accounts.models import User

    coordinator = demo_db.scalar(select(User.id).where(User.username == "coordinator"))
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

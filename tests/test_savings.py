"""What it saved: installed / not possible / handed out on records, versioned figures and prices,
and the savings of a period worked out by hand, on both databases."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from fieldapp.savings.models import InstalledMeasure
from fieldapp.savings.queries import neighbourhood_savings

from helpers import catalog_text, sent_statements

PERIOD = {"from": "2026-03-01", "to": "2026-03-31"}


def klus(street_id: int, when: str, measures: list, **extra) -> dict:
    return {"channel": "klus", "street_id": street_id, "occurred_at": when, "language": "nl",
            "outcome": "let_in", "measures": measures, **extra}


def put(api, body: dict) -> dict:
    response = api.put(f"/api/v1/records/{uuid.uuid4()}", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


@pytest.fixture
def saved(login, world):
    """The hand-made fixture: a period (March 2026) spanning a new LED-bulb figure (from 15 March)
    and a new gas price (from 20 March); a measure not possible, a handed-out bulb, a home without
    a number, one after the period and one in another neighbourhood."""
    coord, vol = login("coord"), login("vol")
    assert coord.post("/api/v1/savings/figures", json={
        "measure": "led_bulb", "valid_from": "2026-03-15", "kwh_low": 12, "kwh_default": 20, "kwh_high": 40,
        "source": "a newer count"}).status_code == 201
    assert coord.post("/api/v1/savings/prices", json={
        "carrier": "gas", "valid_from": "2026-03-20", "euro_per_unit": 1.5, "source": "a newer price"}).status_code == 201
    plein, koningsweg = world.streets["Smitsplein"], world.streets["Koningsweg"]
    put(vol, klus(plein, "2026-03-10T10:00:00+01:00", [
        {"code": "led_bulb", "quantity": 4}, {"code": "radiator_foil", "not_possible": "declined"},
        {"code": "shower_head"}], house_number=1))
    put(vol, klus(plein, "2026-03-18T10:00:00+01:00", [{"code": "radiator_foil", "quantity": 3}]))
    put(vol, klus(koningsweg, "2026-03-25T10:00:00+01:00", [
        {"code": "led_bulb", "quantity": 2}, {"code": "draught_strip", "quantity": 5}], house_number=12))
    put(vol, {"channel": "rally", "street_id": koningsweg, "house_number": 12, "occurred_at": "2026-03-12T10:00:00+01:00",
              "language": "nl", "outcome": "talked", "handed_out": [{"code": "led_bulb", "quantity": 10}]})
    put(vol, klus(plein, "2026-04-05T10:00:00+02:00", [{"code": "door_closer"}], house_number=2))
    put(login("outsider"), klus(world.streets["Dorpsstraat"], "2026-03-10T10:00:00+01:00",
                                [{"code": "led_bulb", "quantity": 50}], house_number=1))
    return coord


def approx(values: dict) -> dict:
    return {level: pytest.approx(value) for level, value in values.items()}


def test_savings_of_a_period_worked_out_by_hand(saved, world):
    """Smitsplein 1 on 10 March (old figures, old prices): 4 bulbs x 10/19/50 kWh, 1 shower head
    x 20/44/60 m3 gas and 3.4/7.5/10 m3 water; the declined foil counts nothing.
    Smitsplein, no number, 18 March (gas still EUR 1.20): 3 foils x 3/8/15 m3 gas.
    Koningsweg 12 on 25 March (bulb 12/20/40 kWh, gas EUR 1.50): 2 bulbs, 5 strips x 3/7/10 m3.
    The rally's 10 handed-out bulbs count nothing."""
    body = saved.get("/api/v1/dashboard/savings", query_string=PERIOD).get_json()
    streets = {s["name"]: s for s in body["streets"]}
    assert set(streets) == {"Smitsplein", "Koningsweg"}
    plein, koningsweg = streets["Smitsplein"], streets["Koningsweg"]
    assert plein["kwh"] == approx({"low": 40, "default": 76, "high": 200})
    assert plein["gas_m3"] == approx({"low": 20 + 9, "default": 44 + 24, "high": 60 + 45})
    assert plein["water_m3"] == approx({"low": 3.4, "default": 7.5, "high": 10})
    # bulbs at EUR 0.25/kWh + gas at 1.20 + water at 1.24
    assert plein["euros"] == approx({"low": 10 + 29 * 1.2 + 3.4 * 1.24, "default": 19 + 68 * 1.2 + 7.5 * 1.24,
                                     "high": 50 + 105 * 1.2 + 10 * 1.24})
    assert plein["homes"] == 2  # number 1, and the home without a number
    assert koningsweg["kwh"] == approx({"low": 24, "default": 40, "high": 80})
    assert koningsweg["gas_m3"] == approx({"low": 15, "default": 35, "high": 50})
    assert koningsweg["euros"] == approx({"low": 6 + 22.5, "default": 10 + 52.5, "high": 20 + 75})
    assert koningsweg["homes"] == 1
    total = body["total"]
    assert total["kwh"] == approx({"low": 64, "default": 116, "high": 280})
    assert total["euros"] == approx({"low": 49.016 + 28.5, "default": 109.9 + 62.5, "high": 188.4 + 95})
    assert total["homes"] == 3
    assert total["per_home"]["gas_m3"] == approx({"low": 44 / 3, "default": 103 / 3, "high": 155 / 3})
    assert [c["programme"] for c in body["calibration"]] == ["Goirle", "FIXbrigade 2023"]


def test_neighbourhood_savings_for_the_public_page(saved, world, db):
    from datetime import date

    db.rollback()
    all_time = neighbourhood_savings(db, [world.hood_id], None, None)
    assert all_time["homes"] == 4  # the door closer of April is a home with measures, valued at 0
    assert all_time["kwh"] == approx({"low": 64, "default": 116, "high": 280})
    march = neighbourhood_savings(db, [world.hood_id], date(2026, 3, 1), date(2026, 3, 31))
    assert march["homes"] == 3 and march["gas_m3"]["default"] == pytest.approx(103)
    assert neighbourhood_savings(db, [world.other_hood_id], None, None)["kwh"]["default"] == pytest.approx(50 * 19)


def test_only_installed_measures_become_rows(saved, db):
    db.rollback()
    rows = db.execute(select(InstalledMeasure.code, InstalledMeasure.quantity)).all()
    assert sorted(rows) == sorted([("led_bulb", 4), ("shower_head", 1), ("radiator_foil", 3), ("led_bulb", 2),
                                   ("draught_strip", 5), ("door_closer", 1), ("led_bulb", 50)])


def test_a_version_is_added_never_edited(saved):
    figure = {"measure": "led_bulb", "valid_from": "2026-03-15", "kwh_low": 12, "kwh_default": 20, "kwh_high": 40,
              "source": "a newer count"}
    assert saved.post("/api/v1/savings/figures", json=figure).status_code == 200  # a retry
    assert saved.post("/api/v1/savings/figures", json={**figure, "kwh_high": 41}).status_code == 409
    figures = saved.get("/api/v1/savings/figures").get_json()["figures"]
    bulbs = [f for f in figures if f["measure"] == "led_bulb"]
    assert [(f["valid_from"], f["kwh_high"]) for f in bulbs] == [("2000-01-01", 50), ("2026-03-15", 40)]
    assert all(f["source"] for f in figures) and len(figures) == 10
    assert [f["valid_from"] for f in saved.get("/api/v1/savings/figures?measure=led_bulb").get_json()["figures"]] == [
        "2000-01-01", "2026-03-15"]
    assert saved.get("/api/v1/savings/prices?carrier=coal").status_code == 422
    prices = saved.get("/api/v1/savings/prices").get_json()["prices"]
    assert [(p["carrier"], p["valid_from"], p["euro_per_unit"]) for p in prices] == [
        ("electricity", "2000-01-01", 0.25), ("gas", "2000-01-01", 1.2), ("gas", "2026-03-20", 1.5),
        ("water", "2000-01-01", 1.24)]


def test_bad_figures_and_prices_are_422_per_field_in_the_users_language(login):
    coord = login("coord", language="nl")
    response = coord.post("/api/v1/savings/figures", json={
        "measure": "led_bulb", "valid_from": "2026-01-01", "kwh_low": 30, "kwh_default": 20, "kwh_high": 40,
        "source": "x"})
    assert response.status_code == 422
    assert response.get_json()["errors"]["kwh_default"] == [catalog_text("nl", "Low, default and high must go up.")]
    response = coord.post("/api/v1/savings/prices", json={
        "carrier": "coal", "valid_from": "1999-12-31", "euro_per_unit": -1, "source": ""})
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"carrier", "valid_from", "euro_per_unit", "source"}


@pytest.mark.parametrize("body, field", [
    (lambda s: klus(s, "2026-03-10T10:00:00+01:00", [{"code": "led_bulb", "quantity": 2, "not_possible": "declined"}]),
     "measures"),
    (lambda s: klus(s, "2026-03-10T10:00:00+01:00", [{"code": "led_bulb", "not_possible": "broken"}]), "measures"),
    (lambda s: klus(s, "2026-03-10T10:00:00+01:00", [], handed_out=[{"code": "flyer"}]), "handed_out"),
    (lambda s: {"channel": "loket", "street_id": s, "occurred_at": "2026-03-10T10:00:00+01:00", "language": "nl",
                "heard_via": "flyer", "handed_out": [{"code": "door_closer"}]}, "handed_out"),
    (lambda s: {"channel": "loket", "street_id": s, "occurred_at": "2026-03-10T10:00:00+01:00", "language": "nl",
                "heard_via": "flyer", "handed_out": [{"code": "flyer"}, {"code": "flyer", "quantity": 2}]}, "handed_out"),
])
def test_bad_measures_and_handed_out_items_are_422(login, world, body, field):
    response = login("vol").put(f"/api/v1/records/{uuid.uuid4()}", json=body(world.streets["Smitsplein"]))
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_a_loket_walk_in_keeps_what_was_handed_out(login, world):
    stored = put(login("vol"), {"channel": "loket", "street_id": world.streets["Smitsplein"], "language": "nl",
                                "occurred_at": "2026-03-10T10:00:00+01:00", "heard_via": "flyer",
                                "handed_out": [{"code": "voucher"}, {"code": "flyer", "quantity": 3}]})
    assert stored["handed_out"] == [{"code": "flyer", "quantity": 3}, {"code": "voucher", "quantity": 1}]
    assert stored["measures"] == []


def test_an_old_klus_payload_keeps_working_and_its_fingerprint(login, world, db):
    """A phone's outbox from before this change: measures with a quantity (or none: 1), no
    handed_out. Its retry is a 200, its fingerprint the one it had then (written out as the oracle),
    and every measure in it counts as installed."""
    import hashlib
    import json
    from datetime import timezone

    from fieldapp.records.models import Record
    from fieldapp.records.operations import fingerprint
    from fieldapp.records.schemas import RecordIn

    body = klus(world.streets["Smitsplein"], "2026-03-10T10:00:00+01:00",
                [{"code": "radiator_foil"}, {"code": "led_bulb", "quantity": 4}], house_number=1)
    loaded = RecordIn().load(body)
    then = {k: v for k, v in loaded.items() if k not in ("ownership",)}
    then.update(ambassador=False, measures=[{"code": "led_bulb", "quantity": 4}, {"code": "radiator_foil", "quantity": 1}],
                occurred_at=loaded["occurred_at"].astimezone(timezone.utc).isoformat(), sender=3)
    oracle = hashlib.sha256(json.dumps(then, sort_keys=True, default=str, separators=(",", ":")).encode()).hexdigest()
    assert "handed_out" not in loaded and fingerprint(loaded, 3) == oracle
    api, record_id = login("vol"), uuid.uuid4()
    assert api.put(f"/api/v1/records/{record_id}", json=body).status_code == 201
    assert api.put(f"/api/v1/records/{record_id}", json=body).status_code == 200
    assert api.put(f"/api/v1/records/{record_id}", json={**body, "handed_out": []}).status_code == 200
    db.rollback()
    assert db.get(Record, record_id).handed_out == []
    assert sorted(db.execute(select(InstalledMeasure.code, InstalledMeasure.quantity)
                             .where(InstalledMeasure.record_id == record_id)).all()) == [("led_bulb", 4), ("radiator_foil", 1)]


# --- on the screens and in the exports -----------------------------------------------------------
def test_the_dashboard_shows_the_savings_as_a_range_with_the_calibration(saved, web_login):
    page = web_login("coord").get("/dashboard/?from=2026-03-01&to=2026-03-31&lang=en").get_data(as_text=True)
    assert "What it saved (estimate)" in page and "Goirle" in page and "FIXbrigade 2023" in page
    # Euros in total: 77.516 to 283.4, shown whole: never the default alone.
    assert "78–283" in page
    assert "Measures installed in 3 homes in this period" in page


def test_the_map_colours_by_euros_per_home(saved):
    body = saved.get("/api/v1/map/streets.geojson?metric=savings_per_home&from=2026-03-01&to=2026-03-31").get_json()
    by_name = {f["properties"]["name"]: f["properties"] for f in body["features"]}
    assert by_name["Koningsweg"]["value"] == pytest.approx(62.5)
    assert by_name["Koningsweg"]["savings_per_home"] == approx({"low": 28.5, "default": 62.5, "high": 95})
    assert by_name["Smitsplein"]["homes_with_measures"] == 2
    assert by_name["Weegbreestraat"]["value"] is None and by_name["Weegbreestraat"]["savings_per_home"] is None
    assert saved.get("/api/v1/map/streets.geojson?metric=euros").status_code == 422


def test_savings_csv_and_xlsx_keep_small_streets_together(saved):
    import csv
    import io

    from openpyxl import load_workbook

    response = saved.get("/api/v1/exports/savings.csv?from=2026-03-01&to=2026-03-31")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    names = [row[0] for row in rows[1:]]
    # Both streets have fewer than 10 homes with measures: no street by name, one row for them.
    assert "Smitsplein" not in names and "Koningsweg" not in names
    small, total = rows[1], rows[2]
    assert small[1] == "<10" and total[1] == "<10"
    assert float(total[2 + 9]) == pytest.approx(77.5, abs=0.05)  # euros, low
    assert names[-2:] == ["Published average per home: Goirle", "Published average per home: FIXbrigade 2023"]
    workbook = load_workbook(io.BytesIO(saved.get("/api/v1/exports/streets.xlsx").data))
    assert "Savings" in workbook.sheetnames


def test_the_coordinators_screen_adds_a_version_and_says_what_is_wrong(login, web_login):
    from conftest import csrf_from

    client = web_login("coord")
    page = client.get("/savings/?lang=en").get_data(as_text=True)
    assert "Milieu Centraal" in page and "Savings figures and prices" in page
    response = client.post("/savings/prices?lang=en", data={
        "carrier": "gas", "valid_from": "2026-06-01", "euro_per_unit": "1,35", "source": "Tariff 2026",
        "csrf_token": csrf_from(page)})
    assert response.status_code == 302
    response = client.post("/savings/figures?lang=nl", data={
        "measure": "led_bulb", "valid_from": "2026-06-01", "kwh_low": "30", "kwh_default": "20", "kwh_high": "40",
        "source": "x", "csrf_token": csrf_from(page)})
    assert response.status_code == 422
    assert catalog_text("nl", "Low, default and high must go up.") in response.get_data(as_text=True)
    prices = login("coord").get("/api/v1/savings/prices").get_json()["prices"]
    assert ("gas", "2026-06-01", 1.35) in [(p["carrier"], p["valid_from"], p["euro_per_unit"]) for p in prices]
    volunteer = web_login("vol")
    assert volunteer.get("/savings/").status_code == 403


def test_a_number_the_register_learns_makes_its_records_one_home(login, world, db):
    """Records at a number the register does not know are a home each; once the register knows
    it (link_records, hooks.RECORDS_CHANGED) they are the one home they were."""
    from datetime import date

    from fieldapp.records.operations import link_records
    from fieldapp.streets.models import Address

    vol, plein = login("vol"), world.streets["Smitsplein"]
    for when in ("2026-03-10T10:00:00+01:00", "2026-03-12T10:00:00+01:00"):
        put(vol, klus(plein, when, [{"code": "led_bulb", "quantity": 1}], house_number=99))
    db.rollback()
    march = (date(2026, 3, 1), date(2026, 3, 31))
    assert neighbourhood_savings(db, [world.hood_id], *march)["homes"] == 2
    db.add(Address(street_id=plein, number=99, addition="", postcode="3766AB", lat=None, lon=None, tenure="owner"))
    db.flush()
    assert link_records(db, {plein}) == 2
    db.commit()
    assert neighbourhood_savings(db, [world.hood_id], *march)["homes"] == 1


# --- kept answers and the homes kept with the measures (issue 17, session 4) ----------------------
def test_the_savings_answer_is_kept_until_a_record_or_a_version_changes_it(saved, app, login, world):
    first = saved.get("/api/v1/dashboard/savings", query_string=PERIOD).get_json()
    with sent_statements(app) as sent:
        assert saved.get("/api/v1/dashboard/savings", query_string=PERIOD).get_json() == first
    # Served from the dashboard's kept answers: no savings query.
    assert [statement for statement in sent if "installed_measures" in statement] == []
    # A new record on Smitsplein (before the bulb's new figure of 15 March): one more home, 19 kWh more.
    put(login("vol"), klus(world.streets["Smitsplein"], "2026-03-11T10:00:00+01:00",
                           [{"code": "led_bulb", "quantity": 1}], house_number=2))
    second = saved.get("/api/v1/dashboard/savings", query_string=PERIOD).get_json()
    plein = {s["name"]: s for s in second["streets"]}["Smitsplein"]
    assert plein["homes"] == 3 and plein["kwh"] == approx({"low": 50, "default": 95, "high": 250})
    # A new figure version for the shower head from 1 March: Smitsplein 1's head of 10 March is
    # valued with it.
    assert saved.post("/api/v1/savings/figures", json={
        "measure": "shower_head", "valid_from": "2026-03-01", "gas_m3_low": 10, "gas_m3_default": 30,
        "gas_m3_high": 50, "water_m3_low": 2, "water_m3_default": 5, "water_m3_high": 8,
        "source": "a newer count"}).status_code == 201
    third = saved.get("/api/v1/dashboard/savings", query_string=PERIOD).get_json()
    plein = {s["name"]: s for s in third["streets"]}["Smitsplein"]
    assert plein["gas_m3"] == approx({"low": 10 + 9, "default": 30 + 24, "high": 50 + 45})
    assert plein["water_m3"] == approx({"low": 2, "default": 5, "high": 8})
    # And a new price: the answer follows again.
    assert saved.post("/api/v1/savings/prices", json={
        "carrier": "water", "valid_from": "2026-01-01", "euro_per_unit": 2.0, "source": "a newer price"}).status_code == 201
    fourth = saved.get("/api/v1/dashboard/savings", query_string=PERIOD).get_json()
    plein = {s["name"]: s for s in fourth["streets"]}["Smitsplein"]
    assert plein["euros"]["low"] == pytest.approx(10 + 1 * 0.25 * 10 + 19 * 1.2 + 2 * 2.0)


def _marks(db) -> dict:
    return dict(db.execute(select(InstalledMeasure.id, InstalledMeasure.home_prev_day)).all())


def _savings_from_scratch(db, hood_ids, first, last) -> dict:
    """The oracle: every installed measure of the period read into Python, valued with the
    versions valid on its day, and its homes counted as distinct addresses (a record without one
    a home of its own)."""
    from fieldapp.savings.models import Price, SavingFigure
    from fieldapp.streets.models import Street
    from fieldapp.timeutil import day_number

    figures = db.execute(select(SavingFigure).order_by(SavingFigure.from_day)).scalars().all()
    prices = db.execute(select(Price).order_by(Price.from_day)).scalars().all()

    def valid(rows, day, **match):
        found = [r for r in rows if r.from_day <= day and all(getattr(r, k) == v for k, v in match.items())]
        return found[-1] if found else None

    streets = select(Street.id).where(Street.neighbourhood_id.in_(hood_ids))
    rows = db.execute(select(InstalledMeasure).where(InstalledMeasure.street_id.in_(streets))).scalars().all()
    result: dict[int, dict] = {}
    for m in rows:
        if (first and m.day < day_number(first)) or (last and m.day > day_number(last)):
            continue
        street = result.setdefault(m.street_id, {"homes": set(), **{n: {l: 0.0 for l in ("low", "default", "high")}
                                                                   for n in ("kwh", "gas_m3", "water_m3", "euros")}})
        street["homes"].add(("address", m.address_id) if m.address_id is not None else ("record", m.record_id))
        figure = valid(figures, m.day, measure=m.code)
        euro = {c: valid(prices, m.day, carrier=c) for c in ("electricity", "gas", "water")}
        if figure is None or None in euro.values():
            continue
        for level in ("low", "default", "high"):
            kwh, gas, water = (getattr(figure, f"{q}_{level}") for q in ("kwh", "gas_m3", "water_m3"))
            street["kwh"][level] += m.quantity * kwh
            street["gas_m3"][level] += m.quantity * gas
            street["water_m3"][level] += m.quantity * water
            street["euros"][level] += m.quantity * (kwh * euro["electricity"].euro_per_unit
                                                    + gas * euro["gas"].euro_per_unit
                                                    + water * euro["water"].euro_per_unit)
    for street in result.values():
        street["homes"] = len(street["homes"])
    return result


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_homes_kept_with_the_measures_match_a_recount_and_a_count_from_scratch(login, world, db, seed):
    """Klus records stored in a random order (days going back and forth, several on one day, at
    registered numbers, unknown ones and none), as single PUTs and as batches, with figure and
    price versions starting inside the days: the marks kept while storing equal a recount from
    scratch, and the savings of random periods equal the oracle's."""
    import random
    from datetime import date, timedelta

    from fieldapp.savings.measures import recount_homes
    from fieldapp.savings.queries import savings_per_street

    rng = random.Random(seed)
    coord, vol = login("coord"), login("vol")
    assert coord.post("/api/v1/savings/figures", json={
        "measure": "radiator_foil", "valid_from": "2026-03-08", "gas_m3_low": 4, "gas_m3_default": 9,
        "gas_m3_high": 16, "source": "a newer count"}).status_code == 201
    assert coord.post("/api/v1/savings/prices", json={
        "carrier": "electricity", "valid_from": "2026-03-12", "euro_per_unit": 0.3, "source": "x"}).status_code == 201
    places = [("Smitsplein", 1), ("Smitsplein", 2), ("Smitsplein", 77), ("Smitsplein", None), ("Koningsweg", 12),
              ("Koningsweg", None), ("Weegbreestraat", 5)]
    codes = ["led_bulb", "radiator_foil", "draught_strip", "shower_head", "door_closer"]
    start = date(2026, 3, 1)
    bodies = []
    for _ in range(30):
        street, number = rng.choice(places)
        day = start + timedelta(days=rng.randrange(20))
        measures = [{"code": code, "quantity": rng.randint(1, 4)} for code in rng.sample(codes, rng.randint(1, 3))]
        body = klus(world.streets[street], f"{day.isoformat()}T{rng.randrange(8, 20):02d}:00:00+01:00", measures)
        if number is not None:
            body["house_number"] = number
        bodies.append(body)
    # Another neighbourhood's measure: left out when one neighbourhood is asked, counted when
    # both are (then every street stored is asked, and no street list is sent).
    put(login("outsider"), klus(world.streets["Dorpsstraat"], "2026-03-10T10:00:00+01:00",
                                [{"code": "led_bulb", "quantity": 3}]))
    while bodies:
        size = rng.randint(1, 6)
        chunk, bodies = bodies[:size], bodies[size:]
        if len(chunk) == 1:
            put(vol, chunk[0])
        else:
            response = vol.post("/api/v1/records/batch", json={"records": [{"id": str(uuid.uuid4()), **b} for b in chunk]})
            assert response.status_code == 200, response.get_json()
            assert [r["status"] for r in response.get_json()["results"]] == ["created"] * len(chunk)
    db.rollback()
    kept = _marks(db)
    recount_homes(db)
    db.flush()
    assert _marks(db) == kept
    db.rollback()
    for _ in range(8):
        first = start + timedelta(days=rng.randrange(-2, 20))
        last = first + timedelta(days=rng.randrange(0, 15))
        first, last = rng.choice([(first, last), (None, last), (first, None), (None, None)])
        hoods = rng.choice([[world.hood_id], [world.hood_id, world.other_hood_id]])
        got = savings_per_street(db, hoods, first, last)
        expected = _savings_from_scratch(db, hoods, first, last)
        assert set(got) == set(expected), (first, last, hoods)
        for sid, figures in expected.items():
            assert got[sid]["homes"] == figures["homes"], (first, last, sid)
            for name in ("kwh", "gas_m3", "water_m3", "euros"):
                assert got[sid][name] == approx(figures[name]), (first, last, sid, name)

"""Streets near me and the address import."""
import io

from sqlalchemy import func, select

from fieldapp.records.operations import link_records
from fieldapp.streets.importer import HeaderError, import_addresses
from fieldapp.streets.models import Address, Street

import pytest


def test_streets_are_ordered_by_geodesic_distance(login, world):
    api = login("vol")
    # Standing on Smitsplein: Koningsweg lies ~300 m east, Weegbreestraat ~700 m north.
    streets = api.get("/api/v1/streets?near=52.16505,5.28505").get_json()["streets"]
    assert [s["name"] for s in streets] == ["Smitsplein", "Koningsweg", "Weegbreestraat"]
    assert streets[0]["distance_m"] < 10
    assert 290 < streets[1]["distance_m"] < 310
    assert 690 < streets[2]["distance_m"] < 710
    assert streets[1]["households"] == 3
    assert streets[1]["centroid"] == {"lat": pytest.approx(52.165033, abs=1e-6), "lon": pytest.approx(5.289467, abs=1e-6)}
    # Standing north: the order turns around.
    north = api.get("/api/v1/streets?near=52.1713,5.2850&limit=2").get_json()["streets"]
    assert [s["name"] for s in north] == ["Weegbreestraat", "Smitsplein"]


def test_streets_without_a_point_are_by_name_and_only_my_neighbourhood(login, world):
    names = [s["name"] for s in login("vol").get("/api/v1/streets").get_json()["streets"]]
    assert names == ["Koningsweg", "Smitsplein", "Weegbreestraat"]
    assert [s["name"] for s in login("vol").get("/api/v1/streets?q=weg").get_json()["streets"]] == ["Koningsweg"]
    assert [s["name"] for s in login("outsider").get("/api/v1/streets").get_json()["streets"]] == ["Dorpsstraat"]


@pytest.mark.parametrize("query", ["near=abc", "near=91,5", "near=52.1", "limit=0", "limit=9999", "limit=x"])
def test_bad_street_queries_are_422(login, world, query):
    response = login("vol", language="nl").get(f"/api/v1/streets?{query}")
    assert response.status_code == 422
    assert response.get_json()["errors"]


CSV_HEADER = "neighbourhood,street,number,addition,postcode,lat,lon,tenure\n"


def test_import_reports_bad_rows_and_keeps_good_ones(db):
    text = CSV_HEADER + "\n".join([
        "Smitsveen,Zuringstraat,1,,3766GH,52.1600,5.2800,owner",
        "Smitsveen,Zuringstraat,3,a,3766 gh,52.1602,5.2802,social_rent",
        "Smitsveen,Zuringstraat,x,,3766GH,52.16,5.28,owner",           # number
        "Smitsveen,Zuringstraat,5,,3766GH,52.16,5.28,castle",          # tenure
        "Smitsveen,Zuringstraat,7,,ABCDEF,52.16,5.28,owner",           # postcode
        "Smitsveen,Zuringstraat,9,,3766GH,152.16,5.28,owner",          # latitude
        ",Zuringstraat,11,,3766GH,52.16,5.28,owner",                   # neighbourhood
        "Smitsveen,Zuringstraat,1,,3766GH,52.1600,5.2800,owner",      # repeated
        "Smitsveen,Zuringstraat,13,,,,,private_rent",                  # no position: still a dwelling
    ]) + "\n"
    report = import_addresses(db, io.StringIO(text))
    db.commit()
    assert (report.created, report.updated, report.streets_created) == (3, 0, 1)
    assert [line for line, _ in report.rejected] == [4, 5, 6, 7, 8, 9]
    assert "tenure" in dict(report.rejected)[5] and "earlier" in dict(report.rejected)[9]
    street = db.scalar(select(Street).where(Street.name == "Zuringstraat"))
    assert street.households == 3
    assert (street.centroid_lat, street.centroid_lon) == (52.1601, 5.2801)
    assert street.geometry["type"] == "LineString"
    assert db.scalar(select(Address.addition).where(Address.number == 3, Address.street_id == street.id)) == "A"
    assert db.scalar(select(Address.postcode).where(Address.number == 3, Address.street_id == street.id)) == "3766GH"


def test_reimport_updates_instead_of_duplicating(db):
    first = CSV_HEADER + "Smitsveen,Zuringstraat,1,,3766GH,52.1600,5.2800,owner\n"
    again = CSV_HEADER + "Smitsveen,Zuringstraat,1,,3766GH,52.1600,5.2800,social_rent\nSmitsveen,Zuringstraat,2,,3766GH,52.1604,5.2804,owner\n"
    import_addresses(db, io.StringIO(first))
    db.commit()
    report = import_addresses(db, io.StringIO(again))
    db.commit()
    assert (report.created, report.updated, report.unchanged) == (1, 1, 0)
    assert db.scalar(select(func.count()).select_from(Address)) == 2
    assert db.scalar(select(func.count()).select_from(Street)) == 1
    assert db.scalar(select(Address.tenure).where(Address.number == 1)) == "social_rent"
    assert import_addresses(db, io.StringIO(again)).unchanged == 2


def test_wrong_header_is_refused(db):
    with pytest.raises(HeaderError):
        import_addresses(db, io.StringIO("street,number\nSmitsweg,1\n"))


def test_a_later_import_links_records_at_numbers_the_register_did_not_know(login, world, db):
    import uuid

    from fieldapp.records.models import Record

    rid = uuid.uuid4()
    body = {"channel": "rally", "street_id": world.streets["Smitsplein"], "house_number": 3, "house_addition": "b",
            "occurred_at": "2026-01-05T10:00:00+01:00", "language": "nl", "outcome": "brief"}
    assert login("vol").put(f"/api/v1/records/{rid}", json=body).get_json()["address_registered"] is False
    report = import_addresses(db, io.StringIO(CSV_HEADER + "Smitsveen,Smitsplein,3,B,3766AB,52.1652,5.2852,owner\n"))
    assert link_records(db, report.street_ids) == 1
    db.commit()
    assert db.get(Record, rid).address_id is not None

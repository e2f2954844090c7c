"""POST /api/v1/records/batch: each record stands alone."""
import uuid

from sqlalchemy import func, select

from fieldapp.records.models import Record
from fieldapp.records.schemas import BatchOut

from helpers import catalog_text, rally


def test_each_item_gets_its_own_result(login, world, db):
    api = login("vol", language="nl")
    street = world.streets["Smitsplein"]
    stored_id, conflict_id, new_id, repeated_id = (str(uuid.uuid4()) for _ in range(4))
    assert api.put(f"/api/v1/records/{stored_id}", json=rally(street)).status_code == 201
    assert api.put(f"/api/v1/records/{conflict_id}", json=rally(street, notes="a")).status_code == 201
    records = [
        {**rally(street), "id": new_id},
        {**rally(street), "id": stored_id},  # a retry of what the server already has
        {**rally(street, notes="b"), "id": conflict_id},  # same UUID, other body
        {**rally(street, channel="fax"), "id": str(uuid.uuid4())},
        {**rally(street)},  # no id at all
        "not an object",
        {**rally(street, house_number=2), "id": repeated_id},
        {**rally(street, house_number=2), "id": repeated_id},  # the phone sent it twice in one batch
        {**rally(street, house_number=1), "id": repeated_id},  # and once changed
    ]
    response = api.post("/api/v1/records/batch", json={"records": records})
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert [r["status"] for r in results] == [
        "created", "duplicate", "conflict", "invalid", "invalid", "invalid", "created", "duplicate", "conflict",
    ]
    assert [r["id"] for r in results[:3]] == [new_id, stored_id, conflict_id]
    assert results[3]["errors"] == {"channel": [catalog_text("nl", "Unknown channel.")]}
    assert results[4]["errors"]["id"] == [catalog_text("nl", "Missing data for required field.")]
    assert "errors" not in results[0]
    # The answer is built in BatchOut's shape rather than dumped through it: dumping changes nothing.
    assert BatchOut().dump(response.get_json()) == response.get_json()
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Record)) == 4
    assert db.get(Record, uuid.UUID(conflict_id)).notes == "a"


def test_batch_limits_and_shape(login, world, db):
    api = login("vol", language="tr")
    street = world.streets["Smitsplein"]
    too_many = [{**rally(street), "id": str(uuid.uuid4())} for _ in range(501)]
    response = api.post("/api/v1/records/batch", json={"records": too_many})
    assert response.status_code == 422
    assert response.get_json()["errors"]["records"] == [catalog_text("tr", "Send 1 to 500 records at a time.")]
    assert api.post("/api/v1/records/batch", json={"records": []}).status_code == 422
    assert api.post("/api/v1/records/batch", json=[1, 2]).status_code == 422
    assert api.post("/api/v1/records/batch", json={}).status_code == 422
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Record)) == 0
    full = [{**rally(street), "id": str(uuid.uuid4())} for _ in range(500)]
    results = api.post("/api/v1/records/batch", json={"records": full}).get_json()["results"]
    assert {r["status"] for r in results} == {"created"} and len(results) == 500


def test_only_invalid_items_store_nothing(login, world, db):
    api = login("vol")
    response = api.post("/api/v1/records/batch", json={"records": [{"id": str(uuid.uuid4()), "channel": "rally"}]})
    assert response.status_code == 200
    assert response.get_json()["results"][0]["status"] == "invalid"
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Record)) == 0


def test_a_street_or_partner_added_meanwhile_is_known_at_once(login, world, db):
    """Streets and partners are cached for a few seconds; one missing from the cache is looked up again."""
    import io

    from fieldapp.accounts.models import Partner
    from fieldapp.streets.importer import import_addresses

    api = login("vol")
    assert api.put(f"/api/v1/records/{uuid.uuid4()}", json=rally(world.streets["Smitsplein"])).status_code == 201
    import_addresses(db, io.StringIO("neighbourhood,street,number,addition,postcode,lat,lon,tenure\n"
                                     "Smitsveen,Nieuwstraat,1,,3766ZZ,52.166,5.286,owner\n"))
    db.add(Partner(code="buurthuis", name="Buurthuis"))
    db.commit()
    from fieldapp.streets.models import Street

    new_street = db.scalar(select(Street.id).where(Street.name == "Nieuwstraat"))
    body = {**rally(new_street), "partners": ["buurthuis"], "id": str(uuid.uuid4())}
    results = api.post("/api/v1/records/batch", json={"records": [body]}).get_json()["results"]
    assert results == [{"id": body["id"], "status": "created"}]
    # Still not another neighbourhood's street, even once looked up again.
    elders = {**rally(world.streets["Dorpsstraat"]), "id": str(uuid.uuid4())}
    assert api.post("/api/v1/records/batch", json={"records": [elders]}).get_json()["results"][0]["status"] == "invalid"


def test_the_same_batch_sent_twice_at_once_stores_each_record_once(app, login, world, db):
    """Two phones' retries of one batch racing: each record is created by exactly one of them."""
    import threading

    from fieldapp.records.models import Referral

    token = login("vol").headers["Authorization"]
    street = world.streets["Koningsweg"]
    records = [{**rally(street, house_number=12, referrals=[{"code": "klusactie", "consent": True}]), "id": str(uuid.uuid4())}
               for _ in range(40)]
    answers: list[list[dict]] = []
    barrier = threading.Barrier(4)

    def send():
        client = app.test_client()
        barrier.wait()
        response = client.post("/api/v1/records/batch", json={"records": records}, headers={"Authorization": token})
        answers.append(response.get_json()["results"])

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 4
    for position, record in enumerate(records):
        statuses = sorted(answer[position]["status"] for answer in answers)
        assert statuses == ["created", "duplicate", "duplicate", "duplicate"], (record["id"], statuses)
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Record)) == 40
    assert db.scalar(select(func.count()).select_from(Referral)) == 40


def test_each_record_is_linked_to_its_registered_address(login, world, db):
    """The address is looked up while storing (inside the insert on PostgreSQL): a registered
    number and addition gets its address; anything else gets none."""
    from fieldapp.streets.models import Address

    api = login("vol")
    street = world.streets["Koningsweg"]  # registered: 10-1, 10-2 and 12
    sent = {str(uuid.uuid4()): numbered for numbered in [(10, "1"), (10, "2"), (12, None), (10, None), (10, "3"),
                                                         (99, None), (None, None)]}
    records = [{**rally(street, house_number=number, house_addition=addition), "id": rid}
               for rid, (number, addition) in sent.items()]
    results = api.post("/api/v1/records/batch", json={"records": records}).get_json()["results"]
    assert {r["status"] for r in results} == {"created"}
    db.rollback()
    register = {(a.number, a.addition): a.id for a in db.scalars(select(Address).where(Address.street_id == street))}
    assert len(register) == 3
    stored = {str(r.id): r.address_id for r in db.scalars(select(Record))}
    assert stored == {rid: register.get((number, addition or "")) for rid, (number, addition) in sent.items()}
    assert sorted(v for v in stored.values() if v) == sorted(register.values())


def test_a_referral_keeps_its_records_address(login, world, db):
    """A referral carries its record's registered address (found in SQL while storing, in a
    batch and by a single PUT); a number the register learns later and an erasure move it along
    with the record's (hooks.RECORDS_CHANGED)."""
    import io

    from fieldapp.privacy.operations import erase_address, find_address
    from fieldapp.records.models import Referral
    from fieldapp.records.operations import link_records
    from fieldapp.streets.importer import import_addresses
    from fieldapp.streets.models import Street

    api = login("vol")
    street = world.streets["Koningsweg"]  # registered: 10-1, 10-2 and 12
    consented = [{"code": "energy_coach", "consent": True}, {"code": "debt_help", "consent": False}]
    batch = [{**rally(street, house_number=number, house_addition=addition, referrals=consented), "id": str(uuid.uuid4())}
             for number, addition in [(10, "1"), (12, None), (77, None), (None, None)]]
    assert {r["status"] for r in api.post("/api/v1/records/batch", json={"records": batch}).get_json()["results"]} == {"created"}
    single = str(uuid.uuid4())
    assert api.put(f"/api/v1/records/{single}", json=rally(street, house_number=10, house_addition="2",
                                                           referrals=consented)).status_code == 201

    def pairs():
        db.rollback()
        return sorted((str(ref.record_id), ref.position, ref.address_id, ref.record.address_id)
                      for ref in db.scalars(select(Referral)))

    stored = pairs()
    assert len(stored) == 10 and all(mine == records for _r, _p, mine, records in stored)
    assert sum(mine is not None for _r, _p, mine, _rec in stored) == 6  # 10-1, 12 and 10-2, two referrals each

    name = db.get(Street, street).name
    import_addresses(db, io.StringIO("neighbourhood,street,number,addition,postcode,lat,lon,tenure\n"
                                     f"Smitsveen,{name},77,,1234AB,52.17,5.30,owner\n"))
    assert link_records(db, {street}) == 1
    db.commit()
    linked = pairs()
    assert all(mine == records for _r, _p, mine, records in linked)
    assert sum(mine is not None for _r, _p, mine, _rec in linked) == 8

    erase_address(db, find_address(db, "Smitsveen", name, 12))
    db.commit()
    erased = pairs()
    assert all(mine == records for _r, _p, mine, records in erased)
    assert sum(mine is not None for _r, _p, mine, _rec in erased) == 6

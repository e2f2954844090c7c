"""PUT /api/v1/records/<uuid> stores a record exactly once, whatever the network does."""
import threading
import uuid

from sqlalchemy import func, select

from fieldapp.records.models import Record, Referral

from helpers import rally


def count_records(db, record_id=None):
    db.rollback()  # see what other connections committed
    stmt = select(func.count()).select_from(Record)
    if record_id is not None:
        stmt = stmt.where(Record.id == record_id)
    return db.scalar(stmt)


def test_first_put_creates_and_returns_the_stored_record(login, world, db):
    api = login("vol")
    rid = uuid.uuid4()
    body = rally(world.streets["Koningsweg"], house_number=10, house_addition="2",
                 topics=["debt", "energy_bill"], partners=["balans"], notes="ring twice",
                 referrals=[{"code": "energy_coach", "consent": True, "due_date": "2026-01-20"},
                            {"code": "debt_help", "consent": False}])
    response = api.put(f"/api/v1/records/{rid}", json=body)
    assert response.status_code == 201
    stored = response.get_json()
    assert stored["id"] == str(rid)
    assert stored["occurred_at"] == "2026-01-05T09:00:00+00:00"  # the same instant, in UTC
    assert stored["house_addition"] == "2" and stored["address_registered"] is True
    assert stored["topics"] == ["debt", "energy_bill"]
    assert stored["partners"] == ["balans", "eas"]  # the recorder's own partner always counts
    assert stored["recorded_by"] == "vol" and stored["recorded_by_partner"] == "eas"
    assert [r["code"] for r in stored["referrals"]] == ["energy_coach", "debt_help"]
    assert all(isinstance(r["id"], int) for r in stored["referrals"])
    assert stored["referrals"][0]["due_date"] == "2026-01-20"
    assert stored["referrals"][1]["due_date"] is None  # declined: no promise, no due date
    assert stored["received_at"].endswith("+00:00")
    assert api.get(f"/api/v1/records/{rid}").get_json() == stored  # the answer is what was stored
    assert count_records(db, rid) == 1
    assert db.scalar(select(func.count()).select_from(Referral)) == 2


def test_identical_retry_returns_200_and_the_same_record(login, world, db):
    api = login("vol")
    rid = uuid.uuid4()
    body = rally(world.streets["Smitsplein"])
    first = api.put(f"/api/v1/records/{rid}", json=body)
    again = api.put(f"/api/v1/records/{rid}", json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    # The same body with the id repeated inside it, or with the time in another offset, is the same record.
    same = api.put(f"/api/v1/records/{rid}", json={**body, "id": str(rid), "occurred_at": "2026-01-05T09:00:00Z"})
    assert same.status_code == 200
    assert count_records(db) == 1


def test_conflicting_body_is_409_and_the_stored_record_is_unchanged(login, world, db):
    api = login("vol")
    rid = uuid.uuid4()
    body = rally(world.streets["Smitsplein"], notes="first")
    assert api.put(f"/api/v1/records/{rid}", json=body).status_code == 201
    conflict = api.put(f"/api/v1/records/{rid}", json={**body, "notes": "second"})
    assert conflict.status_code == 409
    assert conflict.get_json()["message"]
    assert api.get(f"/api/v1/records/{rid}").get_json()["notes"] == "first"
    assert count_records(db) == 1


def test_same_uuid_from_another_user_is_a_conflict_not_a_leak(login, world):
    rid = uuid.uuid4()
    body = rally(world.streets["Smitsplein"])
    assert login("vol").put(f"/api/v1/records/{rid}", json=body).status_code == 201
    other = login("coach").put(f"/api/v1/records/{rid}", json=body)
    assert other.status_code == 409
    assert "street_id" not in other.get_json()


def test_id_in_body_must_match_the_url(login, world):
    response = login("vol").put(f"/api/v1/records/{uuid.uuid4()}", json={**rally(world.streets["Smitsplein"]), "id": str(uuid.uuid4())})
    assert response.status_code == 422
    assert "id" in response.get_json()["errors"]


def test_fifty_concurrent_identical_puts_make_one_row(app, login, world, db):
    """Many phones' retries at once: insert-or-nothing must leave exactly one row."""
    token = login("vol").headers["Authorization"]
    rid = uuid.uuid4()
    body = rally(world.streets["Koningsweg"], house_number=12,
                 referrals=[{"code": "klusactie", "consent": True}])
    statuses: list[int] = []
    barrier = threading.Barrier(50)

    def send():
        client = app.test_client()
        barrier.wait()
        statuses.append(client.put(f"/api/v1/records/{rid}", json=body, headers={"Authorization": token}).status_code)

    threads = [threading.Thread(target=send) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * 49 + [201]
    assert count_records(db, rid) == 1
    assert db.scalar(select(func.count()).select_from(Referral).where(Referral.record_id == rid)) == 1


def test_records_are_listed_with_cursor_pagination(login, world):
    api = login("vol")
    street = world.streets["Smitsplein"]
    ids = []
    for day in range(1, 8):
        rid = uuid.uuid4()
        ids.append(str(rid))
        assert api.put(f"/api/v1/records/{rid}", json=rally(street, occurred_at=f"2026-02-0{day}T12:00:00+01:00")).status_code == 201
    seen, cursor = [], None
    while True:
        url = "/api/v1/records?limit=3" + (f"&cursor={cursor}" if cursor else "")
        page = api.get(url).get_json()
        seen += [r["id"] for r in page["records"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == list(reversed(ids))  # newest first, each once
    # Amsterdam calendar days, both ends included: Feb 2..4 -> three records.
    period = api.get("/api/v1/records?from=2026-02-02&to=2026-02-04").get_json()["records"]
    assert [r["id"] for r in period] == list(reversed(ids[1:4]))
    assert api.get("/api/v1/records?channel=klus").get_json()["records"] == []
    assert api.get("/api/v1/records?cursor=not-a-cursor").status_code == 422
    assert api.get("/api/v1/records?from=2026-02-05&to=2026-02-01").status_code == 422


def test_volunteers_see_only_their_own_records_coordinators_all(login, world):
    rid = uuid.uuid4()
    assert login("vol").put(f"/api/v1/records/{rid}", json=rally(world.streets["Smitsplein"])).status_code == 201
    assert login("coach").get(f"/api/v1/records/{rid}").status_code == 404
    assert login("coach").get("/api/v1/records").get_json()["records"] == []
    assert login("coord").get(f"/api/v1/records/{rid}").status_code == 200
    assert login("outsider").get("/api/v1/records").get_json()["records"] == []


def test_unknown_house_number_is_kept_but_not_registered(login, world):
    response = login("vol").put(f"/api/v1/records/{uuid.uuid4()}", json=rally(world.streets["Smitsplein"], house_number=99))
    assert response.status_code == 201
    assert response.get_json()["house_number"] == 99
    assert response.get_json()["address_registered"] is False


def test_api_requires_a_valid_token(app, world):
    client = app.test_client()
    assert client.get("/api/v1/records").status_code == 401
    assert client.get("/api/v1/records", headers={"Authorization": "Bearer nonsense"}).status_code == 401
    # Unauthenticated invalid bodies learn nothing about validation.
    assert client.put(f"/api/v1/records/{uuid.uuid4()}", json={"channel": "x"}).status_code == 401
    wrong = client.post("/api/v1/auth/token", json={"username": "vol", "password": "wrong"})
    assert wrong.status_code == 401
    assert client.post("/api/v1/auth/token", json={"username": "vol"}).status_code == 422


def test_the_fingerprint_of_a_record_does_not_change_between_versions():
    """Fingerprints are stored: a retry after an upgrade must hash to the same value, or the
    phone's resent record would be refused as a conflict. The value was computed with the
    fingerprint's first form, json.dumps(sort_keys, default=str, compact separators)."""
    from datetime import date, datetime, timedelta, timezone

    from fieldapp.records.operations import fingerprint

    data = {"id": uuid.UUID(int=1), "channel": "loket", "street_id": 7, "house_number": 12, "house_addition": "a",
            "occurred_at": datetime(2026, 1, 5, 10, 0, tzinfo=timezone(timedelta(hours=1))), "language": "ti",
            "taalcoach_present": True, "outcome": "talked", "topics": ["debt"], "measures": [], "heard_via": "flyer",
            "referrals": [{"code": "debt_help", "consent": True, "due_date": date(2026, 1, 19)}],
            "partners": ["eas"], "ambassador": False, "notes": "ring twice"}
    assert fingerprint(data, 3) == "0f2a7d10c06f1a3182a3c7028b2c7e7e08ef10852667d07d581170d1f58ab026"
    assert fingerprint({**data, "id": uuid.UUID(int=2)}, 3) == fingerprint(data, 3)  # the id is not hashed
    assert fingerprint(data, 4) != fingerprint(data, 3)  # the sender is


def _first_form(data: dict, sender: int) -> str:
    """The fingerprint as it was computed before ownership codes, written out here as the oracle:
    the loaded record with its `ambassador` flag, the time in UTC and the sender."""
    import hashlib
    import json
    from datetime import timezone

    canonical = {k: v for k, v in data.items() if k != "id"}
    canonical["occurred_at"] = data["occurred_at"].astimezone(timezone.utc).isoformat()
    canonical["sender"] = sender
    return hashlib.sha256(json.dumps(canonical, sort_keys=True, default=str, separators=(",", ":")).encode()).hexdigest()


def test_records_sent_before_ownership_codes_keep_their_fingerprint():
    """A record whose only ownership code is `ambassador` (or none) hashes as the flag did, so a
    phone resending what it sent before the update gets its 200; other codes make other hashes."""
    from fieldapp.records.operations import fingerprint
    from fieldapp.records.schemas import RecordIn

    body = {"channel": "rally", "street_id": 7, "house_number": 12, "occurred_at": "2026-01-05T10:00:00+01:00",
            "language": "ti", "outcome": "talked", "topics": ["debt"], "partners": ["eas"]}
    old = {**RecordIn().load(body), "id": uuid.UUID(int=1)}
    old.pop("ownership")
    for flag in (False, True):
        before = _first_form({**old, "ambassador": flag}, 3)
        for sent in ({**body, "ambassador": flag}, {**body, "ownership": ["ambassador"] if flag else []},
                     {**body, "ambassador": flag, "ownership": ["ambassador"] if flag else []}):
            assert fingerprint(RecordIn().load(sent), 3) == before, sent
    without = fingerprint(RecordIn().load(body), 3)
    assert without == _first_form({**old, "ambassador": False}, 3)  # the flag was false when not sent
    cooked = fingerprint(RecordIn().load({**body, "ownership": ["cooked"]}), 3)
    both = fingerprint(RecordIn().load({**body, "ownership": ["cooked", "ambassador"]}), 3)
    assert len({without, cooked, both, _first_form({**old, "ambassador": True}, 3)}) == 4


def test_an_old_format_retry_is_a_duplicate_and_other_ownership_a_conflict(login, world, db):
    """PUT exactly-once across the two shapes: the old `ambassador: true` and the code it became
    are the same record; another code under the same UUID is a conflict, the stored row untouched."""
    from helpers import rally

    from fieldapp.records.models import Record

    api = login("vol")
    record_id = uuid.uuid4()
    old = {**rally(world.streets["Koningsweg"]), "ambassador": True}
    first = api.put(f"/api/v1/records/{record_id}", json=old)
    assert first.status_code == 201 and first.get_json()["ownership"] == ["ambassador"]
    for retry in (old, {**rally(world.streets["Koningsweg"]), "ownership": ["ambassador"]},
                  {**old, "ownership": ["ambassador"]}):
        response = api.put(f"/api/v1/records/{record_id}", json=retry)
        assert response.status_code == 200, retry
        assert response.get_json()["ownership"] == ["ambassador"] and response.get_json()["ambassador"] is True
    for other in ({**old, "ambassador": False}, {**old, "ownership": ["cooked"]}):
        assert api.put(f"/api/v1/records/{record_id}", json=other).status_code == 409, other
    batch = api.post("/api/v1/records/batch", json={"records": [{**old, "id": str(record_id)}]})
    assert batch.get_json()["results"][0]["status"] == "duplicate"
    db.rollback()
    stored = db.get(Record, record_id)
    assert stored.ownership == ["ambassador"] and stored.ownership_bits == 1 << 5

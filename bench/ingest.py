"""Ingest benchmark (issue 2).

For SQLite and PostgreSQL, in one run:
  1. N generated records sent through POST /api/v1/records/batch (500 a request) to gunicorn on loopback;
  2. the same rows inserted with raw SQLAlchemy Core executemany (500 a transaction) into a fresh
     database of the same kind: the records with their address resolved as the API does, and their
     referrals. The two take turns batch by batch, so both see the machine in the same state;
  3. single PUT latency (p50/p95) with 8 concurrent clients, and GET /healthz under the same load
     (the floor: what the machine gives for the lightest request). Each of these requests goes on
     a connection of its own, as from a reverse proxy (common.send_once), after 10 per client
     that are not timed, so that every worker has run the statements before the clock starts.
The batches go one after the other over one keep-alive connection, as a phone's outbox sends them.
Each database gets --repeat rounds (3) on fresh databases; prints every round and the medians:
both rates, the ratio (target >= 50 %), the latencies (target p50 <= 15 ms) and the errors (target 0).

    .venv/bin/python bench/ingest.py [--records 10000] [--db sqlite|postgresql|both] [--repeat 3]
                                     [--pg-url URL] [--clients N]
"""
from __future__ import annotations

import argparse
import io
import json
import os
import random
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

import requests
from common import DEFAULT_PG, connect, fresh_database, gunicorn, percentile, send, send_once
from sqlalchemy import select

from fieldapp.accounts.models import Partner, User
from fieldapp.accounts.operations import ensure_standard_partners, upsert_user
from fieldapp.db import make_engine
from fieldapp.demo.seed import address_csv
from fieldapp.records.models import Record, Referral
from fieldapp.streets.importer import import_addresses
from fieldapp.streets.models import Address, Street
from fieldapp.timeutil import local_date
from sqlalchemy.orm import Session

PASSWORD = "bench password 1"
BATCH = 500


def prepare(url: str) -> list[int]:
    """Partners, the synthetic streets and one volunteer; returns the street ids."""
    engine = make_engine(url)
    with Session(engine) as session:
        ensure_standard_partners(session)
        session.flush()
        import_addresses(session, io.StringIO(address_csv(random.Random(2021))))
        upsert_user(session, "bench", PASSWORD, "volunteer", "eas", ["Smitsveen"])
        session.commit()
        street_ids = list(session.scalars(select(Street.id)))
    engine.dispose()
    return street_ids


def generate(count: int, street_ids: list[int], seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    records = []
    for _ in range(count):
        channel = rng.choice(["rally", "rally", "klus", "loket", "visit"])
        body = {
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "channel": channel,
            "street_id": rng.choice(street_ids),
            "house_number": rng.randint(1, 36),
            "occurred_at": (start + timedelta(minutes=rng.randint(0, 600_000))).isoformat(),
            "language": rng.choice(["nl", "tr", "ti", "so", "ar", "en"]),
            "taalcoach_present": rng.random() < 0.3,
            "topics": rng.sample(["energy_bill", "saving_tips", "debt", "heating"], rng.randint(0, 2)),
        }
        if channel == "rally":
            body["outcome"] = rng.choice(["not_home", "brief", "talked", "refused"])
        if channel == "klus":
            body["measures"] = [{"code": "led_bulb", "quantity": rng.randint(1, 6)}]
            body["partners"] = ["present"]
        if channel == "loket":
            body["heard_via"] = rng.choice(["neighbour", "rally", "flyer"])
        if rng.random() < 0.15:
            body["referrals"] = [{"code": "energy_coach", "consent": True}]
        records.append(body)
    return records


def token(base: str) -> str:
    response = requests.post(f"{base}/api/v1/auth/token", json={"username": "bench", "password": PASSWORD}, timeout=30)
    response.raise_for_status()
    return response.json()["token"]


def api_batches(base: str, records: list[dict], clients: int = 1) -> tuple[float, int]:
    """All records in batches of 500, from `clients` concurrent senders; returns (seconds, errors).

    The clock covers the requests only: the client's JSON encoding of the batches and decoding
    of the answers happen outside it, as the raw path's rows are built before its clock starts.
    """
    headers = {"Authorization": f"Bearer {token(base)}", "Content-Type": "application/json"}
    bodies = [(json.dumps({"records": records[offset:offset + BATCH]}).encode(), len(records[offset:offset + BATCH]))
              for offset in range(0, len(records), BATCH)]
    answers: list[tuple[int, int, bytes]] = []
    lock = threading.Lock()

    def sender(mine: list[tuple[bytes, int]]):
        connection = connect(base)
        for body, sent in mine:
            status, content = send(connection, "POST", "/api/v1/records/batch", body, headers)
            with lock:
                answers.append((status, sent, content))
        connection.close()

    threads = [threading.Thread(target=sender, args=(bodies[i::clients],)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return elapsed, _batch_errors(answers)


def _batch_errors(answers: list[tuple[int, int, bytes]]) -> int:
    """Records not answered "created", from (status, records sent, body) of each batch."""
    return sum(
        sent if status != 200 else sum(r["status"] != "created" for r in json.loads(content)["results"])
        for status, sent, content in answers
    )


def raw_rows(url: str, records: list[dict], due_days: int = 14) -> tuple[list[dict], list[dict]]:
    """The rows the API stores for these records, made by hand: records and their referrals.

    The address_id is left for raw_insert_batch to resolve, as the API does while storing; the
    fingerprint is a fixed string of the same length.
    """
    engine = make_engine(url)
    with engine.connect() as conn:
        user_id, partner_id, own_partner = conn.execute(
            select(User.id, User.partner_id, Partner.code).join(Partner, User.partner_id == Partner.id)
            .where(User.username == "bench")
        ).one()
    engine.dispose()
    received = datetime.now(timezone.utc)
    rows, referrals = [], []
    for r in records:
        rid, occurred = uuid.UUID(r["id"]), datetime.fromisoformat(r["occurred_at"])
        partners = sorted(set(r.get("partners", [])) | {own_partner})
        rows.append({
            "id": rid, "channel": r["channel"], "street_id": r["street_id"],
            "address_id": None,
            "house_number": r["house_number"], "house_addition": None, "occurred_at": occurred.astimezone(timezone.utc),
            "language": r["language"], "taalcoach_present": r["taalcoach_present"],
            "outcome": r.get("outcome") or ("talked" if r["channel"] == "loket" else None),
            "topics": sorted(r["topics"]), "measures": r.get("measures", []), "heard_via": r.get("heard_via"),
            "partners": partners, "partner_count": len(partners), "ownership": [], "ownership_bits": 0,
            "notes": None,
            "recorded_by_id": user_id, "recorded_by_partner_id": partner_id, "received_at": received,
            "fingerprint": "0" * 64,
        })
        referrals.append([
            {"record_id": rid, "street_id": r["street_id"], "occurred_at": occurred.astimezone(timezone.utc),
             "position": position, "code": ref["code"], "consent": ref["consent"],
             "due_date": local_date(occurred) + timedelta(days=due_days) if ref["consent"] else None,
             "consent_text_version": None}
            for position, ref in enumerate(r.get("referrals", []))
        ])
    return rows, referrals


def raw_insert_batch(engine, batch: list[dict], batch_referrals: list[list[dict]]) -> None:
    """One transaction of up to 500: one lookup of the addresses (as the API does), executemany
    of the records, executemany of their referrals."""
    with engine.begin() as conn:
        wanted = {(row["street_id"], row["house_number"]) for row in batch}
        found = {(s, n, a): i for s, n, a, i in conn.execute(
            select(Address.street_id, Address.number, Address.addition, Address.id).where(
                Address.street_id.in_({w[0] for w in wanted}), Address.number.in_({w[1] for w in wanted})))}
        for row in batch:
            row["address_id"] = found.get((row["street_id"], row["house_number"], ""))
        conn.execute(Record.__table__.insert(), batch)
        address_of = {row["id"]: row["address_id"] for row in batch}
        flat = [{**ref, "address_id": address_of[ref["record_id"]]} for refs in batch_referrals for ref in refs]
        if flat:
            conn.execute(Referral.__table__.insert(), flat)


def interleaved(base: str, raw_url: str, records: list[dict]) -> tuple[float, int, float]:
    """The API batches and the raw inserts of the same records, taking turns batch by batch, so
    that both see the machine in the same state (its speed drifts by tens of percent within a
    minute); returns (API seconds, API errors, raw seconds). As in the raw path, the client's
    JSON encoding of the batches and decoding of the answers are outside the API's clock."""
    headers = {"Authorization": f"Bearer {token(base)}", "Content-Type": "application/json"}
    rows, referrals = raw_rows(raw_url, records)
    engine = make_engine(raw_url)
    api_seconds = raw_seconds = 0.0
    answers = []
    connection = connect(base)
    for offset in range(0, len(records), BATCH):
        body = json.dumps({"records": records[offset:offset + BATCH]}).encode()
        started = time.perf_counter()
        status, content = send(connection, "POST", "/api/v1/records/batch", body, headers)
        api_seconds += time.perf_counter() - started
        answers.append((status, len(records[offset:offset + BATCH]), content))
        started = time.perf_counter()
        raw_insert_batch(engine, rows[offset:offset + BATCH], referrals[offset:offset + BATCH])
        raw_seconds += time.perf_counter() - started
    connection.close()
    engine.dispose()
    return api_seconds, _batch_errors(answers), raw_seconds


WARM_UP = 10


def latencies_under_load(call, clients: int = 8, per_client: int = 150) -> tuple[list[float], int]:
    """`clients` threads; thread c calls call(c, n) for n in range(per_client), one after the
    other, and call says whether the answer was the expected one. Returns the seconds of every
    call but the first WARM_UP of each thread, and how many answers were not as expected."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def client(c: int):
        for n in range(per_client):
            started = time.perf_counter()
            ok = call(c, n)
            elapsed = time.perf_counter() - started
            with lock:
                if n >= WARM_UP:
                    latencies.append(elapsed)
                errors[0] += not ok

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors[0]


def put_latency(base: str, street_ids: list[int], clients: int = 8, per_client: int = 160,
                seed: int = 1000) -> tuple[list[float], int]:
    headers = {"Authorization": f"Bearer {token(base)}", "Content-Type": "application/json"}
    bodies = [generate(per_client, street_ids, seed=seed + i) for i in range(clients)]

    def put(client, n):
        body = dict(bodies[client][n])
        rid = body.pop("id")
        return send_once(base, "PUT", f"/api/v1/records/{rid}", json.dumps(body).encode(), headers)[0] == 201

    return latencies_under_load(put, clients, per_client)


def healthz_latency(base: str, clients: int = 8, per_client: int = 160) -> tuple[list[float], int]:
    """The same load on GET /healthz (one SELECT 1): what this machine gives for the lightest
    request, the floor under the PUT figure."""
    return latencies_under_load(lambda _c, _n: send_once(base, "GET", "/healthz")[0] == 200, clients, per_client)


def load_average() -> str:
    return "load average " + " ".join(f"{value:.2f}" for value in os.getloadavg())


def median(values: list[float]) -> float:
    return percentile(values, 0.5)


def run(kind: str, count: int, pg_url: str, clients: int, repeat: int) -> None:
    """`repeat` rounds, each on fresh databases: the API batches, PUT and /healthz latency, then
    the raw inserts. The machine's speed drifts between runs (a shared VM), so the summary takes
    the median of the rounds, with the spread."""
    print(f"\n== {kind}: {count} records, {repeat} rounds; {load_average()} ==")
    referrals = None
    api_rates, raw_rates, ratios, put_p50, put_p95, floor_p50, errors = [], [], [], [], [], [], 0
    for round_ in range(repeat):
        url = fresh_database(kind, pg_url)
        street_ids = prepare(url)
        records = generate(count, street_ids, seed=7 + round_)
        referrals = sum(len(r.get("referrals", [])) for r in records)
        raw_url = fresh_database(kind, pg_url, suffix="_raw")
        prepare(raw_url)
        with gunicorn(url) as (base, _process):
            api_seconds, api_errors, raw_seconds = interleaved(base, raw_url, records)
            latencies, put_errors = put_latency(base, street_ids, seed=1000 + 10 * round_)
            floor, floor_errors = healthz_latency(base)
        api_rates.append(count / api_seconds)
        raw_rates.append(count / raw_seconds)
        ratios.append(api_rates[-1] / raw_rates[-1])
        put_p50.append(percentile(latencies, .5) * 1000)
        put_p95.append(percentile(latencies, .95) * 1000)
        floor_p50.append(percentile(floor, .5) * 1000)
        errors += api_errors + put_errors + floor_errors
        print(f"  round {round_ + 1}: API {api_rates[-1]:6.0f}/s, raw {raw_rates[-1]:6.0f}/s, ratio {ratios[-1]:6.1%}; "
              f"PUT p50 {put_p50[-1]:5.1f} ms p95 {put_p95[-1]:5.1f} ms; /healthz p50 {floor_p50[-1]:5.1f} ms; "
              f"errors {api_errors + put_errors + floor_errors}", flush=True)

    def spread(values, form):
        return f"(rounds {min(values):{form}} to {max(values):{form}})"

    print(f"API batch    : {median(api_rates):9.0f} records/s  median {spread(api_rates, '.0f')}")
    print(f"raw Core     : {median(raw_rates):9.0f} records/s  median {spread(raw_rates, '.0f')}; the same {count} "
          f"records and about {referrals} referrals, addresses resolved")
    print(f"ratio        : {median(ratios):9.1%}  median of the rounds' ratios {spread(ratios, '.1%')} (target >= 50 %)")
    print(f"PUT, 8 clients: p50 {median(put_p50):.1f} ms {spread(put_p50, '.1f')}, p95 {median(put_p95):.1f} ms "
          f"(target p50 <= 15 ms)")
    print(f"/healthz, 8 clients: p50 {median(floor_p50):.1f} ms {spread(floor_p50, '.1f')} (the floor on this machine)")
    print(f"errors       : {errors} (target 0)")
    if clients > 1:
        url = fresh_database(kind, pg_url)
        prepare(url)
        with gunicorn(url) as (base, _process):
            seconds, concurrent_errors = api_batches(base, records, clients)
        print(f"API batch, {clients} clients: {count / seconds:9.0f} records/s  ({seconds:.2f} s, {concurrent_errors} errors); "
              f"ratio to the median raw rate {count / seconds / median(raw_rates):.1%}")
    print(f"({load_average()})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    parser.add_argument("--repeat", type=int, default=3, help="rounds per database; the medians are reported")
    parser.add_argument("--clients", type=int, default=1,
                        help="also send the batches from this many concurrent clients (into a fresh database)")
    args = parser.parse_args()
    for kind in (["sqlite", "postgresql"] if args.db == "both" else [args.db]):
        run(kind, args.records, args.pg_url, args.clients, args.repeat)


if __name__ == "__main__":
    main()

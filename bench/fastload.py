"""fastload against plain marshmallow: in-process loads, and the share of a whole batch request.

    .venv/bin/python bench/fastload.py [--runs 7]
CPU time of this thread (time.thread_time) is reported beside wall time: the machine is shared.
"""
from __future__ import annotations

import argparse
import copy
import os
import shutil
import statistics
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from ingest import PASSWORD, generate, prepare  # noqa: E402  (bench/ingest.py: the records the ingest benchmark sends)

from fieldapp.fastload import load_fast_or_full  # noqa: E402
from fieldapp.records.schemas import BatchEnvelope, BatchRecordIn, RecordIn  # noqa: E402

N = 10_000
BATCH = 500


def timed(fn):
    wall, cpu = time.perf_counter(), time.thread_time()
    fn()
    return time.perf_counter() - wall, time.thread_time() - cpu


def in_process(runs: int):
    records = generate(N, list(range(1, 26)))
    put_bodies = [{k: v for k, v in r.items() if k != "id"} for r in records]  # a PUT's id is in the URL
    envelopes = [{"records": records[i:i + BATCH]} for i in range(0, N, BATCH)]
    cases = {
        "BatchRecordIn (each record of a batch)": (BatchRecordIn(), records),
        "RecordIn (PUT body)": (RecordIn(), put_bodies),
        "BatchEnvelope (20 envelopes of 500)": (BatchEnvelope(), envelopes),
    }
    results = {}
    for name, (schema, bodies) in cases.items():
        fast, full = load_fast_or_full(schema), schema.load
        assert [fast(copy.deepcopy(b)) for b in bodies[:200]] == [full(copy.deepcopy(b)) for b in bodies[:200]]
        samples = {"fastload": [], "marshmallow": []}
        for _ in range(runs):
            for label, load in (("fastload", fast), ("marshmallow", full)):  # alternate: same machine state
                samples[label].append(timed(lambda: [load(b) for b in bodies]))
        results[name] = (len(bodies), samples)
    return results


def whole_request(runs: int):
    """POST /api/v1/records/batch with 500 new records through the Flask test client on SQLite."""
    from fieldapp import create_app
    from fieldapp.db import make_engine
    from fieldapp.migrations.runner import upgrade
    from fieldapp.records import blueprint

    folder = Path(tempfile.mkdtemp(prefix="fastload-bench-"))
    url = f"sqlite:///{folder / 'bench.sqlite'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    street_ids = prepare(url)  # the ingest benchmark's streets and volunteer
    os.environ["FIELDAPP_INSTANCE_PATH"] = str(folder / "instance")
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "bench", "password": PASSWORD}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}

    fast_record, fast_envelope = blueprint._load_batch_record, blueprint._load_envelope
    full_record, full_envelope = BatchRecordIn().load, BatchEnvelope().load
    spent = [0.0]

    def clocked(load):
        def wrapper(data):
            started = time.thread_time()
            try:
                return load(data)
            finally:
                spent[0] += time.thread_time() - started
        return wrapper

    seed = iter(range(10**6))
    def post(record_loader, envelope_loader, clock: bool):
        blueprint._load_batch_record = clocked(record_loader) if clock else record_loader
        blueprint._load_envelope = clocked(envelope_loader) if clock else envelope_loader
        body = {"records": generate(BATCH, street_ids, seed=next(seed))}
        spent[0] = 0.0
        wall, cpu = time.perf_counter(), time.thread_time()
        response = client.post("/api/v1/records/batch", json=body, headers=headers)
        wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
        answer = response.get_json()
        assert response.status_code == 200 and all(r["status"] == "created" for r in answer["results"]), answer
        return wall, cpu, spent[0]

    fast_put, full_put = blueprint._load_record, RecordIn().load

    def puts(loader, count=100):
        """`count` PUTs of one new record each; returns (wall, cpu) per PUT."""
        blueprint._load_record = loader
        bodies = generate(count, street_ids, seed=next(seed))
        wall, cpu = time.perf_counter(), time.thread_time()
        for body in bodies:
            record_id = body.pop("id")
            response = client.put(f"/api/v1/records/{record_id}", json=body, headers=headers)
            assert response.status_code == 201, response.get_json()
        return (time.perf_counter() - wall) / count, (time.thread_time() - cpu) / count

    puts(fast_put, 20), puts(full_put, 20)
    samples_put = {"PUT, fastload": [], "PUT, marshmallow": []}
    for _ in range(runs):
        samples_put["PUT, fastload"].append(puts(fast_put))
        samples_put["PUT, marshmallow"].append(puts(full_put))
    blueprint._load_record = fast_put

    for _ in range(2):  # warm-up: caches, first statements
        post(fast_record, fast_envelope, False), post(full_record, full_envelope, False)
    samples = {"fastload": [], "marshmallow": [], "fastload, validation clocked": [], "marshmallow, validation clocked": []}
    for _ in range(runs):
        samples["fastload"].append(post(fast_record, fast_envelope, False))
        samples["marshmallow"].append(post(full_record, full_envelope, False))
        samples["fastload, validation clocked"].append(post(fast_record, fast_envelope, True))
        samples["marshmallow, validation clocked"].append(post(full_record, full_envelope, True))
    blueprint._load_batch_record, blueprint._load_envelope = fast_record, fast_envelope
    app.extensions["fieldapp.engine"].dispose()
    shutil.rmtree(folder, ignore_errors=True)
    return samples, samples_put


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--part", choices=["both", "loads", "request"], default="both")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, marshmallow {version('marshmallow')}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    if args.part in ("both", "loads"):
        print(f"\nIn-process loads, {args.runs} runs, medians (min) in µs per item, CPU time [wall]:")
        for name, (count, samples) in in_process(args.runs).items():
            row = {}
            for label, pairs in samples.items():
                cpu = [c / count * 1e6 for _w, c in pairs]
                wall = [w / count * 1e6 for w, _c in pairs]
                row[label] = statistics.median(cpu)
                print(f"  {name:40} {label:12} {statistics.median(cpu):7.2f} ({min(cpu):6.2f})  [{statistics.median(wall):7.2f}]")
            print(f"  {'':40} {'saves':12} {row['marshmallow'] - row['fastload']:7.2f} µs/item, "
                  f"fastload takes {row['fastload'] / row['marshmallow']:.0%} of marshmallow's time")
    if args.part in ("both", "request"):
        print(f"\nPOST /api/v1/records/batch, 500 new records, Flask test client, SQLite; {args.runs} runs, "
              "medians (min) in ms:")
        samples, samples_put = whole_request(args.runs)
        for label, triples in samples.items():
            wall = [t[0] * 1e3 for t in triples]
            cpu = [t[1] * 1e3 for t in triples]
            val = [t[2] * 1e3 for t in triples]
            line = f"  {label:32} wall {statistics.median(wall):7.1f} ({min(wall):6.1f})  cpu {statistics.median(cpu):7.1f} ({min(cpu):6.1f})"
            if "clocked" in label:
                shares = [t[2] / t[1] for t in triples]
                line += f"  validation cpu {statistics.median(val):6.1f} ms = {statistics.median(shares):.1%} of the request's cpu"
            print(line)
        print(f"\nPUT /api/v1/records/<id>, one new record, 100 a run; {args.runs} runs, medians (min) in ms per PUT:")
        for label, pairs in samples_put.items():
            wall = [w * 1e3 for w, _c in pairs]
            cpu = [c * 1e3 for _w, c in pairs]
            print(f"  {label:32} wall {statistics.median(wall):7.2f} ({min(wall):6.2f})  cpu {statistics.median(cpu):7.2f} ({min(cpu):6.2f})")


if __name__ == "__main__":
    main()

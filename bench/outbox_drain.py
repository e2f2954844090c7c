"""How long a phone's outbox of 100 records takes to drain on loopback.

Chromium (real service worker, real IndexedDB) fills its outbox while the server is down, then
the server comes up and the outbox's flush() sends every record with PUT /api/v1/records/<uuid>,
one at a time as on the phone. Prints the drain time, records per second and ms per record,
next to the same 100 PUTs made straight from Python (no browser, no outbox) as a baseline.

    .venv/bin/python bench/outbox_drain.py [--records 100] [--database-url postgresql://...]

The server is werkzeug's threaded server in this process (the browser tests use the same one).
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "browser")]

from conftest import PASSWORD, build_world  # noqa: E402
from offline_support import OUTBOX, LiveServer, open_profile, outbox, outbox_ready, sign_in, wait_for_worker  # noqa: E402


def make_app(database_url: str | None, workdir: Path):
    import os

    from sqlalchemy import text

    from fieldapp import create_app
    from fieldapp.db import get_session, make_engine
    from fieldapp.migrations.runner import upgrade

    url = database_url or f"sqlite:///{workdir / 'bench.sqlite'}"
    engine = make_engine(url)
    if url.startswith("postgresql"):
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    engine.dispose()
    os.environ["FIELDAPP_INSTANCE_PATH"] = str(workdir / "instance")
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    with app.app_context():
        world = build_world(get_session())
    return app, world


def payload(world, n: int) -> dict:
    return {
        "channel": ("rally", "klus", "loket", "visit")[n % 4], "street_id": world.streets["Smitsplein"],
        "house_number": 1 + n % 2, "occurred_at": f"2026-11-21T{8 + n // 60:02d}:{n % 60:02d}:00+01:00",
        "language": ("nl", "tr", "ti", "so")[n % 4], "outcome": "talked",
        "heard_via": "flyer" if n % 4 == 2 else None, "topics": ["energy_bill", "heating"],
        "measures": [{"code": "led_bulb", "quantity": 3}] if n % 4 == 1 else [],
        "notes": f"bench {n}",
    }


def python_baseline(server: LiveServer, token: str, world, count: int) -> list[float]:
    times = []
    for n in range(count):
        body = json.dumps(payload(world, n)).encode()
        request = urllib.request.Request(
            f"{server.url}/api/v1/records/{uuid.uuid4()}", data=body, method="PUT",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        start = time.perf_counter()
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
            assert response.status == 201
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        app, world = make_app(args.database_url, workdir)
        server = LiveServer(app).start()
        with sync_playwright() as pw:
            context = open_profile(pw, workdir / "profile")
            page = context.new_page()
            page.goto(server.url + "/field/login")
            session = sign_in(page, server, "vol", PASSWORD)
            page.goto(server.url + "/field/")
            wait_for_worker(page)
            outbox_ready(page)

            figures = {}
            for mode in ("batch", "one-by-one"):
                server.stop()
                fill_ms = page.evaluate(
                    """async ([module, payloads]) => {
                      const outbox = await import(module);
                      const t0 = performance.now();
                      for (const p of payloads) await outbox.submit(outbox.newUuid(), p);
                      return performance.now() - t0;
                    }""",
                    [OUTBOX, [payload(world, n) for n in range(args.records)]],
                )
                waiting = outbox(page, "outbox.counts()")
                assert waiting["pending"] + waiting["sending"] == args.records, waiting
                server.start()
                drain_ms = page.evaluate(
                    """async ([module, batch]) => {
                      const outbox = await import(module);
                      const t0 = performance.now();
                      await outbox.flush({batch});
                      return performance.now() - t0;
                    }""",
                    [OUTBOX, mode == "batch"],
                )
                counts = outbox(page, "outbox.counts()")
                assert counts["pending"] == 0 and counts["needs_attention"] == 0, counts
                figures[mode] = (fill_ms, drain_ms)
            context.close()
        baseline = python_baseline(server, session["token"], world, args.records)
        server.stop()

    database = "PostgreSQL" if args.database_url else "SQLite"
    base_total = sum(baseline) * 1000
    n = args.records
    print(f"outbox drain, {n} records, {database}, werkzeug threaded server on 127.0.0.1, Chromium")
    for mode, (fill_ms, drain_ms) in figures.items():
        print(f"  {mode:>10}: queued offline in {fill_ms:6.0f} ms; drained in {drain_ms:6.0f} ms"
              f" = {drain_ms / n:5.1f} ms/record, {n / drain_ms * 1000:6.0f} records/s")
    print(f"  baseline: the same {n} PUTs from Python, one by one: {base_total:6.0f} ms"
          f" = {base_total / n:5.1f} ms/record (p50 {statistics.median(baseline) * 1000:.1f} ms)")
    drain_batch, drain_single = figures["batch"][1], figures["one-by-one"][1]
    print(f"  ratio one-by-one outbox / Python baseline: {drain_single / base_total:.2f};"
          f" batch / one-by-one: {drain_batch / drain_single:.2f}")


if __name__ == "__main__":
    main()

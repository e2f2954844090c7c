"""The longest requests at a million records, under gunicorn as README.md runs it, and a client
that walks away from an export.

    .venv/bin/python bench/slow_requests.py --db sqlite|postgresql [--records 1000000] [--reuse]

Uses bench/dashboard.py's generated neighbourhood (the same database; --reuse keeps it when it
has the size asked for) and adds an admin. Starts gunicorn (2 workers per core, 2 gthread
threads, the default 30 s worker timeout) and times, with the in-process figures cache off:
the dashboard all time and for the whole generated period, the map, the follow-up and savings
figures, and every export for the whole period (streets CSV/XLSX/GeoJSON, savings, follow-up,
meetings, and the record-level CSV, which streams): time to the first byte and to the last.
Then opens the record-level CSV, reads its first chunk and closes the connection, and checks
that the server holds no transaction open afterwards (PostgreSQL: no `idle in transaction`
session; SQLite: a checkpoint that truncates the WAL is not blocked by a reader).
"""
from __future__ import annotations

import http.client
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dashboard import PASSWORD, free_port, put_record, world_arguments, world_engine  # noqa: E402

from sqlalchemy import select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from fieldapp.accounts.models import User  # noqa: E402
from fieldapp.accounts.operations import hash_password  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PERIOD = "from=2024-01-01&to=2026-12-31"  # every generated record lies in it
args_walk_only = False  # --walk-away-only: skip the timings


def ensure_admin(engine) -> None:
    with Session(engine) as session:
        if session.scalar(select(User.id).where(User.username == "benchadmin")):
            return
        coord = session.scalar(select(User).where(User.username == "benchcoord"))
        admin = User(username="benchadmin", password_hash=hash_password(PASSWORD), role="admin",
                     partner_id=coord.partner_id, locale="nl", active=True)
        admin.neighbourhoods = list(coord.neighbourhoods)
        session.add(admin)
        session.commit()


def token(base: str, username: str) -> str:
    request = urllib.request.Request(base + "/api/v1/auth/token", method="POST",
                                     data=json.dumps({"username": username, "password": PASSWORD}).encode(),
                                     headers={"Content-Type": "application/json"})
    return json.loads(urllib.request.urlopen(request, timeout=60).read())["token"]


def timed(base: str, path: str, bearer: str) -> tuple[float, float, int, int]:
    """(seconds to the first byte, seconds to the last, status, bytes)."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=600)
    t0 = time.perf_counter()
    connection.request("GET", path, headers={"Authorization": f"Bearer {bearer}", "Accept-Language": "nl"})
    response = connection.getresponse()
    first = response.read(1)
    t_first = time.perf_counter() - t0
    size = len(first) + len(response.read())
    total = time.perf_counter() - t0
    connection.close()
    return t_first, total, response.status, size


def walk_away(base: str, bearer: str) -> None:
    """Start the record-level export, read a little, and close the connection."""
    host, port = base.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=60)
    sock.sendall((f"GET /api/v1/exports/records.csv?{PERIOD} HTTP/1.1\r\nHost: {host}\r\n"
                  f"Authorization: Bearer {bearer}\r\nConnection: close\r\n\r\n").encode())
    received = 0
    while received < 200_000:
        chunk = sock.recv(65536)
        if not chunk:
            break
        received += len(chunk)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # RST: gone
    sock.close()


def open_transactions(url: str, base: str, bearer: str, street_id: int) -> str:
    if url.startswith("sqlite"):
        # A transaction left open pins the WAL as it was when it began: frames written after it
        # (this record) cannot be checkpointed while it lasts.
        put_record(base, bearer, street_id)
        conn = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=5)
        try:
            busy, log, done = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        finally:
            conn.close()
        return ("none (every WAL frame checkpointed)" if busy == 0 and log == done
                else f"a reader still holds the WAL ({done} of {log} frames checkpointed)")
    from fieldapp.db import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        name = conn.execute(text("SELECT current_database()")).scalar()
        # Any session of the app's with a transaction open: streaming (active), or abandoned
        # (idle in transaction).
        rows = conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = :d "
                                 "AND xact_start IS NOT NULL AND pid <> pg_backend_pid()"),
                            {"d": name}).scalar()
    engine.dispose()
    return "none" if rows == 0 else f"{rows} with a transaction open"


def main() -> None:
    global args_walk_only
    args_walk_only = "--walk-away-only" in sys.argv
    if args_walk_only:
        sys.argv.remove("--walk-away-only")
    args = world_arguments(__doc__.split("\n")[0], {
        "sqlite": f"sqlite:///{tempfile.gettempdir()}/fieldapp_bench_dashboard.sqlite",
        "postgresql": "postgresql://postgres@127.0.0.1:5432/fieldapp_dashboard"}, referrals=150_000)
    if args_walk_only and args.reuse:
        from fieldapp.db import make_engine

        engine = make_engine(args.url)  # any size will do to walk away from
    else:
        engine, _new = world_engine(args)
    ensure_admin(engine)
    with engine.connect() as conn:
        street_id = conn.execute(text("SELECT min(id) FROM streets")).scalar()
    engine.dispose()

    port = free_port()
    workers = 2 * (os.cpu_count() or 1)
    env = {**os.environ, "FIELDAPP_DATABASE_URL": args.url, "FIELDAPP_SECRET_KEY": "bench",
           "FIELDAPP_DASHBOARD_CACHE_SECONDS": "0", "FIELDAPP_INSTANCE_PATH": tempfile.mkdtemp(prefix="fieldapp-bench-")}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads", "2", "--worker-class", "gthread",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "fieldapp.wsgi:app"], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        coord, admin = token(base, "benchcoord"), token(base, "benchadmin")
        paths = [
            ("dashboard, all time", "/api/v1/dashboard/streets", coord),
            ("dashboard, whole period", f"/api/v1/dashboard/streets?{PERIOD}", coord),
            ("map, trust index", "/api/v1/map/streets.geojson?metric=trust_index", coord),
            ("follow-up figures, whole period", f"/api/v1/dashboard/followup?{PERIOD}", coord),
            ("savings, whole period", f"/api/v1/dashboard/savings?{PERIOD}", coord),
            ("streets.csv, whole period", f"/api/v1/exports/streets.csv?{PERIOD}", coord),
            ("streets.xlsx, whole period", f"/api/v1/exports/streets.xlsx?{PERIOD}", coord),
            ("streets.geojson, whole period", f"/api/v1/exports/streets.geojson?{PERIOD}", coord),
            ("savings.csv, whole period", f"/api/v1/exports/savings.csv?{PERIOD}", coord),
            ("followup.csv, whole period", f"/api/v1/exports/followup.csv?{PERIOD}", coord),
            ("meetings.csv, whole period", f"/api/v1/exports/meetings.csv?{PERIOD}", coord),
            ("records.csv (streamed), whole period", f"/api/v1/exports/records.csv?{PERIOD}", admin),
        ]
        print(f"database: {args.url.split(':')[0]}, {args.records:,} records; gunicorn {workers} x 2 gthread, "
              f"worker timeout 30 s", flush=True)
        longest = (0.0, "")
        for name, path, bearer in ([] if args_walk_only else paths):
            first, total, status, size = timed(base, path, bearer)
            longest = max(longest, (total, name))
            print(f"  {name:40s} status {status}  first byte {first * 1000:8.0f} ms  last byte {total * 1000:8.0f} ms"
                  f"  {size / 1e6:8.1f} MB", flush=True)
        print(f"longest request: {longest[1]}, {longest[0]:.1f} s", flush=True)
        walk_away(base, admin)
        gone = time.monotonic()
        left = open_transactions(args.url, base, coord, street_id)
        while not left.startswith("none") and time.monotonic() - gone < 60:
            time.sleep(0.5)  # the worker notices the closed connection at its next write
            left = open_transactions(args.url, base, coord, street_id)
        print(f"open transactions after a client walked away mid-export: {left}, "
              f"{time.monotonic() - gone:.1f} s after it went", flush=True)
        print(f"gunicorn master still running, workers not timed out: {server.poll() is None}")
    finally:
        server.terminate()
        server.wait(timeout=60)


if __name__ == "__main__":
    main()

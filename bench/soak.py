"""A fault soak: records sent through faults on the server side must all arrive, once, as sent.

    .venv/bin/python bench/soak.py --db sqlite|postgresql [--records 10000] [--clients 8]

What it does:
  - a database of its own: SQLite in a temporary directory, or a PostgreSQL instance of its own
    (initdb into a temporary directory owned by `postgres`, on a free loopback port; never the
    machine's shared server), migrated, with the synthetic streets and one volunteer;
  - gunicorn as README.md runs it (2 workers per core, 2 threads), behind a proxy that passes
    each request on and, for 20 % of them, drops the answer after the server replied (the
    phone's lost acknowledgement: the record is stored, the phone does not know);
  - `--clients` clients, each an outbox: its share of the records, sent by PUT one at a time or
    by POST /api/v1/records/batch (2 to 50), kept until a 2xx answer says it is stored, waiting
    for Retry-After on a 503 and a moment after no answer;
  - while they send: gunicorn SIGKILLed (master and workers at once) `--kills` times and started
    again, and the database restarted `--restarts` times (PostgreSQL: `pg_ctl stop -m
    immediate`, down a few seconds, started; SQLite has no server: its file is locked by another
    process for a few seconds, past the busy timeout, which the soak sets to 1 s);
  - then checks: rows = records, no duplicates, every stored record's fingerprint (the hash of
    its normalised body and sender, what an identical retry is recognised by) equals the one of
    what was sent, and its referrals are the ones sent; the database's integrity check
    (SQLite: PRAGMA integrity_check; PostgreSQL: pg_amcheck on every table and index); the
    all-time tallies equal a recount; and 0 responses of 500.

Prints the figures; exits 1 when a check fails.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, connect, fresh_database, free_port  # noqa: E402
from ingest import PASSWORD, generate, prepare  # noqa: E402

PG_BIN = Path("/usr/lib/postgresql/15/bin")
DROP = 0.2


# ---- a PostgreSQL of its own -------------------------------------------------------------------

class OwnPostgres:
    """initdb in a temporary directory, on a free loopback port; run as `postgres` (initdb refuses root)."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="fieldapp-soak-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        shutil.chown(self.dir, "postgres", "postgres") if os.geteuid() == 0 else None
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync",
                  "-E", "UTF8", "--locale=C.UTF-8")

    def _run(self, *command: str) -> None:
        subprocess.run([*self.as_postgres, *command], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/fieldapp_soak"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=on"
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.dir / "log"), "-w", "start")

    def stop(self, mode: str = "immediate") -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def create_database(self) -> None:
        self._run(str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "fieldapp_soak")

    def remove(self) -> None:
        try:
            self.stop("fast")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


# ---- gunicorn that can be killed ---------------------------------------------------------------

class Server:
    def __init__(self, database_url: str, port: int):
        self.url, self.port = database_url, port
        self.instance = tempfile.mkdtemp(prefix="fieldapp-soak-instance-")
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        env = {**os.environ, "FIELDAPP_DATABASE_URL": self.url, "FIELDAPP_INSTANCE_PATH": self.instance,
               "FIELDAPP_SQLITE_BUSY_MS": "1000"}
        workers = 2 * (os.cpu_count() or 1)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--error-logfile", str(Path(self.instance) / "gunicorn.log"), "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers),
             "--threads", "2", "--worker-class", "gthread", "--log-level", "error", "fieldapp.wsgi:app"],
            cwd=ROOT, env=env, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{self.port}/healthz", timeout=5).status_code in (200, 503):
                    return
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start")

    def kill(self) -> None:
        """SIGKILL to the master and every worker at once: what an OOM kill or a crash does."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)


# ---- the proxy that loses answers --------------------------------------------------------------

class DroppingProxy:
    """Each client connection carries one request (Connection: close). The proxy passes it on,
    reads the server's whole answer, and then, for DROP of them, closes on the client without a
    byte: the server did its work, the client never hears of it."""

    def __init__(self, upstream_port: int, drop: float, seed: int = 11):
        self.upstream = ("127.0.0.1", upstream_port)
        self.drop = drop
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.dropped = 0
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(256)
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            try:
                upstream = socket.create_connection(self.upstream, timeout=120)
            except OSError:
                return  # no server: the client sees the connection closed
            with upstream:
                threading.Thread(target=self._forward, args=(client, upstream), daemon=True).start()
                answer = bytearray()
                try:
                    while chunk := upstream.recv(65536):
                        answer += chunk
                except OSError:
                    return
                with self.lock:
                    lose = bool(answer) and self.rng.random() < self.drop
                    self.dropped += lose
                if not lose:
                    client.sendall(answer)
        except OSError:
            pass
        finally:
            # shutdown() first: close() alone leaves the connection open while the forwarding
            # thread still waits in recv() on it, and the client would wait for its timeout.
            try:
                client.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            client.close()

    @staticmethod
    def _forward(client: socket.socket, upstream: socket.socket) -> None:
        try:
            while data := client.recv(65536):
                upstream.sendall(data)
        except OSError:
            pass

    def close(self) -> None:
        self.listener.close()


# ---- clients: outboxes -------------------------------------------------------------------------

class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.statuses: Counter = Counter()
        self.no_answer = 0
        self.stored = 0
        self.refused: list[str] = []
        self.longest = 0.0

    def add(self, **changes) -> None:
        with self.lock:
            for key, value in changes.items():
                setattr(self, key, getattr(self, key) + value)


def outbox_client(base_port: int, token: str, records: list[dict], tally: Tally, rng: random.Random,
                  stop: threading.Event) -> None:
    pending = list(records)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Accept-Language": "nl",
               "Connection": "close"}
    base = f"http://127.0.0.1:{base_port}"
    while pending and not stop.is_set():
        size = rng.choice([1, 1, 2, 10, 25, 50])
        chunk = pending[:size]
        if len(chunk) == 1:
            method, path, body = "PUT", f"/api/v1/records/{chunk[0]['id']}", {k: v for k, v in chunk[0].items() if k != "id"}
        else:
            method, path, body = "POST", "/api/v1/records/batch", {"records": chunk}
        started = time.monotonic()
        connection = connect(base, timeout=120)
        try:
            connection.request(method, path, body=json.dumps(body).encode(), headers=headers)
            response = connection.getresponse()
            status, raw = response.status, response.read()
            retry_after = response.getheader("Retry-After")
        except (OSError, http.client.HTTPException):  # no answer: cut, refused, or dropped by the proxy
            tally.add(no_answer=1)
            time.sleep(0.05 + rng.random() * 0.2)
            continue
        finally:
            connection.close()
        elapsed = time.monotonic() - started
        with tally.lock:
            tally.statuses[status] += 1
            tally.longest = max(tally.longest, elapsed)
        if status in (200, 201) and method == "PUT":
            del pending[:1]
            tally.add(stored=1)
        elif status == 200 and method == "POST":
            results = {r["id"]: r["status"] for r in json.loads(raw)["results"]}
            done = [r for r in chunk if results.get(r["id"]) in ("created", "duplicate")]
            bad = [r["id"] for r in chunk if results.get(r["id"]) not in ("created", "duplicate")]
            if bad:
                with tally.lock:
                    tally.refused += bad
            pending = pending[len(chunk):]
            tally.add(stored=len(done))
        elif status == 503 or status == 429:
            time.sleep(float(retry_after) if retry_after else 5.0)  # what the outbox does
        elif status >= 500:
            time.sleep(1.0)
        else:
            with tally.lock:
                tally.refused += [r["id"] for r in chunk]
            pending = pending[len(chunk):]


# ---- the faults ---------------------------------------------------------------------------------

def chaos(kind: str, server: Server, pg: OwnPostgres | None, sqlite_path: str | None, tally: Tally, total: int,
          kills: int, restarts: int, events: list, done: threading.Event) -> None:
    """At evenly spread points of progress, alternately kill gunicorn and restart the database."""
    plan = _interleave(kills, restarts)
    points = [(i + 1) / (len(plan) + 1) for i in range(len(plan))]
    for step, point in zip(plan, points):
        while tally.stored < point * total and not done.is_set():
            time.sleep(0.05)
        if done.is_set():
            return
        started = time.monotonic()
        if step == "kill":
            server.kill()
            time.sleep(1.0)
            server.start()
        elif pg is not None:
            pg.stop("immediate")
            time.sleep(3.0)
            pg.start()
        else:
            lock = sqlite3.connect(sqlite_path, isolation_level=None)
            lock.execute("BEGIN IMMEDIATE")  # another process holds the write lock, past the busy timeout
            time.sleep(3.0)
            lock.close()
        events.append((step, round(tally.stored / total * 100), round(time.monotonic() - started, 1)))


def _interleave(kills: int, restarts: int) -> list[str]:
    plan = []
    for i in range(max(kills, restarts)):
        if i < kills:
            plan.append("kill")
        if i < restarts:
            plan.append("restart")
    return plan


# ---- checks -------------------------------------------------------------------------------------

def check(url: str, kind: str, sent: list[dict], pg: OwnPostgres | None) -> dict:
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from fieldapp import create_app
    from fieldapp.accounts.models import User
    from fieldapp.dashboard import tallies
    from fieldapp.dashboard.queries import Scope, street_figures
    from fieldapp.db import make_engine
    from fieldapp.records.models import Record, Referral
    from fieldapp.records.operations import fingerprint
    from fieldapp.records.schemas import RecordIn
    from fieldapp.streets.models import Neighbourhood
    from fieldapp.timeutil import local_date, utcnow

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "soak"})
    engine = make_engine(url)
    result = {}
    with app.test_request_context(), Session(engine) as session:
        user_id = session.scalar(select(User.id).where(User.username == "bench"))
        rows = session.scalar(select(func.count()).select_from(Record))
        ids = session.scalars(select(Record.id)).all()
        stored = dict(session.execute(select(Record.id, Record.fingerprint)).all())
        referrals = Counter(session.scalars(select(Referral.record_id)).all())
        schema = RecordIn()
        mismatched = 0
        for body in sent:
            data = schema.load(body)
            rid = uuid.UUID(body["id"])
            if stored.get(rid) != fingerprint(data, user_id) or referrals.get(rid, 0) != len(body.get("referrals") or []):
                mismatched += 1
        result.update(rows=rows, duplicates=len(ids) - len(set(ids)), missing=len({uuid.UUID(b["id"]) for b in sent} - set(ids)),
                      mismatched=mismatched)
        # The all-time tallies, written with each record in its transaction, equal a recount.
        hoods = tuple(session.scalars(select(Neighbourhood.id)))
        scope = Scope(neighbourhood_ids=hoods, today=local_date(utcnow()))
        kept = json.dumps(street_figures(session, scope), default=str, sort_keys=True)
        tallies.rebuild(session)
        recounted = json.dumps(street_figures(session, scope), default=str, sort_keys=True)
        session.rollback()
        result["tallies_equal_recount"] = kept == recounted
    engine.dispose()
    if kind == "sqlite":
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            result["integrity_check"] = conn.execute("PRAGMA integrity_check").fetchone()[0]
    else:
        amcheck = subprocess.run(
            [*pg.as_postgres, str(PG_BIN / "pg_amcheck"), "-h", "127.0.0.1", "-p", str(pg.port), "-U", "postgres",
             "--install-missing", "--heapallindexed", "fieldapp_soak"], capture_output=True, text=True)
        result["integrity_check"] = "ok" if amcheck.returncode == 0 else (amcheck.stdout + amcheck.stderr)[:500]
    return result


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # clean up (gunicorn, PostgreSQL) on a kill too
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--restarts", type=int, default=3)
    parser.add_argument("--drop", type=float, default=DROP)
    args = parser.parse_args()

    pg = sqlite_path = None
    server = proxy = None
    try:
        if args.db == "postgresql":
            pg = OwnPostgres()
            pg.start()
            pg.create_database()
            url = fresh_database("postgresql", pg.url)
            sqlite_path = None
        else:
            url = fresh_database("sqlite", "")
            sqlite_path = url.removeprefix("sqlite:///")
        street_ids = prepare(url)
        records = generate(args.records, street_ids, seed=19)
        server = Server(url, free_port())
        server.start()
        token = requests.post(f"http://127.0.0.1:{server.port}/api/v1/auth/token",
                              json={"username": "bench", "password": PASSWORD}, timeout=30).json()["token"]
        proxy = DroppingProxy(server.port, args.drop)
        tally, events, done, stop = Tally(), [], threading.Event(), threading.Event()
        shares = [records[i::args.clients] for i in range(args.clients)]
        started = time.monotonic()
        faults = threading.Thread(target=chaos, args=(args.db, server, pg, sqlite_path, tally, args.records,
                                                      args.kills, args.restarts, events, done), daemon=True)
        faults.start()
        clients = [threading.Thread(target=outbox_client, args=(proxy.port, token, share, tally, random.Random(i), stop))
                   for i, share in enumerate(shares)]
        for client in clients:
            client.start()
        while any(client.is_alive() for client in clients):
            next(client for client in clients if client.is_alive()).join(10)
            print(f"  {time.monotonic() - started:6.0f} s: {tally.stored} stored, {dict(tally.statuses)}, "
                  f"{tally.no_answer} without answer, faults {events}", file=sys.stderr, flush=True)
        done.set()
        faults.join()
        elapsed = time.monotonic() - started
        server.stop()
        found = check(url, args.db, records, pg)
    finally:
        if server:
            server.stop()
            shutil.rmtree(server.instance, ignore_errors=True)
        if proxy:
            proxy.close()
        if pg:
            pg.remove()
        if sqlite_path:
            shutil.rmtree(Path(sqlite_path).parent, ignore_errors=True)

    five_hundreds = sum(n for status, n in tally.statuses.items() if status >= 500 and status != 503)
    figures = {
        "database": args.db, "records sent": args.records, "clients": args.clients, "seconds": round(elapsed, 1),
        "requests answered": sum(tally.statuses.values()), "by status": dict(sorted(tally.statuses.items())),
        "answers dropped by the proxy": proxy.dropped, "requests with no answer": tally.no_answer,
        "gunicorn SIGKILLs / database restarts": f"{sum(e[0] == 'kill' for e in events)} / {sum(e[0] == 'restart' for e in events)}",
        "faults (what, at % sent, seconds)": events,
        "rows": found["rows"], "duplicates": found["duplicates"], "missing": found["missing"],
        "stored body differs from sent": found["mismatched"], "refused by the server": len(tally.refused),
        "integrity_check": found["integrity_check"], "tallies equal a recount": found["tallies_equal_recount"],
        "responses of 500": five_hundreds, "longest request (s)": round(tally.longest, 2),
    }
    for key, value in figures.items():
        print(f"{key:>40}: {value}")
    ok = (found["rows"] == args.records and not found["duplicates"] and not found["missing"]
          and not found["mismatched"] and not tally.refused and found["integrity_check"] == "ok"
          and found["tallies_equal_recount"] and five_hundreds == 0)
    print("soak:", "PASSED" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

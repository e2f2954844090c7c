"""Shared pieces of the benchmarks: a fresh database, a gunicorn server on loopback."""
from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import requests
from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fieldapp.db import make_engine  # noqa: E402
from fieldapp.migrations.runner import upgrade  # noqa: E402

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/fieldapp_bench"


def fresh_database(kind: str, pg_url: str, suffix: str = "") -> str:
    """An empty, migrated database of the given kind; returns its URL. On PostgreSQL it is the
    database of `pg_url` with `suffix` added to its name (created when missing), so that two can
    be in use at once."""
    if kind == "sqlite":
        url = f"sqlite:///{tempfile.mkdtemp(prefix='fieldapp-bench-')}/bench.sqlite"
    else:
        url = pg_url + suffix
        admin = make_engine(url.rsplit("/", 1)[0] + "/postgres").execution_options(isolation_level="AUTOCOMMIT")
        name = url.rsplit("/", 1)[1]
        with admin.connect() as conn:
            if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(database_url: str, workers: int | None = None, threads: int = 2, target: str = "fieldapp.wsgi:app",
             env: dict | None = None):
    """gunicorn on loopback as README.md's "Running it for real" starts it: 2 workers per core
    with 2 threads each. Measured here (2 cores, a connection per request, 3 runs each), PUT p50
    with 8 clients: PostgreSQL 12.9-13.2 ms with 4 x 2 against 14.1-14.5 ms with 2 x 4; SQLite
    7.0-7.5 against 5.6-6.3 ms, kept for one rule on both."""
    workers = workers or 2 * (os.cpu_count() or 1)
    port = free_port()
    env = {**os.environ, "FIELDAPP_DATABASE_URL": database_url,
           "FIELDAPP_INSTANCE_PATH": tempfile.mkdtemp(prefix="fieldapp-bench-instance-"), **(env or {})}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--threads", str(threads), "--worker-class", "gthread", "--log-level", "warning", target],
        cwd=ROOT, env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not start")
        yield base, process
    finally:
        process.terminate()
        process.wait(timeout=30)


# The standard library's HTTP client, not requests, for every timed request: the clients share
# the machine's cores with gunicorn and PostgreSQL, so their own CPU time shows in the latencies
# they measure, and requests spends about 0.5 ms more CPU a call (measured, 8-client PUT load).

def connect(base: str, timeout: float = 120) -> http.client.HTTPConnection:
    """A keep-alive connection to the server, for one client sending request after request."""
    parts = urlsplit(base)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)


def send(connection: http.client.HTTPConnection, method: str, path: str, body: bytes | None = None,
         headers: dict | None = None) -> tuple[int, bytes]:
    """(status, body) of one request on this connection."""
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    return response.status, response.read()


def send_once(base: str, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
              timeout: float = 120) -> tuple[int, bytes]:
    """(status, body) of one request on a connection of its own, closed after it.

    That is how a reverse proxy passes requests on to gunicorn by default (nginx: HTTP/1.0 to
    its upstream). A kept-alive connection stays with the worker that accepted it, and 8 of
    them were shared unevenly between 2 workers in every run (6 and 2, 7 and 1, 5 and 3): the
    split decided the latency (PUT p50 12.5-17.1 ms over 5 runs, against 14.1-14.5 ms over 3
    with a connection per request).
    """
    connection = connect(base, timeout)
    try:
        return send(connection, method, path, body, {**(headers or {}), "Connection": "close"})
    finally:
        connection.close()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]

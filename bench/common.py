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
def gunicorn(database_url: str, workers: int = 2, threads: int = 4):
    port = free_port()
    env = {**os.environ, "FIELDAPP_DATABASE_URL": database_url,
           "FIELDAPP_INSTANCE_PATH": tempfile.mkdtemp(prefix="fieldapp-bench-instance-")}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--threads", str(threads), "--worker-class", "gthread", "--log-level", "warning", "fieldapp.wsgi:app"],
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


class Connection:
    """One keep-alive HTTP/1.1 connection to the server under test, for the timed requests.

    The standard library's client, not requests: the clients share the machine's cores with
    gunicorn and PostgreSQL, so their own CPU time shows in the latencies they measure, and
    requests spends about 0.5 ms more CPU a call than this (measured on an 8-client PUT load).
    """

    def __init__(self, base: str, timeout: float = 120):
        parts = urlsplit(base)
        self._http = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)

    def send(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> tuple[int, bytes]:
        """(status, body) of one request."""
        self._http.request(method, path, body=body, headers=headers or {})
        response = self._http.getresponse()
        return response.status, response.read()

    def __enter__(self) -> "Connection":
        return self

    def __exit__(self, *_exc) -> None:
        self._http.close()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]

"""The public neighbourhood page under a flyer's crowd: gunicorn on loopback (README's 2 workers
per core, 2 threads each) against the demo's Smitsveen, 50 concurrent clients for ~20 s, a
connection per request (as a reverse proxy passes them on), each asking in one of the four
languages. Prints requests per second, latency percentiles, and the database queries the
requests made: the server here is fieldapp.wsgi's app with a counter on its engine that reports
each request's queries in a response header (only in this benchmark), so a hit from the page
cache is told from a request that rendered the page.

    .venv/bin/python bench/public_page.py [--database sqlite|postgresql] [--clients 50] [--seconds 20]
"""
from __future__ import annotations

import argparse
import multiprocessing
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import DEFAULT_PG, fresh_database, gunicorn, percentile, send_once  # noqa: E402

LOCALES = ("nl", "tr", "ti", "so")
HEADER = "X-Bench-Queries"


def counted_app():
    """gunicorn's app for this benchmark: the real one, counting each request's queries."""
    from flask import g, has_request_context
    from sqlalchemy import event

    from fieldapp.wsgi import app

    def count(*_args):
        if has_request_context():
            g.bench_queries = g.get("bench_queries", 0) + 1

    event.listen(app.extensions["fieldapp.engine"], "before_cursor_execute", count)

    @app.after_request
    def report(response):
        response.headers[HEADER] = str(g.get("bench_queries", 0))
        return response

    return app


def seed(url: str) -> None:
    from sqlalchemy.orm import Session

    from fieldapp.db import make_engine
    from fieldapp.demo.seed import seed_demo

    engine = make_engine(url)
    with Session(engine) as session:
        seed_demo(session, "bench password 1")
    engine.dispose()


def client_process(base: str, path: str, threads: int, until: float, offset: int, results) -> None:
    """`threads` clients in one process (the clients' own CPU is spread over processes)."""
    latencies, queries, failures = [], [], [0]
    lock = threading.Lock()

    def client(index: int) -> None:
        language = LOCALES[(offset + index) % len(LOCALES)]
        mine, counts = [], []
        while time.monotonic() < until:
            started = time.perf_counter()
            connection_headers = {"Accept-Language": language}
            try:
                status, _body, header = request(base, path, connection_headers)
            except OSError:
                status, header = 0, None
            if status != 200:
                with lock:
                    failures[0] += 1
                continue
            mine.append(time.perf_counter() - started)
            counts.append(int(header))
        with lock:
            latencies.extend(mine)
            queries.extend(counts)

    workers = [threading.Thread(target=client, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    results.put((latencies, queries, failures[0]))


def request(base: str, path: str, headers: dict) -> tuple[int, bytes, str | None]:
    from common import connect

    connection = connect(base)
    try:
        connection.request("GET", path, headers={**headers, "Connection": "close"})
        response = connection.getresponse()
        return response.status, response.read(), response.getheader(HEADER)
    finally:
        connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--processes", type=int, default=2, help="client processes the clients are spread over")
    args = parser.parse_args()

    url = fresh_database(args.database, args.pg_url, "_public")
    seed(url)
    path = "/buurt/smitsveen"
    with gunicorn(url, target="bench.public_page:counted_app()") as (base, _process):
        status, body = send_once(base, "GET", path)
        assert status == 200, status
        queue = multiprocessing.Queue()
        until = time.monotonic() + args.seconds
        per = [args.clients // args.processes + (i < args.clients % args.processes) for i in range(args.processes)]
        started = time.monotonic()
        procs = [multiprocessing.Process(target=client_process, args=(base, path, n, until, sum(per[:i]), queue))
                 for i, n in enumerate(per)]
        for proc in procs:
            proc.start()
        latencies, queries, failures = [], [], 0
        for _ in procs:
            got = queue.get()
            latencies += got[0]
            queries += got[1]
            failures += got[2]
        for proc in procs:
            proc.join()
        elapsed = time.monotonic() - started

    hits = [q for q in queries if q == 0]
    rendered = [q for q in queries if q > 0]
    print(f"database: {args.database}; {args.clients} clients over {args.processes} processes, {elapsed:.1f} s; "
          f"gunicorn as README (2 workers a core, 2 threads); page {len(body)} bytes")
    print(f"requests: {len(queries)} ok, {failures} failed; {len(queries) / elapsed:.0f} requests/s")
    print(f"latency: p50 {percentile(latencies, 0.5) * 1000:.1f} ms, p95 {percentile(latencies, 0.95) * 1000:.1f} ms, "
          f"p99 {percentile(latencies, 0.99) * 1000:.1f} ms")
    print(f"database queries: {sum(queries)} in all; cached hits {len(hits)} with 0 queries each; "
          f"{len(rendered)} requests rendered the page "
          f"({min(rendered) if rendered else 0}-{max(rendered) if rendered else 0} queries each: "
          f"one per worker and language per page-cache period, 60 s by default)")


if __name__ == "__main__":
    main()

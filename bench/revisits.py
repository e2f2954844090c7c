"""Revisit queue benchmark: the queue and its conversion per language at a million records.

    .venv/bin/python bench/revisits.py --db sqlite [--records 1000000] [--reuse]
    .venv/bin/python bench/revisits.py --db postgresql --url postgresql://postgres@127.0.0.1:5432/fieldapp_revisits_bench

The records are bench/dashboard.py's (one neighbourhood, 200 streets, 40,000 addresses, two
years), with each registered record given its address's own house number (dashboard.py gives
them all number 1: the dashboard reads address_id only, the queue also numbers the register
does not know). Then times, in-process on one session, the median of --runs after a warm-up:
  bare       SELECT street_id, address_id, MAX(occurred_at) FROM records GROUP BY 1, 2: every
             record read once, grouped per address, nothing more
  queue      revisit_queue() for the whole neighbourhood (a coordinator), for one language (a
             taalcoach) and for one street
  conversion conversion_by_language() for one year, and for all time
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from dashboard import world_arguments, world_engine  # noqa: E402
from fieldapp.revisits.queries import conversion_by_language, revisit_queue  # noqa: E402
from fieldapp.streets.models import Neighbourhood, Street  # noqa: E402

BARE = "SELECT street_id, address_id, MAX(occurred_at) FROM records GROUP BY street_id, address_id"


def number_the_addresses(engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("UPDATE records SET house_number = addresses.number FROM addresses "
                          "WHERE addresses.id = records.address_id"))
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE records"))
        else:
            conn.execute(text("ANALYZE"))
            conn.commit()


def timed(call, runs: int) -> tuple[float, object]:
    result, times = call(), []  # the first call warms the page cache
    for _ in range(runs):
        t0 = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def main() -> None:
    # The queue reads no referrals: as few as the dashboard's generator is content with.
    args = world_arguments(__doc__.split("\n")[0], {
        "sqlite": f"sqlite:///{tempfile.gettempdir()}/fieldapp_bench_revisits.sqlite",
        "postgresql": "postgresql://postgres@127.0.0.1:5432/fieldapp_revisits_bench"}, referrals=1000)
    engine, new = world_engine(args)
    if new:
        t0 = time.perf_counter()
        number_the_addresses(engine)
        print(f"house numbers from the register in {time.perf_counter() - t0:.1f} s", flush=True)
    print(f"database: {engine.dialect.name}, {args.records:,} records", flush=True)

    with Session(engine) as session:
        hoods = set(session.scalars(select(Neighbourhood.id)))
        street = session.scalar(select(Street.id).order_by(Street.id))
        bare, _ = timed(lambda: session.execute(text(BARE)).all(), args.runs)
        whole, queue = timed(lambda: revisit_queue(session, hoods), args.runs)
        one_language, ti = timed(lambda: revisit_queue(session, hoods, {"ti"}), args.runs)
        one_street, in_street = timed(lambda: revisit_queue(session, hoods, street_id=street), args.runs)
        year, per_language = timed(lambda: conversion_by_language(session, hoods, date(2025, 1, 1), date(2025, 12, 31)),
                                   args.runs)
        ever, _ = timed(lambda: conversion_by_language(session, hoods, None, None), args.runs)

    print(f"check: {len(queue):,} queued addresses ({len(ti):,} ti, {len(in_street):,} in one street); "
          f"2025: {sum(r['queued'] for r in per_language):,} queued, "
          f"{sum(r['converted'] for r in per_language):,} converted")
    print(f"bare GROUP BY address (every record read once): {bare * 1000:8.1f} ms")
    print(f"queue, whole neighbourhood (coordinator):       {whole * 1000:8.1f} ms   ratio {whole / bare:.2f}x")
    print(f"queue, one language (taalcoach):                {one_language * 1000:8.1f} ms")
    print(f"queue, one street:                              {one_street * 1000:8.1f} ms")
    print(f"conversion per language, 2025:                  {year * 1000:8.1f} ms   ratio {year / bare:.2f}x")
    print(f"conversion per language, all time:              {ever * 1000:8.1f} ms")
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()

"""Backups that are tried: `fieldapp backup` and `fieldapp restore FILE` (docs/operations.md).

A backup is one file plus a note beside it (FILE.json) holding the dashboard's figures as they
were in the very state the file holds: SQLite's are counted from the copy itself, PostgreSQL's
in the snapshot that pg_dump dumps (pg_export_snapshot). A restore loads the file into the
configured database and counts the figures again; they must be identical, or the restore says
so and exits non-zero. The figures are every neighbourhood's all-time dashboard (which reads the
running tallies) and the last year's (counted from the records themselves), with the day the
backup was made as "today".
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from .dashboard.queries import Scope, street_figures
from .db import make_engine
from .records.models import Record
from .streets.models import Neighbourhood
from .timeutil import local_date, utcnow

PATTERN = "fieldapp-*"


@dataclass
class Checked:
    identical: bool
    records: int
    streets: int
    differences: list[str]


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def sqlite_path(url: str) -> Path:
    return Path(make_url(url).database)


def pg_url(url: str) -> str:
    """The URL libpq's tools read (no SQLAlchemy driver name)."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def tool(name: str) -> str:
    """pg_dump / pg_restore: from PATH, else the newest PostgreSQL's bin directory."""
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    raise FileNotFoundError(f"{name} not found: install the PostgreSQL client tools")


def figures(session: Session, today: date) -> dict:
    """What the dashboard answers: all time and the last year, for every neighbourhood."""
    hoods = tuple(sorted(session.scalars(select(Neighbourhood.id))))
    answer = {
        "records": session.scalar(select(func.count()).select_from(Record)),
        "all_time": street_figures(session, Scope(neighbourhood_ids=hoods, today=today)),
        "last_year": street_figures(session, Scope(neighbourhood_ids=hoods, first=today - timedelta(days=365),
                                                   last=today, today=today)),
    }
    return json.loads(json.dumps(answer, default=str, sort_keys=True))


def _digest(answer: dict) -> str:
    return hashlib.sha256(json.dumps(answer, sort_keys=True).encode()).hexdigest()


def backup(url: str, directory: Path) -> Path:
    """Write a backup of the database at `url` into `directory`; returns the file."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    today = local_date(utcnow())
    if is_sqlite(url):
        target = directory / f"fieldapp-{stamp}.sqlite"
        partial = target.with_suffix(".partial")
        source = sqlite3.connect(sqlite_path(url))
        copy = sqlite3.connect(partial)
        try:
            with copy:
                source.backup(copy)  # the online backup API: safe while the app writes
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            copy.close()
            source.close()
        answer = _figures_of(f"sqlite:///{partial}", today)
        os.replace(partial, target)
    else:
        target = directory / f"fieldapp-{stamp}.dump"
        partial = target.with_suffix(".partial")
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar()
                # pg_dump dumps exactly what this transaction sees; the figures are counted in it.
                dump = subprocess.Popen([tool("pg_dump"), "--format=custom", f"--snapshot={snapshot}",
                                         f"--file={partial}", pg_url(url)])
                with Session(bind=conn) as session:
                    answer = figures(session, today)
                if dump.wait() != 0:
                    raise RuntimeError(f"pg_dump failed with status {dump.returncode}")
                conn.exec_driver_sql("COMMIT")
        finally:
            engine.dispose()
        os.replace(partial, target)
    note = {"file": target.name, "database": "sqlite" if is_sqlite(url) else "postgresql",
            "made_at": stamp, "today": today.isoformat(), "records": answer["records"],
            "figures_sha256": _digest(answer), "figures": answer}
    Path(f"{target}.json").write_text(json.dumps(note, sort_keys=True))
    return target


def _figures_of(url: str, today: date) -> dict:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return figures(session, today)
    finally:
        engine.dispose()


def prune(directory: Path, keep_days: int) -> list[Path]:
    """Remove backups (and their notes) older than keep_days; returns what was removed."""
    cutoff = time.time() - keep_days * 86400
    removed = []
    for path in sorted(directory.glob(PATTERN)):
        if path.suffix in (".sqlite", ".dump", ".json") and path.stat().st_mtime < cutoff:
            path.unlink()
            removed.append(path)
    return removed


def _is_empty(url: str) -> bool:
    if is_sqlite(url):
        path = sqlite_path(url)
        if not path.exists() or path.stat().st_size == 0:
            return True
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if is_sqlite(url):
                tables = conn.exec_driver_sql("SELECT count(*) FROM sqlite_master WHERE type = 'table'").scalar()
            else:
                tables = conn.execute(text("SELECT count(*) FROM information_schema.tables "
                                           "WHERE table_schema = 'public'")).scalar()
        return tables == 0
    finally:
        engine.dispose()


def restore(url: str, file: Path, replace: bool = False) -> Checked:
    """Load backup `file` into the database at `url` (empty, unless `replace`), then check that
    it answers the dashboard as the database did when the backup was made."""
    note_path = Path(f"{file}.json")
    if not note_path.exists():
        raise FileNotFoundError(f"{note_path} is missing: it holds the figures the restore is checked against")
    note = json.loads(note_path.read_text())
    if not replace and not _is_empty(url):
        raise RuntimeError("the target database is not empty; restore into a new one, or pass --replace")
    if is_sqlite(url):
        if note["database"] != "sqlite":
            raise RuntimeError("a PostgreSQL dump restores into PostgreSQL")
        path = sqlite_path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
        target = sqlite3.connect(path)
        try:
            with target:
                source.backup(target)
            target.execute("PRAGMA journal_mode=WAL")
        finally:
            target.close()
            source.close()
    else:
        if note["database"] != "postgresql":
            raise RuntimeError("a SQLite backup restores into SQLite")
        command = [tool("pg_restore"), "--no-owner", "--exit-on-error", f"--dbname={pg_url(url)}", str(file)]
        if replace:
            command[1:1] = ["--clean", "--if-exists"]
        subprocess.run(command, check=True)
    answer = _figures_of(url, date.fromisoformat(note["today"]))
    differences = _differences(note["figures"], answer)
    return Checked(not differences, answer["records"], len(answer["all_time"]["streets"]), differences)


def _differences(before, after, where: str = "") -> list[str]:
    if isinstance(before, dict) and isinstance(after, dict):
        found = []
        for key in sorted(set(before) | set(after)):
            found += _differences(before.get(key), after.get(key), f"{where}.{key}")
        return found
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [d for i, (b, a) in enumerate(zip(before, after)) for d in _differences(b, a, f"{where}[{i}]")]
    return [] if before == after else [f"{where or '.'}: {before!r} then, {after!r} now"]

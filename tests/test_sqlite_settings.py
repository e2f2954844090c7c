"""SQLite's durability: FULL unless told otherwise, and a wrong setting stops the app at start."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from fieldapp.db import make_engine

PRAGMA_VALUES = {"OFF": 0, "NORMAL": 1, "FULL": 2, "EXTRA": 3}


def synchronous_of(path) -> int:
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            return conn.execute(text("PRAGMA synchronous")).scalar()
    finally:
        engine.dispose()


def test_a_commit_waits_for_the_disk_unless_told_otherwise(tmp_path, monkeypatch):
    monkeypatch.delenv("FIELDAPP_SQLITE_SYNCHRONOUS", raising=False)
    assert synchronous_of(tmp_path / "app.sqlite") == PRAGMA_VALUES["FULL"]
    for level, value in PRAGMA_VALUES.items():
        monkeypatch.setenv("FIELDAPP_SQLITE_SYNCHRONOUS", level.lower())
        assert synchronous_of(tmp_path / f"{level}.sqlite") == value


def test_an_unknown_level_is_refused_before_any_connection(tmp_path, monkeypatch):
    monkeypatch.setenv("FIELDAPP_SQLITE_SYNCHRONOUS", "sometimes")
    with pytest.raises(ValueError, match="FIELDAPP_SQLITE_SYNCHRONOUS must be one of OFF, NORMAL, FULL, EXTRA"):
        make_engine(f"sqlite:///{tmp_path / 'app.sqlite'}")

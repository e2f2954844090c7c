"""A small per-process cache of street figures, keyed by the data's version.

The map and the dashboard ask for the same figures within seconds of each other; at a million
records one computation takes a good part of a second. The key holds a cheap version stamp of
the data (newest record received, answered referrals, register size), so a new record or an
answer is seen on the next request; the TTL bounds anything the stamp cannot see (a coordinator
correcting an address link). FIELDAPP_DASHBOARD_CACHE_SECONDS=0 turns it off.
"""
from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .queries import A, F, R, Scope, all_time, street_figures
from .stored import stored_street_figures

_lock = threading.Lock()
_entries: OrderedDict = OrderedDict()
MAX_ENTRIES = 32


def data_version(session: Session) -> tuple:
    received = session.execute(select(func.max(R.c.received_at))).scalar()
    answered = session.execute(
        select(func.count()).select_from(F).where(F.c.answered_at.is_not(None))
    ).scalar()
    register = session.execute(select(func.max(A.c.id), func.count()).select_from(A)).one()
    return (str(received), answered, tuple(register))


def clear() -> None:
    with _lock:
        _entries.clear()


def _compute(session: Session, scope: Scope, detail: bool) -> dict:
    # All time is read from the stored street rows (which the map can use as well).
    return stored_street_figures(session, scope) if all_time(scope) else street_figures(session, scope, detail)


def cached_street_figures(session: Session, scope: Scope, detail: bool = True) -> dict:
    """Street figures for the scope; `detail=False` (the map) is also served by full figures
    already cached, which hold everything the map shows."""
    ttl = current_app.config.get(
        "DASHBOARD_CACHE_SECONDS", int(os.environ.get("FIELDAPP_DASHBOARD_CACHE_SECONDS", "60"))
    )
    if not ttl:
        return _compute(session, scope, detail)
    version = data_version(session)
    now = time.monotonic()
    with _lock:
        for wanted in (True,) if detail else (True, False):
            hit = _entries.get((scope, wanted, version))
            if hit and now - hit[0] < ttl:
                _entries.move_to_end((scope, wanted, version))
                return hit[1]
    figures = _compute(session, scope, detail)
    with _lock:
        _entries[(scope, detail, version)] = (now, figures)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return figures

"""Street figures, counted again only where something changed; a read never writes.

One signal says what changed: each street's version (models.StreetVersion), raised in the
transaction of every change to the street's records, referrals or addresses, whichever process
made it. Against it this process keeps, per app:

- each street's all-time row, with the version and day it was counted at (the day decides what
  is overdue); a request recounts only the streets whose version or day moved on, then adds
  what spans streets: the totals, and the median over all referrals, which no street row gives;
- whole answers, each with the versions, names and household counts of its streets, served
  again while those stand (the map asks for what the dashboard just counted); the savings'
  answers also with the versions of the savings figures and prices they were valued with.

Everything is kept in memory and only read from the database, so a dashboard GET takes no
write lock; each worker counts for itself after it starts. FIELDAPP_DASHBOARD_CACHE_SECONDS=0
keeps no whole answers (the rows per street are still kept), which bench/dashboard.py uses to
time the counting itself.
"""
from __future__ import annotations

import os
import threading
import weakref
from collections import OrderedDict
from dataclasses import replace

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..savings.models import Price, SavingFigure
from ..savings.queries import savings_report
from ..db import no_jit
from .queries import S, Scope, all_time, assemble, overall_median, street_figures, street_ids, street_rows
from .tallies import V

MAX_ANSWERS = 32
_every_cache: weakref.WeakSet = weakref.WeakSet()


class FiguresCache:
    def __init__(self):
        self.lock = threading.Lock()
        self.rows: dict[int, tuple] = {}  # street id -> (version, day, row)
        self.answers: OrderedDict = OrderedDict()  # (scope, detail) -> (streets, answer)
        _every_cache.add(self)

    def clear(self) -> None:
        with self.lock:
            self.rows.clear()
            self.answers.clear()


def clear() -> None:
    """Forget everything kept (tests that reuse ids in a new database)."""
    for kept in list(_every_cache):
        kept.clear()


def _kept() -> FiguresCache:
    return current_app.extensions.setdefault("fieldapp.dashboard_figures", FiguresCache())


def _keeps_answers() -> bool:
    return bool(current_app.config.get(
        "DASHBOARD_CACHE_SECONDS", int(os.environ.get("FIELDAPP_DASHBOARD_CACHE_SECONDS", "60"))))


def cached_street_figures(session: Session, scope: Scope, detail: bool = True) -> dict:
    """The answer of queries.street_figures(session, scope, detail); `detail=False` (the map) is
    also served by a full answer kept for the same streets."""
    kept = _kept()
    streets = _streets(session, scope)
    keep = _keeps_answers()
    if keep:
        with kept.lock:
            for wanted in (True,) if detail else (True, False):
                hit = kept.answers.get((scope, wanted))
                if hit and hit[0] == streets:
                    kept.answers.move_to_end((scope, wanted))
                    return hit[1]
    no_jit(session)
    if all_time(scope):
        answer = _all_time(session, kept, scope, streets, detail)
    else:
        answer = street_figures(session, scope, detail)
    if keep:
        _keep(kept, (scope, detail), streets, answer)
    return answer


def _streets(session: Session, scope: Scope) -> tuple:
    """What an answer of these streets was made from: each street's id, name, households and version."""
    return tuple(session.execute(
        select(S.c.id, S.c.name, S.c.households, func.coalesce(V.c.version, 0))
        .select_from(S.outerjoin(V, V.c.street_id == S.c.id))
        .where(S.c.id.in_(street_ids(scope)))
        .order_by(S.c.name, S.c.id)
    ))


def _keep(kept: FiguresCache, key, stamp, answer) -> None:
    with kept.lock:
        kept.answers[key] = (stamp, answer)
        while len(kept.answers) > MAX_ANSWERS:
            kept.answers.popitem(last=False)


def cached_savings_report(session: Session, neighbourhood_ids, first, last) -> dict:
    """The answer of savings.queries.savings_report for these neighbourhoods and period, served
    again while the streets (their records and measures) and the savings figures and prices
    stand. Figures and prices are only ever added (savings.operations), so their count and
    highest id tell whether a version came."""
    scope = Scope(neighbourhood_ids=tuple(sorted(neighbourhood_ids)), first=first, last=last)
    if not _keeps_answers():
        return savings_report(session, scope.neighbourhood_ids, first, last)
    versions = tuple(session.execute(select(*[select(aggregate).scalar_subquery() for aggregate in (
        func.count(SavingFigure.id), func.max(SavingFigure.id), func.count(Price.id), func.max(Price.id))])).one())
    stamp = (_streets(session, scope), versions)
    key = ("savings", scope)
    kept = _kept()
    with kept.lock:
        hit = kept.answers.get(key)
        if hit and hit[0] == stamp:
            kept.answers.move_to_end(key)
            return hit[1]
    answer = savings_report(session, scope.neighbourhood_ids, first, last)
    _keep(kept, key, stamp, answer)
    return answer


def _all_time(session: Session, kept: FiguresCache, scope: Scope, streets: tuple, detail: bool) -> dict:
    """All-time figures from the rows kept per street, recounting the streets that moved on. The
    versions were read before counting, so a row is never kept as newer than the records it was
    counted from; a change committed meanwhile is counted next time."""
    with kept.lock:
        rows = {sid: kept.rows.get(sid) for sid, _name, _households, _version in streets}
    stale = {sid: version for sid, _name, _households, version in streets
             if rows[sid] is None or rows[sid][:2] != (version, scope.today)}
    if stale:
        counted = street_rows(session, replace(scope, only_streets=tuple(sorted(stale))))
        with kept.lock:
            for row in counted:
                sid = row["street_id"]
                kept.rows[sid] = rows[sid] = (stale[sid], scope.today, row)
    answer_rows = [_copy(rows[sid][2]) | {"name": name, "households": households or 0}
                   for sid, name, households, _version in streets]
    return assemble(scope, answer_rows, overall_median(session, scope) if detail else None)


def _copy(row: dict) -> dict:
    """A kept row for one answer: assemble finishes its rows in place."""
    return {key: ({k: dict(v) if isinstance(v, dict) else v for k, v in value.items()}
                  if isinstance(value, dict) else value) for key, value in row.items()}

"""All-time street figures, stored per street and recomputed only where something changed.

The all-time dashboard is the one coordinators open most. Each street's row is stored with the
street's version, which records.tallies raises in the same transaction as any change to the
street's records or referrals, and with the day it was counted for (the day decides what is
overdue). A request reads the stored rows, recomputes only the streets whose version or day
moved on, and adds what spans streets: the totals, and the median over all referrals, which no
street row can give. Street names and household counts are read live.
"""
from __future__ import annotations

from dataclasses import replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..db import conflict_dialect, write_transaction
from ..records.tallies import V
from .models import StoredStreetFigures
from .queries import S, Scope, all_time, assemble, no_jit, overall_median, street_ids, street_rows

SF = StoredStreetFigures.__table__


def stored_street_figures(session: Session, scope: Scope) -> dict:
    """The same answer as queries.street_figures(session, scope) for all time."""
    assert all_time(scope), "stored figures are all-time figures"
    no_jit(session)
    state = session.execute(
        select(S.c.id, S.c.name, S.c.households, func.coalesce(V.c.version, 0), SF.c.version, SF.c.today,
               SF.c.figures)
        .select_from(S.outerjoin(V, V.c.street_id == S.c.id).outerjoin(SF, SF.c.street_id == S.c.id))
        .where(S.c.id.in_(street_ids(scope)))
        .order_by(S.c.name, S.c.id)
    ).all()
    stale = {sid: version for sid, _name, _households, version, stored, day, _figures in state
             if stored != version or day != scope.today}
    fresh: dict[int, dict] = {}
    if stale:
        # The versions were read before counting, so a row is never stored as newer than the
        # records it was counted from; a change committed meanwhile is counted next time.
        rows = street_rows(session, replace(scope, only_streets=tuple(sorted(stale))))
        fresh = {row["street_id"]: row for row in rows}
        _store(session, fresh, stale, scope)
    rows = []
    for sid, name, households, _version, _stored, _day, figures in state:
        row = fresh.get(sid) or figures
        row.update(name=name, households=households or 0)
        rows.append(row)
    return assemble(scope, rows, overall_median(session, scope))


def _store(session: Session, rows: dict[int, dict], versions: dict[int, int], scope: Scope) -> None:
    insert = conflict_dialect(session).insert(SF)
    upsert = insert.on_conflict_do_update(
        index_elements=[SF.c.street_id],
        set_={"version": insert.excluded.version, "today": insert.excluded.today, "figures": insert.excluded.figures},
        # Two requests may count the same street: the one that saw the later version stays.
        where=insert.excluded.version >= SF.c.version,
    )
    values = [{"street_id": sid, "version": versions[sid], "today": scope.today, "figures": rows[sid]}
              for sid in sorted(rows)]
    with write_transaction(session):
        session.execute(upsert, values)

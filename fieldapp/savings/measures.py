"""Installed measures as rows: copied from klus records when they are stored, and their
address kept in step with the record's."""
from __future__ import annotations

from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from ..records.models import Record
from ..timeutil import amsterdam_day
from .models import InstalledMeasure

R = Record.__table__
M: Table = InstalledMeasure.__table__
CHUNK = 500


def measure_rows(records) -> list[dict]:
    """Rows for the installed measures of (id, street_id, address_id, occurred_at, measures)."""
    rows = []
    for record_id, street_id, address_id, occurred_at, measures in records:
        installed = [m for m in measures or [] if "not_possible" not in m and m.get("quantity")]
        if installed:
            day = amsterdam_day(occurred_at)
            rows.extend({"record_id": record_id, "street_id": street_id, "address_id": address_id, "day": day,
                         "code": m["code"], "quantity": m["quantity"]} for m in installed)
    return rows


def fold_in(session: Session, record_ids: list, street_ids: list[int]) -> None:
    """Copy the installed measures of records just stored (hooks.RECORDS_STORED)."""
    ids = list(record_ids)
    for start in range(0, len(ids), CHUNK):
        records = session.execute(
            select(R.c.id, R.c.street_id, R.c.address_id, R.c.occurred_at, R.c.measures)
            .where(R.c.id.in_(ids[start:start + CHUNK]), R.c.channel == "klus"))
        rows = measure_rows(records)
        if rows:
            session.execute(insert(M), rows)


def follow_addresses(session: Session, street_ids: list[int] | None) -> None:
    """Records of these streets changed in place (a number linked to the register, an erasure):
    their measures take the record's address again (hooks.RECORDS_CHANGED)."""
    stmt = update(M).values(address_id=select(R.c.address_id).where(R.c.id == M.c.record_id).scalar_subquery())
    if street_ids is not None:
        if not street_ids:
            return
        stmt = stmt.where(M.c.street_id.in_(sorted(set(street_ids))))
    session.execute(stmt.execution_options(synchronize_session=False))

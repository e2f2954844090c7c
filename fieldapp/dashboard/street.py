"""One street up close: recent visits by partner (everyone) and its addresses (coordinators)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..accounts.models import Partner
from ..timeutil import as_utc, utcnow
from .queries import A, R, Scope, address_steps, consented_addresses, per_address, record_conditions

RECENT_DAYS = 7


@dataclass
class RecentVisit:
    partner: str
    records: int
    last_at: datetime


def recent_visits(session: Session, street_id: int, now: datetime | None = None) -> list[RecentVisit]:
    """Records on the street in the last 7 days, by the partner of the one who recorded them."""
    since = (now or utcnow()) - timedelta(days=RECENT_DAYS)
    P = Partner.__table__
    stmt = (
        select(P.c.name, func.count(), func.max(R.c.occurred_at))
        .select_from(R.join(P, P.c.id == R.c.recorded_by_partner_id))
        .where(R.c.street_id == street_id, R.c.occurred_at >= since)
        .group_by(P.c.name)
        .order_by(func.max(R.c.occurred_at).desc())
    )
    return [RecentVisit(name, n, as_utc(last)) for name, n, last in session.execute(stmt)]


@dataclass
class AddressRow:
    number: int
    addition: str
    tenure: str
    step: int
    records: int
    last_at: datetime | None
    last_partners: list


def address_rows(session: Session, scope: Scope) -> list[AddressRow]:
    """Every register address of scope.street_id with its ladder step in the period (0 = not
    reached), its records, and the latest record's time and partners."""
    # One street's records are few: grouped directly, for any period.
    steps = address_steps(scope, per_address(scope), consented_addresses(scope))
    latest = (
        select(
            R.c.address_id,
            R.c.occurred_at,
            R.c.partners,
            func.row_number().over(partition_by=R.c.address_id,
                                   order_by=(R.c.occurred_at.desc(), R.c.id.desc())).label("rn"),
        )
        .where(R.c.address_id.is_not(None), *record_conditions(scope))
        .subquery()
    )
    stmt = (
        select(A.c.number, A.c.addition, A.c.tenure, func.coalesce(steps.c.step, 0),
               func.coalesce(steps.c.records, 0), latest.c.occurred_at, latest.c.partners)
        .select_from(
            A.outerjoin(steps, steps.c.address_id == A.c.id)
            .outerjoin(latest, (latest.c.address_id == A.c.id) & (latest.c.rn == 1))
        )
        .where(A.c.street_id == scope.street_id)
        .order_by(A.c.number, A.c.addition)
    )
    return [
        AddressRow(number, addition, tenure, int(step), int(n), as_utc(last) if last else None, partners or [])
        for number, addition, tenure, step, n, last, partners in session.execute(stmt)
    ]


@dataclass
class AddressBlock:
    first: int
    last: int
    rows: list[AddressRow]

    @property
    def reached(self) -> int:
        return sum(1 for row in self.rows if row.step > 0)


def address_groups(rows: list[AddressRow], size: int = 40) -> list[AddressBlock]:
    """Consecutive house numbers in blocks of about `size` addresses; a number's additions
    (the flats of one stairwell) always stay in one block."""
    blocks: list[AddressBlock] = []
    for row in rows:
        block = blocks[-1] if blocks else None
        if block is None or (len(block.rows) >= size and row.number != block.last):
            block = AddressBlock(row.number, row.number, [])
            blocks.append(block)
        block.rows.append(row)
        block.last = row.number
    return blocks

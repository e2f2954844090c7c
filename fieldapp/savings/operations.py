"""Adding a version of a figure or a price: a new row from a day on, never an edit of an old one.

The same (measure, day) sent again with the same values is a retry (200, nothing new); with other
values it is a conflict (409): a version once stored stays what past reports were computed with.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..timeutil import day_number
from .models import Price, SavingFigure

CREATED, DUPLICATE, CONFLICT = "created", "duplicate", "conflict"


def _same(row, data: dict) -> bool:
    return all(getattr(row, key) == value for key, value in data.items())


def add_version(session: Session, model, key: tuple[str, str], data: dict, user_id: int):
    """(status, row) for a new version of `model` keyed by its two key fields."""
    existing = session.scalar(select(model).where(*(getattr(model, name) == data[name] for name in key)))
    if existing is not None:
        return (DUPLICATE if _same(existing, data) else CONFLICT), existing
    row = model(**data, from_day=day_number(data["valid_from"]), created_by_id=user_id)
    session.add(row)
    session.flush()
    return CREATED, row


def add_figure(session: Session, data: dict, user_id: int):
    return add_version(session, SavingFigure, ("measure", "valid_from"), data, user_id)


def add_price(session: Session, data: dict, user_id: int):
    return add_version(session, Price, ("carrier", "valid_from"), data, user_id)


def figures(session: Session, measure: str | None = None) -> list[SavingFigure]:
    stmt = select(SavingFigure).order_by(SavingFigure.measure, SavingFigure.valid_from)
    if measure is not None:
        stmt = stmt.where(SavingFigure.measure == measure)
    return list(session.scalars(stmt))


def prices(session: Session, carrier: str | None = None) -> list[Price]:
    stmt = select(Price).order_by(Price.carrier, Price.valid_from)
    if carrier is not None:
        stmt = stmt.where(Price.carrier == carrier)
    return list(session.scalars(stmt))

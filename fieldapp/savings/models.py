"""Savings figures and prices, each a list of versions by valid-from day; and the installed
measures of klus records as rows, so the savings are summed in SQL without JSON functions."""
from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UtcDateTime
from ..timeutil import utcnow

CARRIERS = ("electricity", "gas", "water")
# The unit of each carrier, and the figure columns that hold it.
UNITS = {"electricity": "kwh", "gas": "gas_m3", "water": "water_m3"}
LEVELS = ("low", "default", "high")


class SavingFigure(Base):
    """Per unit of a measure, per year, from `valid_from` until the measure's next version."""

    __tablename__ = "saving_figures"
    __table_args__ = (UniqueConstraint("measure", "valid_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    measure: Mapped[str] = mapped_column(String(30))
    valid_from: Mapped[date] = mapped_column()
    # valid_from as days since 1970-01-01: compared with installed_measures.day in SQL.
    from_day: Mapped[int] = mapped_column(Integer)
    kwh_low: Mapped[float] = mapped_column(Float)
    kwh_default: Mapped[float] = mapped_column(Float)
    kwh_high: Mapped[float] = mapped_column(Float)
    gas_m3_low: Mapped[float] = mapped_column(Float)
    gas_m3_default: Mapped[float] = mapped_column(Float)
    gas_m3_high: Mapped[float] = mapped_column(Float)
    water_m3_low: Mapped[float] = mapped_column(Float)
    water_m3_default: Mapped[float] = mapped_column(Float)
    water_m3_high: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Price(Base):
    """Euros per unit of a carrier (kWh, m³ gas, m³ water) from `valid_from` on."""

    __tablename__ = "energy_prices"
    __table_args__ = (UniqueConstraint("carrier", "valid_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    carrier: Mapped[str] = mapped_column(String(12))
    euro_per_unit: Mapped[float] = mapped_column(Float)
    valid_from: Mapped[date] = mapped_column()
    from_day: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class InstalledMeasure(Base):
    """One installed measure of a klus record (not the not-possible ones), copied when the record
    is stored; the record's JSON stays the source. `address_id` follows the record's (a
    correction, an erasure) through hooks.RECORDS_CHANGED."""

    __tablename__ = "installed_measures"
    __table_args__ = (
        # A period's measures per code, with what the sum reads: read from the index alone.
        Index("ix_installed_measures_code_day", "code", "day", "street_id", "quantity"),
        # The homes that got measures, per street and period.
        Index("ix_installed_measures_street_day", "street_id", "day", "address_id", "record_id"),
        # The savings of a period per street and code: on SQLite read from the index alone, in
        # the order they are grouped in (no sort), one range per street and code.
        Index("ix_installed_measures_street_code_day", "street_id", "code", "day", "quantity", "home_prev_day"),
        # A registered home's rows by day: what finds its first row of a day and its previous day.
        Index("ix_installed_measures_address_day", "address_id", "day", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("records.id"), index=True)
    street_id: Mapped[int] = mapped_column(ForeignKey("streets.id"))
    address_id: Mapped[int | None] = mapped_column(ForeignKey("addresses.id"))
    # The record's Europe/Amsterdam calendar day, as days since 1970-01-01.
    day: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(30))
    quantity: Mapped[int] = mapped_column(Integer)
    # Set on one row per home and day (the home's first row of that day, by id): the home's
    # latest earlier day with measures, NO_EARLIER_DAY when it has none; NULL on the other rows.
    # A home then has measures in a period exactly once as a row inside the period whose
    # previous day lies before it, so the homes of any period are a plain count in the same pass
    # as the sums (no COUNT(DISTINCT)). Kept by measures.py, recounted by `fieldapp rebuild-tallies`.
    home_prev_day: Mapped[int | None] = mapped_column(Integer)


NO_EARLIER_DAY = -10**7  # before any day number: "no earlier day with measures"

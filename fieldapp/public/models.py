"""The energieloket's place and opening hours per neighbourhood, as coordinators keep them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UtcDateTime
from ..timeutil import utcnow


class LoketHours(Base):
    __tablename__ = "loket_hours"

    neighbourhood_id: Mapped[int] = mapped_column(ForeignKey("neighbourhoods.id"), primary_key=True,
                                                  autoincrement=False)
    # A place's name and where to find it ("Smitshof, ground floor of the flat"): the desk is a
    # public place, not a household.
    place: Mapped[str] = mapped_column(String(120))
    # [{"weekday": 0-6 (Monday 0), "opens": "HH:MM", "closes": "HH:MM"}], sorted: stored as
    # days and times, not text, so every language names the days in its own words.
    hours: Mapped[list] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

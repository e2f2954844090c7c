"""A meeting, the streets it targeted and its counts. No resident is named anywhere here: a
meeting only knows how many came, and in which language, never who."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..db import Base, UtcDateTime
from ..timeutil import utcnow

# The two kinds of counts a report carries, keyed by a language or a heard_via code.
LANGUAGE, HEARD_VIA = "language", "heard_via"


class Meeting(Base):
    """Planned once under the UUID its sender made, reported once afterwards: each part is
    stored exactly once (a retry changes nothing, another body is a conflict)."""

    __tablename__ = "meetings"
    __table_args__ = (Index("ix_meetings_hood_start", "neighbourhood_id", "starts_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    neighbourhood_id: Mapped[int] = mapped_column(ForeignKey("neighbourhoods.id"))
    type: Mapped[str] = mapped_column(String(20))
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # The Amsterdam calendar day of starts_at (timeutil.amsterdam_day): the dashboard's "within
    # 14 days after" compares days in SQL without time zone arithmetic on either database.
    start_day: Mapped[int] = mapped_column(Integer)
    place: Mapped[str] = mapped_column(String(120))
    languages: Mapped[list] = mapped_column(JSON, default=list)
    partners: Mapped[list] = mapped_column(JSON, default=list)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    fingerprint: Mapped[str] = mapped_column(String(64))
    # The report: NULL until the meeting was reported.
    head_count: Mapped[int | None] = mapped_column(Integer)
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reported_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    report_fingerprint: Mapped[str | None] = mapped_column(String(64))
    # The joint initiative (koppelkans) the meeting belongs to; the table is initiatives' own,
    # named by its name only: meetings sit below the package that keeps it.
    initiative_id: Mapped[int | None] = mapped_column(ForeignKey("initiatives.id"), index=True)

    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id], lazy="joined")
    streets: Mapped[list["MeetingStreet"]] = relationship(lazy="selectin", order_by="MeetingStreet.street_id")
    counts: Mapped[list["MeetingCount"]] = relationship(lazy="selectin",
                                                        order_by="(MeetingCount.kind, MeetingCount.code)")

    def counts_of(self, kind: str) -> dict[str, int]:
        return {c.code: c.count for c in self.counts if c.kind == kind}


class MeetingStreet(Base):
    """A street the meeting targeted (its residents were invited)."""

    __tablename__ = "meeting_streets"

    meeting_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True)
    street_id: Mapped[int] = mapped_column(ForeignKey("streets.id"), primary_key=True, index=True)


class MeetingCount(Base):
    """How many came per language, or heard of it per heard_via code (a report's counts)."""

    __tablename__ = "meeting_counts"

    meeting_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)

"""An initiative, its partners and its append-only progress notes."""
from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Column, Date, ForeignKey, Index, Integer, String, Table, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Partner, User
from ..db import Base, UtcDateTime
from ..timeutil import utcnow

initiative_partners = Table(
    "initiative_partners",
    Base.metadata,
    Column("initiative_id", ForeignKey("initiatives.id", ondelete="CASCADE"), primary_key=True),
    Column("partner_id", ForeignKey("partners.id"), primary_key=True),
)


class Initiative(Base):
    """A joint initiative "met minimaal twee partners" (DOMAIN.md, part two).

    status, next_step and next_step_due are where the notes left them; each note keeps what it
    changed, so the history is in the notes and this row is their last word.
    """

    __tablename__ = "initiatives"
    __table_args__ = (Index("ix_initiatives_hood_status", "neighbourhood_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    neighbourhood_id: Mapped[int] = mapped_column(ForeignKey("neighbourhoods.id"))
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(String(1000), default="")
    owner_partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(10))
    start_date: Mapped[date] = mapped_column(Date)
    next_step: Mapped[str | None] = mapped_column(String(300))
    next_step_due: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # The Amsterdam day (timeutil.day_number) of the latest progress note, or of the creation while
    # there is none: "no note for 30 days" is then a comparison of two integers on both databases.
    last_progress_day: Mapped[int] = mapped_column(Integer)

    partners: Mapped[list[Partner]] = relationship(secondary=initiative_partners, order_by=Partner.name,
                                                   lazy="selectin")
    owner_partner: Mapped[Partner] = relationship(foreign_keys=[owner_partner_id], lazy="joined")
    owner: Mapped[User] = relationship(foreign_keys=[owner_id], lazy="joined")
    notes: Mapped[list["InitiativeNote"]] = relationship(
        order_by="(InitiativeNote.at.desc(), InitiativeNote.received_at.desc())", lazy="selectin", viewonly=True)

    @property
    def partner_codes(self) -> list[str]:
        return [p.code for p in self.partners]


class InitiativeNote(Base):
    """A dated progress note, sent exactly once under the UUID its sender made. A note may also
    move the status or set the next step; it keeps what was there before, so nothing is lost."""

    __tablename__ = "initiative_notes"
    __table_args__ = (Index("ix_initiative_notes_initiative_day", "initiative_id", "day"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    day: Mapped[int] = mapped_column(Integer)  # the Amsterdam day of `at` (timeutil.day_number)
    text: Mapped[str] = mapped_column(String(1000))
    # Set only when the note changed them; the *_before columns hold the value it replaced.
    status_before: Mapped[str | None] = mapped_column(String(10))
    status_after: Mapped[str | None] = mapped_column(String(10))
    next_step_changed: Mapped[bool] = mapped_column(default=False)
    next_step_before: Mapped[str | None] = mapped_column(String(300))
    next_step_due_before: Mapped[date | None] = mapped_column(Date)
    next_step_after: Mapped[str | None] = mapped_column(String(300))
    next_step_due_after: Mapped[date | None] = mapped_column(Date)
    sent_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # SHA-256 of the canonical body and sender: tells a retry from a conflict, as for records.
    fingerprint: Mapped[str] = mapped_column(String(64))

    sent_by: Mapped[User] = relationship(lazy="joined")

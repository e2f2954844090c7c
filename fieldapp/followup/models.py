"""The follow-up desk's tables: who answers which code, each referral's owner, and its events.

The referral itself (the promise as recorded, its due date, its first contact and its end) is
records' table; what the desk adds lives here.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint, Uuid, and_
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Partner, User
from ..db import Base, UtcDateTime
from ..records.models import Referral
from ..timeutil import utcnow

EVENT_TYPES = ("contacted", "scheduled", "closed", "assigned")


class Route(Base):
    """Per neighbourhood: which partner answers a referral code."""

    __tablename__ = "referral_routes"
    __table_args__ = (UniqueConstraint("neighbourhood_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    neighbourhood_id: Mapped[int] = mapped_column(ForeignKey("neighbourhoods.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(30))
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))

    partner: Mapped[Partner] = relationship(lazy="joined")


class FollowUp(Base):
    """A consented referral on the desk: its partner, its owner and where it stands.

    Made when the referral is stored (routing); `status` is the last word of its events.
    """

    __tablename__ = "followups"
    __table_args__ = (
        Index("ix_followups_partner_status", "partner_id", "status"),
        Index("ix_followups_assignee_status", "assignee_id", "status"),
        # A day stored without its ordinal would drop out of the figures unnoticed: refuse it.
        CheckConstraint("(contact_day IS NULL) = (contact_ordinal IS NULL)", name="ck_followups_contact_ordinal"),
        CheckConstraint("(closing_day IS NULL) = (closing_ordinal IS NULL)", name="ck_followups_closing_ordinal"),
    )

    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"), primary_key=True)
    # None when no route names a partner for the code (an admin removed it).
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(12), default="open")
    # The record's conversation language, copied: the desk groups and matches by it.
    language: Mapped[str] = mapped_column(String(3))
    # The Amsterdam calendar days (timeutil.amsterdam_day) of the referral's record, first contact
    # and end, written with them: the figures count working days between days, and turning
    # every moment into its day on each request cost more than the counting (docs/performance.md).
    record_day: Mapped[int] = mapped_column(Integer)
    contact_day: Mapped[int | None] = mapped_column(Integer)
    closing_day: Mapped[int | None] = mapped_column(Integer)
    # Each of those days' working-day ordinal (workdays.ordinal), written with the day: the
    # working days between two of them are a subtraction, with no calendar at read time.
    record_ordinal: Mapped[int] = mapped_column(Integer)
    contact_ordinal: Mapped[int | None] = mapped_column(Integer)
    closing_ordinal: Mapped[int | None] = mapped_column(Integer)

    referral: Mapped[Referral] = relationship(lazy="joined")
    partner: Mapped[Partner | None] = relationship(lazy="joined")
    assignee: Mapped[User | None] = relationship(lazy="joined")
    events: Mapped[list["ReferralEvent"]] = relationship(
        order_by="(ReferralEvent.at, ReferralEvent.received_at)", lazy="selectin",
        primaryjoin="FollowUp.referral_id == foreign(ReferralEvent.referral_id)", viewonly=True)

    @hybrid_method
    def overdue_on(self, today: date) -> bool:
        """Not closed and past its due date (DOMAIN.md, part two); in SQL below, for the desk's
        order and the figures, with referrals joined."""
        due = self.referral.due_date
        return self.status != "closed" and due is not None and due < today

    @overdue_on.expression
    def overdue_on(cls, today: date):
        return and_(cls.status != "closed", Referral.due_date < today)


class ReferralEvent(Base):
    """One step in a referral's life, sent exactly once under the UUID its sender made."""

    __tablename__ = "referral_events"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(12))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    note: Mapped[str | None] = mapped_column(String(500))
    appointment_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    place: Mapped[str | None] = mapped_column(String(10))
    # A second partner going along (a joint visit), by code.
    with_partner: Mapped[str | None] = mapped_column(String(40))
    outcome: Mapped[str | None] = mapped_column(String(20))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # SHA-256 of the canonical body and sender: tells a retry from a conflict, as for records.
    fingerprint: Mapped[str] = mapped_column(String(64))

    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id], lazy="joined")
    sent_by: Mapped[User | None] = relationship(foreign_keys=[sent_by_id], lazy="joined")

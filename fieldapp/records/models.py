from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    JSON, Boolean, Date, ForeignKey, Index, Integer, SmallInteger, String, Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..db import Base, UtcDateTime
from ..meetings.models import Meeting
from ..streets.models import Address, Street
from ..timeutil import utcnow


class Record(Base):
    """One contact, as recorded on a phone. Append-only history: never updated by the API.

    `address_id` links the record to the address register when street + number + addition
    are known there; a record at an unknown number keeps its house number, has no address_id,
    and counts as an anonymous contact until a coordinator corrects it.
    """

    __tablename__ = "records"
    __table_args__ = (
        # A street's records in a period, with every column the dashboard groups them by, so a
        # chosen period is read from this index alone (bench/dashboard.py; migration 0004).
        Index("ix_records_street_period", "street_id", "occurred_at", "address_id", "channel", "outcome",
              "language", "taalcoach_present", "partner_count", "ownership_bits"),
        Index("ix_records_recorded_by_occurred", "recorded_by_id", "occurred_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    channel: Mapped[str] = mapped_column(String(10))
    street_id: Mapped[int] = mapped_column(ForeignKey("streets.id"))
    address_id: Mapped[int | None] = mapped_column(ForeignKey("addresses.id"), index=True)
    house_number: Mapped[int | None] = mapped_column(Integer)
    house_addition: Mapped[str | None] = mapped_column(String(10))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    language: Mapped[str] = mapped_column(String(3))
    taalcoach_present: Mapped[bool] = mapped_column(Boolean, default=False)
    outcome: Mapped[str | None] = mapped_column(String(20))
    topics: Mapped[list] = mapped_column(JSON, default=list)
    measures: Mapped[list] = mapped_column(JSON, default=list)
    # Rally and loket: what was given ({code, quantity}); never counted as saved, unlike measures.
    handed_out: Mapped[list] = mapped_column(JSON, default=list)
    heard_via: Mapped[str | None] = mapped_column(String(30))
    partners: Mapped[list] = mapped_column(JSON, default=list)
    # len(partners), kept as a column so koppelkansen are counted in SQL without JSON functions.
    partner_count: Mapped[int] = mapped_column(SmallInteger, default=1)
    # Ownership codes (codes.OWNERSHIP), sorted; the old `ambassador: true` is the code "ambassador".
    ownership: Mapped[list] = mapped_column(JSON, default=list)
    # The same codes as a bit mask (codes.ownership_bits), kept as a column like partner_count so
    # the ladder and the counts per code are found in SQL without JSON functions.
    ownership_bits: Mapped[int] = mapped_column(SmallInteger, default=0)
    notes: Mapped[str | None] = mapped_column(String(500))
    # An `event` record: the meeting the resident signed up at.
    meeting_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("meetings.id"), index=True)
    # The joint initiative (koppelkans) this contact was part of; the table is initiatives' own,
    # named here by its name only: records sit below the package that keeps it.
    initiative_id: Mapped[int | None] = mapped_column(ForeignKey("initiatives.id"), index=True)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_by_partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # SHA-256 of the canonical request body and sender: tells a retry (same) from a conflict.
    fingerprint: Mapped[str] = mapped_column(String(64))

    street: Mapped[Street] = relationship()
    address: Mapped[Address | None] = relationship()
    recorded_by: Mapped[User] = relationship()
    meeting: Mapped[Meeting | None] = relationship()
    referrals: Mapped[list["Referral"]] = relationship(
        back_populates="record", order_by="Referral.position", lazy="selectin"
    )


class Referral(Base):
    """A promise to the resident. Open while consented and not answered."""

    __tablename__ = "referrals"
    __table_args__ = (
        Index("ix_referrals_open", "consent", "answered_at", "due_date"),
        # With the address: a period's trust ladder reads its consented addresses from here.
        Index("ix_referrals_street", "consent", "street_id", "occurred_at", "answered_at", "closed_at", "due_date",
              "address_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("records.id"), index=True)
    # Copied from the record, whose street and time never change: the dashboard's follow-up
    # figures read the referrals alone instead of looking up one record per referral.
    street_id: Mapped[int] = mapped_column(ForeignKey("streets.id"))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # The record's registered address, which can change (a number the register learns, an
    # erasure): kept in step through hooks.RECORDS_CHANGED (operations.follow_addresses).
    address_id: Mapped[int | None] = mapped_column(ForeignKey("addresses.id"), index=True)
    position: Mapped[int] = mapped_column(SmallInteger, default=0)
    code: Mapped[str] = mapped_column(String(30))
    consent: Mapped[bool] = mapped_column(Boolean)
    due_date: Mapped[date | None] = mapped_column(Date)
    # Which consent text the resident was shown (the resident card's version and language).
    consent_text_version: Mapped[str | None] = mapped_column(String(40))
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # When the matter ended (the follow-up desk closed it), with or without a first contact.
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    record: Mapped[Record] = relationship(back_populates="referrals")

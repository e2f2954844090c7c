"""The dashboard's tables: running all-time tallies derived from the records, each street's
version, and the indexes its queries need on the records table (migrations 0003, 0004).

The tallies and versions are kept by dashboard/tallies.py, in the transaction that changed the
records (records announce it through fieldapp.hooks). The indexes are declared here rather than
in records/ because they exist for these queries: bench/dashboard.py shows which ones pay off.
"""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UtcDateTime
from ..records.models import Record

# Step 5 ("returned"): does this address have a record before a given moment?
ix_records_address_occurred = Index("ix_records_address_occurred", Record.address_id, Record.occurred_at)

# The street figures read every record of the period once, grouped by (street, address): with
# all the columns they need in one index ordered that way, both databases scan the index alone
# and group without sorting.
ix_records_dashboard = Index(
    "ix_records_dashboard",
    Record.street_id, Record.address_id, Record.occurred_at, Record.channel, Record.outcome,
    Record.language, Record.taalcoach_present, Record.partner_count, Record.ambassador,
)

# Language mix: records per (street, language) read in index order, without a sort.
ix_records_street_language = Index("ix_records_street_language", Record.street_id, Record.language, Record.occurred_at)


class AddressTally(Base):
    """One address's records summed over all time; address_key 0 holds the street's anonymous
    contacts (no house number, or one the register does not know)."""

    __tablename__ = "address_tallies"

    street_id: Mapped[int] = mapped_column(ForeignKey("streets.id"), primary_key=True, autoincrement=False)
    address_key: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    records: Mapped[int] = mapped_column(Integer)
    refusals: Mapped[int] = mapped_column(Integer)
    taalcoach: Mapped[int] = mapped_column(Integer)
    koppel: Mapped[int] = mapped_column(Integer)
    ch_rally: Mapped[int] = mapped_column(Integer)
    ch_klus: Mapped[int] = mapped_column(Integer)
    ch_loket: Mapped[int] = mapped_column(Integer)
    ch_visit: Mapped[int] = mapped_column(Integer)
    ch_event: Mapped[int] = mapped_column(Integer, server_default="0")
    # The highest step one record gives on its own: 1, 2, 4 or 5 (see tallies.record_columns).
    best: Mapped[int] = mapped_column(SmallInteger)
    first_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_loket: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Records holding a consented referral (ladder step 3 when > 0).
    consented_records: Mapped[int] = mapped_column(Integer)


class StreetWeekTally(Base):
    """Records per (street, week, channel) over all time, for the records-per-week chart.
    The week is the Monday of its UTC calendar week (sqlfuncs.week_start)."""

    __tablename__ = "street_week_tallies"

    street_id: Mapped[int] = mapped_column(ForeignKey("streets.id"), primary_key=True, autoincrement=False)
    week: Mapped[str] = mapped_column(String(10), primary_key=True)
    channel: Mapped[str] = mapped_column(String(10), primary_key=True)
    records: Mapped[int] = mapped_column(Integer)


class StreetLanguageTally(Base):
    """Records per (street, language) over all time: the language mix without a scan."""

    __tablename__ = "street_language_tallies"

    street_id: Mapped[int] = mapped_column(ForeignKey("streets.id"), primary_key=True, autoincrement=False)
    language: Mapped[str] = mapped_column(String(3), primary_key=True)
    records: Mapped[int] = mapped_column(Integer)


class StreetVersion(Base):
    """A counter per street, raised in the same transaction as every change to its records, its
    referrals or its addresses: whatever is derived per street is current while the version it
    was derived at stands (dashboard/cache.py)."""

    __tablename__ = "street_versions"

    street_id: Mapped[int] = mapped_column(ForeignKey("streets.id"), primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer)

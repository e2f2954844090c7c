"""Indexes the dashboard's queries need, declared on the records table (migration 0003), and
the stored all-time street figures (migration 0004).

The indexes are kept here rather than in records/ because they exist for these queries: the
benchmark (bench/dashboard.py) shows which ones pay off.
"""
from datetime import date

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base
from ..records.models import Record

# Step 5 ("returned"): does this address have a record before a given moment?
ix_records_address_occurred = Index("ix_records_address_occurred", Record.address_id, Record.occurred_at)

# The street figures read every record of the period once, grouped by (street, address): with
# all the columns they need in one index ordered that way, both databases scan the index alone
# and group without sorting (bench/dashboard.py: several times faster than the table scan).
ix_records_dashboard = Index(
    "ix_records_dashboard",
    Record.street_id, Record.address_id, Record.occurred_at, Record.channel, Record.outcome,
    Record.language, Record.taalcoach_present, Record.partner_count, Record.ambassador,
)

# The figures cache's version stamp asks for the newest record received: one index probe.
ix_records_received_at = Index("ix_records_received_at", Record.received_at)

# Language mix: records per (street, language) read in index order, without a sort.
ix_records_street_language = Index("ix_records_street_language", Record.street_id, Record.language, Record.occurred_at)


class StoredStreetFigures(Base):
    """A street's all-time dashboard row as last computed (dashboard/stored.py). It holds while
    the street's version (records.tallies.StreetVersion) and the day, which decides what is
    overdue, are those it was computed at."""

    __tablename__ = "street_figures"

    street_id: Mapped[int] = mapped_column(ForeignKey("streets.id"), primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer)
    today: Mapped[date | None] = mapped_column(Date)
    figures: Mapped[dict] = mapped_column(JSON)

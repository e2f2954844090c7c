"""Indexes the dashboard's queries need, declared on the records table (migration 0003).

Kept here rather than in records/ because they exist for these queries: the benchmark
(bench/dashboard.py) shows which ones pay off.
"""
from sqlalchemy import Index

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

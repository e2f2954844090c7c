"""Indexes the dashboard's queries need, declared on the records table (migration 0003).

Kept here rather than in records/ because they exist for these queries: the benchmark
(bench/dashboard.py) shows which ones pay off.
"""
from sqlalchemy import Index

from ..records.models import Record

# Step 5 ("returned"): does this address have a record before a given moment?
ix_records_address_occurred = Index("ix_records_address_occurred", Record.address_id, Record.occurred_at)

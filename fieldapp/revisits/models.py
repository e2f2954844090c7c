"""The revisit queue's own index on records (it keeps no table)."""
from __future__ import annotations

from sqlalchemy import Index, and_

from ..records.models import Record

# Doors the register does not know: records with a house number but no address_id, a few in a
# hundred, which the queue and the conversion tell apart by street, number and addition. Without
# it both read every record of the neighbourhood to find them; with it, the few, already in the
# order their windows and groups want (docs/performance.md, issue 15 session 4).
UNREGISTERED = and_(Record.address_id.is_(None), Record.house_number.is_not(None))
ix_records_unregistered_doors = Index(
    "ix_records_unregistered_doors",
    Record.street_id, Record.house_number, Record.house_addition, Record.occurred_at, Record.channel, Record.outcome,
    Record.language,
    postgresql_where=UNREGISTERED, sqlite_where=UNREGISTERED,
)


from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UtcDateTime
from ..timeutil import utcnow


class AuditEvent(Base):
    """One audit entry. Append-only: the migration adds triggers that refuse UPDATE and DELETE.

    The actor is kept by id and name without a foreign key, so the log outlives the account.
    Details hold ids and counts, never a resident's address.
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    event: Mapped[str] = mapped_column(String(40), index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_username: Mapped[str | None] = mapped_column(String(80))
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict] = mapped_column(JSON, default=dict)

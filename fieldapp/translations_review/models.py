"""A suggested wording: one string of one locale, as a speaker of that language would put it.

Sent once under the UUID the phone made (a retry changes nothing, another body is a conflict),
reviewed once by an admin. Accepted wordings are laid over the compiled catalog at once; no
resident is named anywhere here, only the app's own strings and the users who worked on them.
"""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..db import Base, UtcDateTime
from ..timeutil import utcnow

OPEN, ACCEPTED, REJECTED = "open", "accepted", "rejected"
STATUSES = (OPEN, ACCEPTED, REJECTED)


class Suggestion(Base):
    __tablename__ = "translation_suggestions"
    __table_args__ = (Index("ix_translation_suggestions_locale_status", "locale", "status"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    locale: Mapped[str] = mapped_column(String(8))
    msgid: Mapped[str] = mapped_column(Text)
    # One text for a singular msgid, one per plural form of the locale for a plural one.
    forms: Mapped[list] = mapped_column(JSON)
    # The taalcoach's word to the reviewer (why), optional.
    comment: Mapped[str | None] = mapped_column(String(300))
    suggested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    suggested_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), default=OPEN)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    review_note: Mapped[str | None] = mapped_column(String(300))

    suggested_by: Mapped[User] = relationship(foreign_keys=[suggested_by_id], lazy="joined")
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id], lazy="joined")

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, UtcDateTime
from ..streets.models import Neighbourhood
from ..timeutil import utcnow


class Partner(Base):
    """A partner organisation. Partners are data: a project adds them as it grows."""

    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    # The number a resident may call about an appointment (printed on the appointment card).
    phone: Mapped[str | None] = mapped_column(String(30))


user_neighbourhoods = Table(
    "user_neighbourhoods",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("neighbourhood_id", ForeignKey("neighbourhoods.id", ondelete="CASCADE"), primary_key=True),
)


SECOND_FACTOR_ROLES = ("coordinator", "admin")


class UserLanguage(Base):
    """A language a user speaks (ISO 639-1): whom a referral is suggested to, and the language gap.

    A table rather than a list column, so the dashboard asks "does anyone of this partner speak
    it" in SQL. Nobody is assumed to speak Dutch unless it is listed.
    """

    __tablename__ = "user_languages"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(String(3), primary_key=True)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    locale: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # Base32 TOTP secret; set for every coordinator and admin (their second factor).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    # The last TOTP time step accepted: a code is good once, so a shoulder-surfed code is useless.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    # Every session cookie carries the version it was made under; bumping it ends them all.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # An invitation: SHA-256 of a one-time code the admin hands over; the user picks a password.
    invite_hash: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)
    invite_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    partner: Mapped[Partner] = relationship(lazy="joined")
    neighbourhoods: Mapped[list[Neighbourhood]] = relationship(secondary=user_neighbourhoods)
    language_rows: Mapped[list[UserLanguage]] = relationship(
        cascade="all, delete-orphan", order_by=UserLanguage.language, lazy="selectin")

    @property
    def neighbourhood_ids(self) -> set[int]:
        return {n.id for n in self.neighbourhoods}

    @property
    def spoken_languages(self) -> list[str]:
        return [row.language for row in self.language_rows]

    @spoken_languages.setter
    def spoken_languages(self, codes: list[str]) -> None:
        self.language_rows = [UserLanguage(language=code) for code in dict.fromkeys(codes)]

    @property
    def needs_second_factor(self) -> bool:
        return self.role in SECOND_FACTOR_ROLES

    @property
    def sees_all_records(self) -> bool:
        """Coordinators and admins see every record of their neighbourhoods; others their own."""
        return self.role in ("coordinator", "admin")


class ApiToken(Base):
    """A bearer token. Only its SHA-256 is stored, so a database leak reveals no usable token."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    user: Mapped[User] = relationship()


class RecoveryCode(Base):
    """A one-time code for when the phone with the authenticator app is lost. Stored hashed."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class LoginFailure(Base):
    """A failed sign-in, per account and per address: the rate limit counts these rows.

    Kept in the database so every gunicorn worker and every instance sees the same count.
    """

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

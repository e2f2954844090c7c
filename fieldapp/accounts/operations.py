"""Passwords, users and bearer tokens."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..codes import ROLES, STANDARD_PARTNERS
from ..streets.models import Neighbourhood
from ..timeutil import utcnow
from .models import ApiToken, Partner, User

# argon2id with the library's defaults (RFC 9106 low-memory profile).
_hasher = PasswordHasher()
# Verifying against this when the username is unknown keeps response times alike.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(8))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(user: User | None, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash if user else _DUMMY_HASH, password) and user is not None
    except (VerificationError, InvalidHashError):
        return False


def ensure_standard_partners(session: Session) -> int:
    existing = set(session.scalars(select(Partner.code)))
    added = [Partner(code=code, name=name) for code, name in STANDARD_PARTNERS.items() if code not in existing]
    session.add_all(added)
    return len(added)


def get_or_create_neighbourhood(session: Session, name: str) -> Neighbourhood:
    hood = session.scalar(select(Neighbourhood).where(Neighbourhood.name == name))
    if hood is None:
        hood = Neighbourhood(name=name)
        session.add(hood)
        session.flush()
    return hood


def upsert_user(
    session: Session, username: str, password: str, role: str, partner_code: str, neighbourhoods: list[str]
) -> User:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES.codes)}")
    partner = session.scalar(select(Partner).where(Partner.code == partner_code))
    if partner is None:
        raise ValueError(f"unknown partner {partner_code!r}")
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        user = User(username=username)
        session.add(user)
    user.password_hash = hash_password(password)
    user.role = role
    user.partner = partner
    user.active = True
    user.neighbourhoods = [get_or_create_neighbourhood(session, name) for name in neighbourhoods]
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.username == username))
    if not verify_password(user, password) or not user.active:
        return None
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: User, hours: int) -> tuple[str, datetime]:
    token = secrets.token_urlsafe(32)
    expires_at = utcnow() + timedelta(hours=hours)
    session.add(ApiToken(user_id=user.id, token_hash=_token_hash(token), expires_at=expires_at))
    return token, expires_at


def user_for_token(session: Session, token: str) -> User | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    return row.user if row.user.active else None

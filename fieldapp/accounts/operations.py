"""Passwords, users and bearer tokens."""
from __future__ import annotations

import binascii
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

import pyotp
from argon2 import PasswordHasher
from flask import current_app, has_app_context
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import Session, joinedload, lazyload

from .. import audit
from ..codes import ROLES, STANDARD_PARTNERS
from ..i18n.messages import N_
from ..streets.models import Neighbourhood
from ..timeutil import utcnow
from ..validation import LANGUAGES
from .models import ApiToken, LoginFailure, Partner, RecoveryCode, User

# Not an argon2 hash: verifying against it always fails (an invited user before they choose one).
UNUSABLE_PASSWORD = "!unusable"

# argon2id with the library's defaults (RFC 9106 low-memory profile).
_hasher = PasswordHasher()
# Under TESTING only, the same algorithm at its cheapest: the suite creates users in nearly
# every test, and the real profile made hashing a large share of `make test`. Verifying reads
# the parameters from the stored hash, so hashes of either profile verify everywhere.
_test_hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def _current_hasher() -> PasswordHasher:
    return _test_hasher if has_app_context() and current_app.config.get("TESTING") else _hasher


@lru_cache(maxsize=2)
def _dummy_hash(hasher: PasswordHasher) -> str:
    """Verified against when the username is unknown, so response times stay alike."""
    return hasher.hash(secrets.token_hex(8))


def hash_password(password: str) -> str:
    return _current_hasher().hash(password)


def verify_password(user: User | None, password: str) -> bool:
    hasher = _current_hasher()
    try:
        return hasher.verify(user.password_hash if user else _dummy_hash(hasher), password) and user is not None
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
    session: Session, username: str, password: str, role: str, partner_code: str, neighbourhoods: list[str],
    languages: list[str] | None = None,
) -> User:
    """Create or update a user. languages: the ISO 639-1 codes they speak; None keeps them."""
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
    if languages is not None:
        unknown = [code for code in languages if code not in LANGUAGES]
        if unknown:
            raise ValueError(f"unknown language code {unknown[0]!r}; use ISO 639-1 codes such as nl, tr, ti, so")
        user.spoken_languages = languages
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """Password only, no limit or second factor: for scripts and tests, not for sign-in."""
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


@lru_cache(maxsize=1)
def _token_query():
    # One query for the token, its user, the user's partner and neighbourhoods: every API call
    # asks. Built once: constructing it and working out its cache key cost more than running it.
    # The languages the user speaks are read when asked for (see user_for_session).
    user = joinedload(ApiToken.user)
    return (select(ApiToken).where(ApiToken.token_hash == bindparam("token_hash"))
            .options(user.joinedload(User.neighbourhoods), user.lazyload(User.language_rows)))


def user_for_session(session: Session, user_id: int) -> User | None:
    """The user of a signed-in session. The languages the user speaks are read when asked for:
    the relationship's default (selectin) read them in a second query on every request, and
    most requests never ask."""
    return session.get(User, user_id, options=[lazyload(User.language_rows)])


def user_for_token(session: Session, token: str) -> User | None:
    row = session.scalars(_token_query(), {"token_hash": _token_hash(token)}).unique().one_or_none()
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    return row.user if row.user.active else None


# --- passwords -------------------------------------------------------------------------------

MIN_PASSWORD_LENGTH = 8
_COMMON_FILE = Path(__file__).with_name("common_passwords.txt")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = _COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def password_problem(password: str, username: str = "") -> str | None:
    """Why a new password is refused (a msgid), or None. Length and a deny-list, no composition rules."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return N_("Use at least 8 characters.")
    if len(password) > 256:
        return N_("Use at most 256 characters.")
    folded = password.strip().lower()
    if folded in common_passwords() or (username and folded == username.lower()):
        return N_("This password is too easy to guess. Try a few unrelated words.")
    return None


# --- sign-in rate limit ----------------------------------------------------------------------

FAILURE_LIMIT = 5  # the sixth attempt within the window is refused
FAILURE_WINDOW = timedelta(minutes=1)


def limit_keys(username: str, remote_addr: str | None) -> list[str]:
    keys = ["user:" + username.strip().lower()[:80]]
    if remote_addr:
        keys.append("addr:" + remote_addr[:64])
    return keys


class _RedisFailures:
    """The same count in Redis (FIELDAPP_REDIS_URL), through the `limits` library flask-limiter uses."""

    def __init__(self, url: str):
        from limits import RateLimitItemPerMinute, storage, strategies

        self.item = RateLimitItemPerMinute(FAILURE_LIMIT)
        self.limiter = strategies.MovingWindowRateLimiter(storage.storage_from_string(url))

    def blocked(self, keys: list[str]) -> bool:
        return any(not self.limiter.test(self.item, "fieldapp-login", key) for key in keys)

    def note(self, keys: list[str]) -> None:
        for key in keys:
            self.limiter.hit(self.item, "fieldapp-login", key)


@lru_cache(maxsize=4)
def _redis_failures(url: str) -> _RedisFailures:
    return _RedisFailures(url)


def login_blocked(session: Session, keys: list[str], redis_url: str = "") -> bool:
    if redis_url:
        return _redis_failures(redis_url).blocked(keys)
    since = utcnow() - FAILURE_WINDOW
    counts = session.execute(
        select(LoginFailure.key, func.count()).where(LoginFailure.key.in_(keys), LoginFailure.at > since)
        .group_by(LoginFailure.key)
    )
    return any(count >= FAILURE_LIMIT for _key, count in counts)


def note_failure(session: Session, keys: list[str], redis_url: str = "") -> None:
    if redis_url:
        _redis_failures(redis_url).note(keys)
        return
    now = utcnow()
    # Old rows are useless to the limit; clearing them here keeps the table small.
    session.execute(delete(LoginFailure).where(LoginFailure.at < now - timedelta(hours=1)))
    session.add_all(LoginFailure(key=key, at=now) for key in keys)


# --- second factor ---------------------------------------------------------------------------

TOTP_ISSUER = "fieldapp"
RECOVERY_CODES = 10


def _code_hash(code: str) -> str:
    normalised = "".join(ch for ch in code.lower() if ch.isalnum())
    return hashlib.sha256(normalised.encode()).hexdigest()


def enrol_totp(session: Session, user: User, secret: str | None = None) -> tuple[str, list[str]]:
    """Give the user a TOTP secret (base32) and fresh recovery codes; returns both in clear, once."""
    secret = (secret or pyotp.random_base32()).replace(" ", "").upper()
    try:
        pyotp.TOTP(secret).now()
    except (ValueError, TypeError, binascii.Error):
        raise ValueError("the TOTP secret must be base32 (A-Z, 2-7)") from None
    user.totp_secret = secret
    user.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(alphabet) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    session.add_all(RecoveryCode(user_id=user.id, code_hash=_code_hash(code)) for code in codes)
    return secret, codes


def totp_uri(user: User) -> str:
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.username, issuer_name=TOTP_ISSUER)


def verify_second_factor(session: Session, user: User, code: str) -> bool:
    """A current TOTP code (each accepted once) or an unused recovery code (then spent)."""
    code = (code or "").strip().replace(" ", "")
    if not code or not user.totp_secret:
        return False
    if code.isdigit() and len(code) == 6:
        totp = pyotp.TOTP(user.totp_secret)
        step_now = int(utcnow().timestamp()) // totp.interval
        for step in (step_now - 1, step_now, step_now + 1):
            if step > (user.totp_last_step or -1) and hmac.compare_digest(totp.at(step * totp.interval), code):
                user.totp_last_step = step
                return True
        return False
    row = session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _code_hash(code), RecoveryCode.used_at.is_(None)
        )
    )
    if row is None:
        return False
    row.used_at = utcnow()
    return True


# --- signing in ------------------------------------------------------------------------------

OK, BAD_CREDENTIALS, CODE_NEEDED, BAD_CODE, LIMITED = "ok", "bad_credentials", "code_needed", "bad_code", "limited"


@dataclass
class SignIn:
    status: str
    user: User | None = None


def sign_in(
    session: Session, username: str, password: str, code: str | None, remote_addr: str | None,
    redis_url: str = "", *, password_checked_user: User | None = None,
) -> SignIn:
    """One attempt, password and (for coordinators and admins) second factor.

    `password_checked_user` is the web form's second step: the password was right a moment ago.
    Failures are counted and audited here; the caller commits its transaction whatever the result.
    """
    keys = limit_keys(username, remote_addr)
    if login_blocked(session, keys, redis_url):
        audit.add(session, "login_failed", actor=audit.NOBODY, username=username[:80], reason="rate_limited")
        return SignIn(LIMITED)
    user = password_checked_user or session.scalar(select(User).where(User.username == username))
    if password_checked_user is None and (not verify_password(user, password) or not user.active):
        note_failure(session, keys, redis_url)
        audit.add(session, "login_failed", actor=audit.NOBODY, username=username[:80], reason="password")
        return SignIn(BAD_CREDENTIALS)
    if user.needs_second_factor and user.totp_secret:
        if not code:
            return SignIn(CODE_NEEDED, user)
        if not verify_second_factor(session, user, code):
            note_failure(session, keys, redis_url)
            audit.add(session, "login_failed", actor=audit.NOBODY, username=username[:80], reason="second_factor")
            return SignIn(BAD_CODE, user)
    return SignIn(OK, user)


# --- ending sessions, disabling, invitations -------------------------------------------------

INVITE_DAYS = 7


def end_all_sessions(session: Session, user: User) -> int:
    """Sign the user out everywhere: cookie sessions by version, bearer tokens by revocation."""
    user.session_version = (user.session_version or 0) + 1
    result = session.execute(
        update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)).values(revoked_at=utcnow())
    )
    return result.rowcount or 0


def revoke_token(session: Session, token: str) -> bool:
    result = session.execute(
        update(ApiToken).where(ApiToken.token_hash == _token_hash(token), ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return bool(result.rowcount)


def set_active(session: Session, user: User, active: bool) -> None:
    user.active = active
    if not active:
        end_all_sessions(session, user)


def issue_invite(session: Session, user: User) -> str:
    """A one-time code with which the user chooses a (new) password; the old one stops working."""
    code = secrets.token_urlsafe(18)
    user.invite_hash = _token_hash(code)
    user.invite_expires_at = utcnow() + timedelta(days=INVITE_DAYS)
    user.password_hash = UNUSABLE_PASSWORD
    end_all_sessions(session, user)
    return code


def user_for_invite(session: Session, code: str) -> User | None:
    user = session.scalar(select(User).where(User.invite_hash == _token_hash(code or "")))
    if user is None or not user.active or user.invite_expires_at is None or user.invite_expires_at <= utcnow():
        return None
    return user


def accept_invite(session: Session, user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    user.invite_hash = None
    user.invite_expires_at = None

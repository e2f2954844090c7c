"""Who is asking: a bearer token (API clients, the phone's outbox) or the session cookie.

What a view may then do is checked by fieldapp.access, which only reads what this puts in flask.g.
"""
from __future__ import annotations

import secrets
import time

from flask import current_app, g, request, session

from ..db import get_session
from ..security import STATIC_ENDPOINTS
from .models import User
from .operations import user_for_session, user_for_token


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def load_current_user() -> None:
    g.current_user = None
    g.authenticated_by = None
    if request.endpoint in STATIC_ENDPOINTS:
        # A file is the same for everybody: no user to find (a page load asks for some twenty,
        # and each asked the database for the signed-in user).
        return
    token = bearer_token()
    if token is not None:
        g.current_user = user_for_token(get_session(), token)
        g.authenticated_by = "bearer" if g.current_user else None
        return
    user_id = session.get("user_id")
    if user_id is not None:
        user = user_for_session(get_session(), user_id)
        if user is not None and user.active and _session_alive(user):
            g.current_user = user
            g.authenticated_by = "session"
        else:
            session.clear()


def _session_alive(user: User) -> bool:
    """Same version as the user (not signed out elsewhere, not disabled), within both timeouts."""
    now = int(time.time())
    config = current_app.config
    if session.get("sv") != user.session_version:
        return False
    if now - int(session.get("login_at", 0)) > config["SESSION_ABSOLUTE_MINUTES"] * 60:
        return False
    if now - int(session.get("seen_at", 0)) > config["SESSION_IDLE_MINUTES"] * 60:
        return False
    # Refresh the idle clock at most once a minute, so the cookie is not rewritten on every call.
    if now - int(session.get("seen_at", 0)) >= 60:
        session["seen_at"] = now
    return True


def start_session(user: User) -> None:
    """A fresh session at sign-in: nothing carried over from before (no fixation)."""
    _forget_session()
    now = int(time.time())
    session.update(user_id=user.id, sv=user.session_version, login_at=now, seen_at=now, sid=secrets.token_hex(8))
    session.permanent = True
    g.current_user = user
    g.authenticated_by = "session"


def _forget_session() -> None:
    session.clear()
    # flask-wtf caches the request's CSRF token in g; it belonged to the old session.
    g.pop("csrf_token", None)


def end_session() -> None:
    _forget_session()
    g.current_user = None
    g.authenticated_by = None

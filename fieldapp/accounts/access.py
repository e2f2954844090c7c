"""Who is asking: a bearer token (API clients, the phone's outbox) or the session cookie."""
from __future__ import annotations

from functools import wraps

from flask import g, request, session
from flask_babel import gettext as _

from ..db import get_session
from .models import User
from .operations import user_for_token


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def load_current_user() -> None:
    g.current_user = None
    g.authenticated_by = None
    token = bearer_token()
    if token is not None:
        g.current_user = user_for_token(get_session(), token)
        g.authenticated_by = "bearer" if g.current_user else None
        return
    user_id = session.get("user_id")
    if user_id is not None:
        user = get_session().get(User, user_id)
        if user is not None and user.active:
            g.current_user = user
            g.authenticated_by = "session"


def current_user() -> User | None:
    return g.get("current_user")


class AccessDenied(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def require_user(*roles: str) -> User:
    user = current_user()
    if user is None:
        raise AccessDenied(401, _("Please log in."))
    if roles and user.role not in roles:
        raise AccessDenied(403, _("You do not have access to this."))
    return user


def login_required(*roles: str):
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            require_user(*roles)
            return view(*args, **kwargs)

        return wrapped

    return decorator

"""May this request go on: the checks every blueprint makes, reading only what is in flask.g.

Who is asking is settled before the view runs, by accounts.access.load_current_user (it needs the
accounts' models); these helpers sit at the bottom so that any package can guard its views
without importing accounts.
"""
from __future__ import annotations

from functools import wraps

from flask import g
from flask_babel import gettext as _


def current_user():
    """The signed-in accounts.models.User of this request, or None."""
    return g.get("current_user")


class AccessDenied(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def require_user(*roles: str):
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

"""Who works on which locale's wordings.

A user suggests wordings for a locale they speak (their spoken languages, set with
`create-user --languages` or on the admin's user screen), when their role is one of
SUGGEST_ROLES (FIELDAPP_SUGGEST_ROLES; taalcoaches and admins by default: the native speakers
who use the app every day, and whoever reviews). Only admins accept or reject.
"""
from __future__ import annotations

from flask import current_app

from ..i18n import TRANSLATED

DEFAULT_SUGGEST_ROLES = ("taalcoach", "admin")
REVIEW_ROLES = ("admin",)


def suggest_roles() -> tuple[str, ...]:
    return tuple(current_app.config.get("SUGGEST_ROLES") or DEFAULT_SUGGEST_ROLES)


def suggest_locales(user) -> list[str]:
    """The catalog locales this user may suggest wordings for (none: no suggest mode)."""
    if user is None or user.role not in suggest_roles():
        return []
    spoken = set(user.spoken_languages)
    return [code for code in TRANSLATED if code in spoken]


def may_suggest(user, code: str) -> bool:
    return code in suggest_locales(user)

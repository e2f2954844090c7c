"""The accepted wordings of a locale, for the server (hooks.TRANSLATION_OVERRIDES) and the phone
(/field/i18n/<code>.json).

The version stamp is (how many accepted, the latest review time): accepting is the only way a
wording changes, and an accepted suggestion is never reviewed again, so the stamp moves exactly
when the wordings do. One small indexed query per call; the wordings themselves are read again
only when the stamp moved, and kept per app.
"""
from __future__ import annotations

import threading

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from ..db import get_engine
from .catalogs import load
from .models import ACCEPTED, Suggestion

_lock = threading.Lock()
KEPT = "fieldapp.translation_overrides"


def _stamp(conn, code: str) -> tuple:
    count, latest = conn.execute(
        select(func.count(Suggestion.id), func.max(Suggestion.reviewed_at))
        .where(Suggestion.locale == code, Suggestion.status == ACCEPTED)).one()
    return (count, latest.isoformat() if latest is not None else None)


def _read(conn, code: str) -> dict:
    """msgid -> forms, the latest accepted wording of each msgid."""
    rows = conn.execute(
        select(Suggestion.msgid, Suggestion.forms)
        .where(Suggestion.locale == code, Suggestion.status == ACCEPTED)
        .order_by(Suggestion.reviewed_at, Suggestion.suggested_at)).all()
    return {msgid: list(forms) for msgid, forms in rows}


def accepted(code: str) -> tuple[tuple, dict]:
    """(version, {msgid: [forms]}) of the locale; an empty dict when none (or no table yet)."""
    try:
        with get_engine().connect() as conn:
            stamp = _stamp(conn, code)
            kept = current_app.extensions.setdefault(KEPT, {})
            hit = kept.get(code)
            if hit is not None and hit[0] == stamp:
                return hit
            if stamp[0] == 0:
                hit = (stamp, {})
            else:
                hit = (stamp, _read(conn, code))
    except SQLAlchemyError:  # a database not migrated this far: the compiled catalog alone
        return ((0, None), {})
    with _lock:
        kept[code] = hit
    return hit


def answer_overrides(_session, locale: str):
    """hooks.TRANSLATION_OVERRIDES: (version, {msgid: (plural, forms)}) or None."""
    from ..i18n import TRANSLATED

    if locale not in TRANSLATED:
        return None
    version, wordings = accepted(locale)
    if not wordings:
        return (version, {})
    entries = load(locale).entries
    return (version, {msgid: (bool(entries[msgid].plural_id) if msgid in entries else len(forms) > 1, forms)
                      for msgid, forms in wordings.items()})


def singular_wordings(code: str) -> dict[str, str]:
    """The accepted wordings of singular msgids: what the phone's catalog JSON lays over its own."""
    _version, wordings = accepted(code)
    return {msgid: forms[0] for msgid, forms in wordings.items() if len(forms) == 1}

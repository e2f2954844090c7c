"""Suggesting a wording (exactly once per UUID), reviewing it (once), listing and counting.

A suggestion arrives under the UUID the phone made, so the outbox may send it again after a lost
answer: the same body from the same sender is a retry (200), another body a conflict (409), and
the stored suggestion never changes. It is checked as the catalog check checks an entry
(fieldapp/i18n/checks.py), against the committed catalog of its locale, so an accepted wording
can never break a screen. A review is written only while the suggestion is open (UPDATE ...
WHERE status = 'open'), so two admins cannot both decide it.
"""
from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass

from flask_babel import gettext
from marshmallow import ValidationError
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from .. import audit
from ..accounts.models import User
from ..db import writes
from ..i18n import TRANSLATED
from ..i18n.checks import wording_problems
from ..i18n.messages import N_
from ..timeutil import utcnow
from .catalogs import load
from .models import ACCEPTED, OPEN, REJECTED, Suggestion
from .overrides import accepted

CREATED, DUPLICATE, CONFLICT = "created", "duplicate", "conflict"
TABLE = Suggestion.__table__
AUDIT_TEXT = 200  # characters of a msgid or wording kept in the audit log


@dataclass
class Stored:
    status: str
    suggestion: Suggestion | None


def _fingerprint(data: dict, sender_id: int) -> str:
    canonical = {key: data.get(key) for key in ("locale", "msgid", "forms", "comment")}
    canonical["sender"] = sender_id
    return hashlib.sha256(json.dumps(canonical, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def check_wording(code: str, msgid: str, forms: list[str]) -> None:
    """Raise a ValidationError, in the request's language, unless the catalog check would take it."""
    entry = load(code).entries.get(msgid)
    if entry is None:
        raise ValidationError({"msgid": [N_("Unknown text.")]})
    problems = wording_problems(msgid, entry.plural_id, forms, load(code).nplurals, code)
    if problems:
        # These carry values (the placeholders, the count): translated here, with them, rather
        # than at the API's edge, which translates plain msgids only.
        raise ValidationError({"forms": [gettext(message, **params) for message, params in problems]})


def suggest(session: Session, user: User, suggestion_id: uuid.UUID, data: dict) -> Stored:
    """Store a suggestion once. The caller holds the write transaction and checked the user."""
    print_ = _fingerprint(data, user.id)
    stored = session.get(Suggestion, suggestion_id)
    if stored is not None:
        return Stored(DUPLICATE if stored.fingerprint == print_ else CONFLICT, stored)
    check_wording(data["locale"], data["msgid"], data["forms"])
    row = {"id": suggestion_id, "locale": data["locale"], "msgid": data["msgid"], "forms": data["forms"],
           "comment": data["comment"], "suggested_by_id": user.id, "suggested_at": utcnow(),
           "fingerprint": print_, "status": OPEN}
    if not writes(session).insert_rows(session, TABLE, [row], skip_existing=("id",), returning=("id",)):
        stored = session.get(Suggestion, suggestion_id, populate_existing=True)
        return Stored(DUPLICATE if stored.fingerprint == print_ else CONFLICT, stored)
    audit.add(session, "translation_suggested", actor=user, suggestion=str(suggestion_id), locale=data["locale"],
              msgid=data["msgid"][:AUDIT_TEXT], forms=[form[:AUDIT_TEXT] for form in data["forms"]])
    return Stored(CREATED, session.get(Suggestion, suggestion_id, populate_existing=True))


def review(session: Session, user: User, suggestion: Suggestion, decision: str, note: str | None) -> Stored:
    """Accept or reject an open suggestion, once. The caller holds the write transaction."""
    status = ACCEPTED if decision == "accept" else REJECTED
    if suggestion.status != OPEN:
        same = suggestion.status == status and (suggestion.review_note or None) == note
        return Stored(DUPLICATE if same else CONFLICT, suggestion)
    if status == ACCEPTED:
        check_wording(suggestion.locale, suggestion.msgid, list(suggestion.forms))  # the catalog may have moved on
    claimed = session.execute(
        update(Suggestion).where(Suggestion.id == suggestion.id, Suggestion.status == OPEN)
        .values(status=status, reviewed_by_id=user.id, reviewed_at=utcnow(), review_note=note)
        .execution_options(synchronize_session=False)).rowcount
    if not claimed:
        session.refresh(suggestion)
        same = suggestion.status == status and (suggestion.review_note or None) == note
        return Stored(DUPLICATE if same else CONFLICT, suggestion)
    if status == ACCEPTED:
        # Rendered pages this process keeps (the public neighbourhood page) hold the old wording.
        session.info.setdefault("after_commit", []).append(_forget_rendered_pages)
    audit.add(session, "translation_accepted" if status == ACCEPTED else "translation_rejected", actor=user,
              suggestion=str(suggestion.id), locale=suggestion.locale, msgid=suggestion.msgid[:AUDIT_TEXT],
              suggested_by=suggestion.suggested_by.username, note=note)
    return Stored(CREATED, session.get(Suggestion, suggestion.id, populate_existing=True))


def _forget_rendered_pages() -> None:
    from ..public import cache

    cache.clear()


def after_commit(session: Session) -> None:
    """What a committed review asks for (the caller runs it once its transaction committed)."""
    for action in session.info.pop("after_commit", []):
        action()


def current_forms(code: str, msgid: str, wordings: dict | None = None) -> list[str]:
    """The wording in use now: the latest accepted one, else the catalog's."""
    if wordings is None:
        _version, wordings = accepted(code)
    if msgid in wordings:
        return list(wordings[msgid])
    entry = load(code).entries.get(msgid)
    return list(entry.forms) if entry else []


def with_current(suggestions: list[Suggestion]) -> list[Suggestion]:
    by_locale: dict[str, dict] = {}  # the accepted wordings read once per locale, not per suggestion
    for suggestion in suggestions:
        if suggestion.locale not in by_locale:
            by_locale[suggestion.locale] = accepted(suggestion.locale)[1]
        suggestion.current = current_forms(suggestion.locale, suggestion.msgid, by_locale[suggestion.locale])
    return suggestions


def list_suggestions(session: Session, locale: str | None = None, status: str | None = None,
                     limit: int = 500) -> list[Suggestion]:
    """Newest first; open ones before the reviewed when no status is asked for."""
    stmt = select(Suggestion)
    if locale:
        stmt = stmt.where(Suggestion.locale == locale)
    if status:
        stmt = stmt.where(Suggestion.status == status)
    stmt = stmt.order_by((Suggestion.status != OPEN), Suggestion.suggested_at.desc(), Suggestion.id).limit(limit)
    return with_current(list(session.scalars(stmt)))


def mine(session: Session, user: User, limit: int = 200) -> list[Suggestion]:
    stmt = (select(Suggestion).where(Suggestion.suggested_by_id == user.id)
            .order_by(Suggestion.suggested_at.desc(), Suggestion.id).limit(limit))
    return with_current(list(session.scalars(stmt)))


def reviewed_msgids(session: Session, code: str) -> set[str]:
    """Strings of the locale a native speaker reviewed: marked in the .po, or accepted since."""
    entries = load(code).entries
    marked = {msgid for msgid, entry in entries.items() if entry.reviewed}
    taken = set(session.scalars(select(Suggestion.msgid).where(Suggestion.locale == code,
                                                                Suggestion.status == ACCEPTED).distinct()))
    return marked | (taken & set(entries))


def shares(session: Session) -> list[dict]:
    """Per locale: its strings, how many a native speaker reviewed, the share, open suggestions."""
    waiting = dict(session.execute(select(Suggestion.locale, func.count()).where(Suggestion.status == OPEN)
                                   .group_by(Suggestion.locale)).all())
    rows = []
    for code in TRANSLATED:
        strings = len(load(code))
        reviewed = len(reviewed_msgids(session, code))
        rows.append({"locale": code, "strings": strings, "reviewed": reviewed,
                     "share": reviewed / strings if strings else 0.0, "open": waiting.get(code, 0)})
    return rows

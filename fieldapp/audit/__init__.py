"""The audit log: who did what to which personal data, append-only.

Other packages call `audit.record(event, **details)` after the fact, outside their own write
transaction (it commits at once), or `audit.add(session, event, **details)` inside one, so the
entry commits or rolls back with the change it describes.
"""
from __future__ import annotations

from flask import g, has_request_context, request

from ..db import get_session, write_transaction
from .models import AuditEvent

# The events the app writes; a test checks every one is written somewhere.
EVENTS = (
    "login",
    "login_failed",
    "logout",
    "token_issued",
    "token_revoked",
    "user_invited",
    "user_changed",
    "user_disabled",
    "password_reset",
    "invite_accepted",
    "address_view",
    "export",
    "retention_run",
    "address_erased",
    "address_exported",
    "routing_changed",
    "loket_hours_changed",
    "translation_suggested",
    "translation_accepted",
    "translation_rejected",
)


# Pass as `actor` when nobody is signed in to blame: a failed sign-in, a command-line run.
NOBODY = object()


def _entry(event: str, details: dict, actor=None) -> AuditEvent:
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}")
    if actor is None:
        actor = g.get("current_user") if has_request_context() else None
    return AuditEvent(
        event=event,
        actor_id=getattr(actor, "id", None),
        actor_username=getattr(actor, "username", None),
        remote_addr=request.remote_addr if has_request_context() else None,
        details={key: value for key, value in details.items() if value is not None},
    )


def add(session, event: str, actor=None, **details) -> AuditEvent:
    """Add an entry to the caller's transaction."""
    entry = _entry(event, details, actor)
    session.add(entry)
    return entry


def record(event: str, actor=None, **details) -> None:
    """Write an entry now, in a transaction of its own on the request's session."""
    session = get_session()
    with write_transaction(session):
        add(session, event, actor, **details)

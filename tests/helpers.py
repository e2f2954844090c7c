"""Small helpers shared by tests."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from babel.support import Translations
from sqlalchemy import event

ROOT = Path(__file__).resolve().parent.parent


def catalog_text(locale: str, msgid: str) -> str:
    """The committed catalog's translation of msgid (the expected text of a translated message)."""
    return Translations.load(str(ROOT / "translations"), [locale]).gettext(msgid)


@contextmanager
def sent_statements(app):
    """Every statement the app's engine sends while the block runs, as sent."""
    sent: list[str] = []

    def seen(_conn, _cursor, statement, _params, _context, _executemany):
        sent.append(statement)

    engine = app.extensions["fieldapp.engine"]
    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", seen)


def rally(street_id: int, **extra) -> dict:
    body = {
        "channel": "rally",
        "street_id": street_id,
        "house_number": 1,
        "occurred_at": "2026-01-05T10:00:00+01:00",
        "language": "tr",
        "outcome": "talked",
    }
    body.update(extra)
    return body


class ServedApp:
    """An app served by werkzeug on 127.0.0.1 at a free port, in a thread: real HTTP, real sockets."""

    def __init__(self, app):
        import logging

        from werkzeug.serving import make_server

        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request drowns the report
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def __enter__(self) -> "ServedApp":
        import threading

        self.thread = threading.Thread(target=self.server.serve_forever, name="served-app", daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)
        self.server.server_close()

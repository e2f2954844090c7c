"""Small helpers shared by tests."""
from __future__ import annotations

from pathlib import Path

from babel.support import Translations

ROOT = Path(__file__).resolve().parent.parent


def catalog_text(locale: str, msgid: str) -> str:
    """The committed catalog's translation of msgid (the expected text of a translated message)."""
    return Translations.load(str(ROOT / "translations"), [locale]).gettext(msgid)


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

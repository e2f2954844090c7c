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

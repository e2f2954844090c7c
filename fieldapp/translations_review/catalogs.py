"""The committed catalogs as Babel reads them: which msgids a locale has, its plural forms, the
current wording of each, and which entries a native speaker has reviewed.

Read with Babel's own `read_po` (never by string handling) from translations/<code>/LC_MESSAGES/
messages.po, once per file version. An entry a native speaker reviewed carries the translator
comment REVIEWED_MARK (the export writes it; `pybabel update` keeps translator comments).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po
from flask import current_app

REVIEWED_MARK = "reviewed by a native speaker"


@dataclass(frozen=True)
class Entry:
    msgid: str
    plural_id: str | None
    forms: tuple[str, ...]
    reviewed: bool


@dataclass(frozen=True)
class LocaleCatalog:
    code: str
    nplurals: int
    entries: dict  # msgid -> Entry

    def __len__(self) -> int:
        return len(self.entries)


def po_path(code: str, root: str | Path | None = None) -> Path:
    root = Path(root or current_app.config["BABEL_TRANSLATION_DIRECTORIES"])
    return root / code / "LC_MESSAGES" / "messages.po"


def read_catalog(path: Path, code: str):
    with path.open("rb") as f:
        return read_po(f, locale=code)


def load(code: str, root: str | Path | None = None) -> LocaleCatalog:
    path = po_path(code, root)
    return _load(str(path), code, path.stat().st_mtime_ns)


@lru_cache(maxsize=8)
def _load(path: str, code: str, _mtime: int) -> LocaleCatalog:
    catalog = read_catalog(Path(path), code)
    entries = {}
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, (list, tuple)):
            msgid, plural_id = message.id[0], message.id[1]
            forms = tuple(message.string or ())
        else:
            msgid, plural_id, forms = message.id, None, (message.string or "",)
        entries[msgid] = Entry(msgid, plural_id, forms, REVIEWED_MARK in message.user_comments)
    return LocaleCatalog(code, catalog.num_plurals, entries)

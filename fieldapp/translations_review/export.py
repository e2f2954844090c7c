"""`fieldapp translations export --locale ti`: the accepted wordings merged into the catalog.

Babel reads the committed `.po` (read_po), the accepted wordings replace the msgstr of their
entries, each marked with the translator comment REVIEWED_MARK, and Babel writes it back
(write_po): no string handling of the file. The review status of the locale in
translations/REVIEW.md is then computed from the marked entries, and so is the catalog's
Last-Translator line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from babel.messages.pofile import write_po
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..i18n.checks import wording_problems
from .catalogs import REVIEWED_MARK, po_path, read_catalog
from .models import ACCEPTED, Suggestion

MACHINE_MADE = "machine-made, awaiting native review"


@dataclass
class ExportReport:
    path: Path
    merged: int
    skipped: list[str]  # accepted msgids the catalog no longer has, or no longer fit
    reviewed: int
    strings: int
    status: str


def review_status(reviewed: int, strings: int, day: date) -> str:
    """REVIEW.md's status of a locale, from how many of its strings a native speaker reviewed."""
    if not reviewed or not strings:
        return MACHINE_MADE
    if reviewed >= strings:
        return f"reviewed by native speakers, {day.isoformat()}"
    percent = min(99, max(1, int(100 * reviewed / strings)))
    return f"partly reviewed by native speakers ({percent} %), {day.isoformat()}"


def last_translator(status: str) -> str:
    if status == MACHINE_MADE:
        return f"fieldapp field helper ({MACHINE_MADE})"
    return f"taalcoaches of the neighbourhood ({status})"


def accepted_wordings(session: Session, code: str) -> dict[str, list[str]]:
    rows = session.execute(select(Suggestion.msgid, Suggestion.forms)
                           .where(Suggestion.locale == code, Suggestion.status == ACCEPTED)
                           .order_by(Suggestion.reviewed_at, Suggestion.suggested_at)).all()
    return {msgid: list(forms) for msgid, forms in rows}


def export_locale(session: Session, code: str, output: Path | None = None, review_file: Path | None = None,
                  today: date | None = None, root: Path | None = None) -> ExportReport:
    today = today or date.today()
    source = po_path(code, root)
    catalog = read_catalog(source, code)
    merged, skipped = 0, []
    for msgid, forms in accepted_wordings(session, code).items():
        message = catalog.get(msgid)
        plural_id = message.id[1] if message is not None and isinstance(message.id, (list, tuple)) else None
        if message is None or wording_problems(msgid, plural_id, forms, catalog.num_plurals, code):
            skipped.append(msgid)
            continue
        message.string = tuple(forms) if plural_id else forms[0]
        message.flags.discard("fuzzy")
        if REVIEWED_MARK not in message.user_comments:
            message.user_comments.append(REVIEWED_MARK)
        merged += 1
    entries = [m for m in catalog if m.id]
    reviewed = sum(1 for m in entries if REVIEWED_MARK in m.user_comments)
    status = review_status(reviewed, len(entries), today)
    catalog.last_translator = last_translator(status)
    target = Path(output) if output else source
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as f:
        write_po(f, catalog, width=76, ignore_obsolete=True)
    if review_file is not None:
        set_review_status(Path(review_file), code, status)
    return ExportReport(target, merged, skipped, reviewed, len(entries), status)


_ROW = re.compile(r"^\|\s*(\w+)\s*\|([^|]*)\|([^|]*)\|\s*$")


def set_review_status(path: Path, code: str, status: str) -> None:
    """The status cell of the locale's row in REVIEW.md's table; every other line as it was."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for index, line in enumerate(lines):
        match = _ROW.match(line.rstrip("\n"))
        if match and match.group(1) == code:
            lines[index] = f"| {code} |{match.group(2)}| {status} |\n"
    path.write_text("".join(lines), encoding="utf-8")

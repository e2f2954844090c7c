"""The catalog check's rules, in one place: what a translation must keep of its msgid.

tests/test_i18n_catalogs.py applies them to every entry of the committed catalogs; a wording a
taalcoach suggests from the field (fieldapp/translations_review) is held to the same rules, so
an accepted suggestion can never break a screen nor the catalog check of the exported `.po`.

- placeholders: every form keeps exactly the placeholders of the singular msgid
  (`%(count)d`, `%s`, `{name}`), as many times as it has them;
- plurals: a plural msgid has one form per plural form of the locale, none empty;
- glossary: where the msgid names a project word (docs/glossary.md), the translation uses the
  locale's form of it.
"""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

from .messages import N_

PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]|\{\w*\}")
GLOSSARY_FILE = Path(__file__).resolve().parent.parent.parent / "docs" / "glossary.md"

# The messages a refused suggestion carries, per field (msgids: translated at the API's edge).
WRONG_PLACEHOLDERS = N_("Keep the placeholders of the original exactly: %(placeholders)s.")
NO_PLACEHOLDERS = N_("The original has no placeholders: leave them out.")
PLURAL_FORMS = N_("This text has %(count)d plural forms: give each of them.")
EMPTY_FORM = N_("Give the translation; it may not be empty.")
ONE_FORM = N_("Give one translation.")
GLOSSARY_WORD = N_("Write the project word as the glossary does: %(word)s.")


def placeholders(text: str) -> Counter:
    return Counter(PLACEHOLDER.findall(text))


def placeholders_kept(msgid: str, text: str) -> bool:
    """The catalog check's rule: the same placeholders as the singular msgid, as often."""
    return placeholders(text) == placeholders(msgid)


def _placeholder_names(msgid: str) -> str:
    return ", ".join(m.group(0) for m in PLACEHOLDER.finditer(msgid))


def glossary(path: Path = GLOSSARY_FILE) -> list[dict]:
    """The rows of docs/glossary.md's table: {"term", "meaning", "nl", "tr", "ti", "so"}."""
    return [dict(row) for row in _glossary(str(path), path.stat().st_mtime_ns if path.exists() else 0)]


@lru_cache(maxsize=4)
def _glossary(path: str, _mtime: int) -> tuple:
    rows, header = [], None
    if not _mtime:
        return ()
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
        elif not set("".join(cells)) <= set("-: "):
            rows.append(tuple(zip(header, cells)))
    return tuple(rows)


def glossary_entries(msgid: str, code: str) -> list[dict]:
    """The glossary rows whose term the msgid contains (case-insensitively), with the locale's form."""
    found = []
    for row in glossary():
        if row.get("term") and row.get(code) and row["term"].casefold() in msgid.casefold():
            found.append({"term": row["term"], "meaning": row.get("meaning", ""), "form": row[code]})
    return found


def glossary_kept(msgid: str, text: str, code: str) -> list[str]:
    """The glossary forms the translation should contain but does not (empty: consistent)."""
    return [entry["form"] for entry in glossary_entries(msgid, code) if entry["form"].casefold() not in text.casefold()]


def wording_problems(msgid: str, plural_id: str | None, forms: list[str], nplurals: int, code: str) -> list:
    """Why these forms cannot stand for the msgid in locale `code`: a list of (message, params),
    empty when the catalog check would accept them. Singular msgids take exactly one form."""
    wanted = nplurals if plural_id else 1
    if len(forms) != wanted:
        return [(PLURAL_FORMS, {"count": wanted})] if plural_id else [(ONE_FORM, {})]
    problems = []
    if any(not form.strip() for form in forms):
        problems.append((EMPTY_FORM, {}))
    elif not all(placeholders_kept(msgid, form) for form in forms):
        names = _placeholder_names(msgid)
        problems.append((WRONG_PLACEHOLDERS, {"placeholders": names}) if names else (NO_PLACEHOLDERS, {}))
    for form in forms:
        missing = glossary_kept(msgid, form, code)
        if missing:
            problems.append((GLOSSARY_WORD, {"word": ", ".join(missing)}))
            break
    return problems

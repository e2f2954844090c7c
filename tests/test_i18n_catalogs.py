"""Catalog discipline: the template is current, every locale complete, placeholders and glossary kept."""
from __future__ import annotations

import re
import shlex
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from fieldapp.i18n import LOCALES, TRANSLATED
from fieldapp.i18n.checks import glossary, glossary_kept, placeholders_kept

# One process runs them all: they share the extracted template (module fixtures).
pytestmark = pytest.mark.xdist_group("catalogs")

ROOT = Path(__file__).resolve().parent.parent
POT = ROOT / "translations" / "messages.pot"


def extract_options() -> list[str]:
    """The extraction options, read from the Makefile so the test and `make update-catalogs` agree."""
    for line in (ROOT / "Makefile").read_text().splitlines():
        if line.startswith("EXTRACT_OPTS :="):
            return shlex.split(line.split(":=", 1)[1])
    raise AssertionError("EXTRACT_OPTS not found in the Makefile")


def extract(to: Path) -> str:
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", *extract_options(), "-o", str(to), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    return to.read_text(encoding="utf-8")


def without_header(pot_text: str) -> str:
    """Drop the header entry (msgid "" with its leading comments), should there be one; nothing else."""
    blocks = pot_text.strip().split("\n\n")
    if blocks and re.search(r'^msgid ""\nmsgstr ""', blocks[0], re.M):
        blocks = blocks[1:]
    return "\n\n".join(blocks)


def load(path: Path, locale: str | None = None):
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def catalog(code: str):
    return load(ROOT / "translations" / code / "LC_MESSAGES" / "messages.po", code)


@pytest.fixture(scope="module")
def fresh_pot(tmp_path_factory) -> str:
    return extract(tmp_path_factory.mktemp("pot") / "fresh.pot")


def test_extraction_is_deterministic(fresh_pot, tmp_path):
    assert extract(tmp_path / "again.pot") == fresh_pot


def test_committed_template_is_current(fresh_pot):
    committed = without_header(POT.read_text(encoding="utf-8"))
    assert committed == without_header(fresh_pot), (
        "translations/messages.pot is out of date: run `make update-catalogs` and translate the new msgids"
    )


def test_every_catalog_on_disk_is_a_locale_and_back():
    on_disk = {p.name for p in (ROOT / "translations").iterdir() if (p / "LC_MESSAGES" / "messages.po").exists()}
    assert on_disk == set(TRANSLATED)
    assert [loc.endonym for loc in LOCALES] == ["Nederlands", "Türkçe", "ትግርኛ", "Soomaali"]


@pytest.mark.parametrize("code", TRANSLATED)
def test_catalog_is_complete_and_not_fuzzy(code):
    template_ids = {m.id for m in load(POT) if m.id}
    po = catalog(code)
    ids = {m.id for m in po if m.id}
    assert template_ids - ids == set(), f"{code}: msgids missing, run `make update-catalogs`"
    assert ids - template_ids == set(), f"{code}: obsolete msgids left in the catalog"
    untranslated = [m.id for m in po if m.id and not (m.string if isinstance(m.string, str) else all(m.string))]
    assert untranslated == [], f"{code}: {len(untranslated)} untranslated"
    fuzzy = [m.id for m in po if m.id and m.fuzzy]
    assert fuzzy == [], f"{code}: fuzzy entries {fuzzy}"
    assert not po.fuzzy, f"{code}: the catalog header is marked fuzzy"


@pytest.mark.parametrize("code", TRANSLATED)
def test_placeholders_are_identical(code):
    wrong = []
    for m in catalog(code):
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, (list, tuple)) else [m.id]
        strings = m.string if isinstance(m.string, (list, tuple)) else [m.string]
        for text in strings:
            if not placeholders_kept(ids[0], text):
                wrong.append((m.id, text))
    assert wrong == []


def test_glossary_names_the_project_words_for_every_locale():
    terms = {row["term"].lower() for row in glossary()}
    assert {"energieloket", "klusactie", "bakfietsrally", "taalcoach"} <= terms
    for row in glossary():
        for code in TRANSLATED:
            assert row.get(code), f"glossary: no {code} form for {row['term']}"


@pytest.mark.parametrize("code", TRANSLATED)
def test_glossary_terms_are_consistent(code):
    po = catalog(code)
    inconsistent = []
    used = Counter()
    for row in glossary():
        term = row["term"].casefold()
        for m in po:
            if m.id and isinstance(m.id, str) and term in m.id.casefold():
                used[row["term"]] += 1
                if row[code] in glossary_kept(m.id, m.string, code):
                    inconsistent.append((row["term"], m.id, m.string))
    assert inconsistent == []
    # The check must bite: the four project words do occur in the msgids.
    assert all(used[t] for t in ("energieloket", "klusactie", "bakfietsrally", "taalcoach"))


def test_review_status_for_every_catalog():
    """REVIEW.md's status per locale is computed from the entries a native speaker reviewed
    (`fieldapp translations export` marks them and writes the row): it must agree with the catalog."""
    from fieldapp.translations_review.catalogs import REVIEWED_MARK
    from fieldapp.translations_review.export import MACHINE_MADE, review_status

    text = (ROOT / "translations" / "REVIEW.md").read_text(encoding="utf-8")
    status = re.compile(r"^(machine-made, awaiting native review|reviewed by .+, \d{4}-\d{2}-\d{2}"
                        r"|partly reviewed by native speakers \(\d{1,2} %\), \d{4}-\d{2}-\d{2})$")
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 3 and cells[0] in TRANSLATED:
            rows[cells[0]] = cells[2]
    assert set(rows) == set(TRANSLATED)
    for code, value in rows.items():
        assert status.match(value), f"{code}: review status {value!r}"
        po = catalog(code)
        entries = [m for m in po if m.id]
        reviewed = sum(1 for m in entries if REVIEWED_MARK in m.user_comments)
        if value.startswith("machine-made"):
            assert reviewed == 0, f"{code}: {reviewed} entries reviewed, but REVIEW.md says {value!r}"
            # The catalog itself says so too, for whoever opens only the .po file.
            assert "awaiting native review" in (po.last_translator or "")
        elif value.startswith("partly"):
            day = value.rsplit(", ", 1)[1]
            from datetime import date

            assert value == review_status(reviewed, len(entries), date.fromisoformat(day)), code
            assert value in (po.last_translator or "")
        assert value != MACHINE_MADE or not reviewed

"""The strings the phone translates by itself: every msgid of a compiled catalog, per locale.

Switching language mid-form must work offline and without a request, so the client holds all
four catalogs. They are read from the compiled .mo files, the same ones gettext uses.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.numbers import get_decimal_symbol, get_group_symbol
from babel.support import Translations

from ..i18n import BY_CODE
from .card import CARD_DATE


def _mo_path(root: Path, code: str) -> Path:
    return root / code / "LC_MESSAGES" / "messages.mo"


def catalog_strings(root: str | Path, code: str) -> dict[str, str]:
    path = _mo_path(Path(root), code)
    mtime = path.stat().st_mtime_ns if path.exists() else 0
    return dict(_load(str(root), code, mtime))


@lru_cache(maxsize=16)
def _load(root: str, code: str, _mtime: int) -> tuple[tuple[str, str], ...]:
    if code == "en":  # the source language: the msgids are the text
        return ()
    translations = Translations.load(root, [code])
    catalog = getattr(translations, "_catalog", {})
    pairs = []
    for key, value in catalog.items():
        # Plural entries are keyed (msgid, n); the field app uses none, so only singular ones.
        if isinstance(key, str) and key and value:
            pairs.append((key, value))
    return tuple(sorted(pairs))


def locale_meta(code: str) -> dict:
    loc = BY_CODE[code]
    return {
        "locale": code,
        "endonym": loc.endonym,
        "dir": loc.direction,
        "decimal": get_decimal_symbol(code),
        "group": get_group_symbol(code),
        # Dates the shell shows, formatted by Babel (CLDR) so they switch language offline too.
        "card_date": format_date(CARD_DATE, format="long", locale=code),
        "datetime": datetime_pattern(code),
        "appointment": appointment_patterns(code),
    }


def datetime_pattern(code: str) -> dict:
    """CLDR's medium date with short time, for the phone to format local times itself.

    The browser's Intl knows no Tigrinya or Somali (Chromium shows them in American English),
    so i18n.js formats with this pattern and these names instead.
    """
    loc = Locale.parse(code)
    pattern = loc.datetime_formats["medium"].replace("{1}", loc.date_formats["medium"].pattern)
    periods = loc.day_periods["format"]["abbreviated"]
    return {
        "pattern": pattern.replace("{0}", loc.time_formats["short"].pattern),
        "date": loc.date_formats["medium"].pattern,
        "months": [loc.months["format"]["abbreviated"][month] for month in range(1, 13)],
        "am": periods["am"],
        "pm": periods["pm"],
    }


def appointment_patterns(code: str) -> dict:
    """CLDR's full date (weekday, day, month written out) and short time, for the appointment
    card: a resident reads "woensdag 9 december 2026", not 09-12-2026. Weekdays from Sunday, as
    JavaScript's getDay() counts."""
    loc = Locale.parse(code)
    periods = loc.day_periods["format"]["abbreviated"]
    return {
        "date": loc.date_formats["full"].pattern,
        "time": loc.time_formats["short"].pattern,
        "days": [loc.days["format"]["wide"][(day + 6) % 7] for day in range(7)],
        "months": [loc.months["format"]["wide"][month] for month in range(1, 13)],
        "am": periods["am"],
        "pm": periods["pm"],
    }

"""One round of a phone screen through the four languages and two widths, as a taalcoach switches
mid-conversation: after each switch nothing of the previous language is left; at 360 and at
1280 px the screen fits and no word is broken (a full-page screenshot of a failure goes to
test-artifacts/desk/<name>-<lang>-<width>.png); axe finds nothing serious at 360 px.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from .conftest import serious_axe_violations
from .layout_checks import assert_fits_screen, assert_no_broken_words
from .leftovers import DEFAULT_EXEMPT, assert_no_leftover_text, fetch_catalog, switch_to
from .artifacts import screenshot_on_failure

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "desk"
LOCALES = ("nl", "tr", "ti", "so")
WIDTHS = {360: 740, 1280: 900}


def every_language_and_width(page, name: str, *, exempt: str = DEFAULT_EXEMPT,
                             in_each_language: Callable[[str], list] | None = None) -> dict:
    """The round on the page as it is (starting in nl); `in_each_language(code)` runs last in each
    language, at 360 px, and returns its own axe violations. Returns the violations by language
    (empty when all is well); layout and leftover problems fail at once."""
    catalogs = {code: fetch_catalog(page, code) for code in LOCALES}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems, previous = {}, "nl"
    for code in ("tr", "ti", "so", "nl"):
        switch_to(page, code)
        assert_no_leftover_text(page, catalogs[previous], catalogs[code], exempt=exempt)
        previous = code
        for width in (1280, 360):
            page.set_viewport_size({"width": width, "height": WIDTHS[width]})
            page.wait_for_function("document.fonts.status === 'loaded'")
            with screenshot_on_failure(page, ARTIFACTS / f"{name}-{code}-{width}.png", full_page=True):
                assert_fits_screen(page)
                assert_no_broken_words(page)
        violations = serious_axe_violations(page)
        if violations:
            problems[code] = violations
        if in_each_language is not None:
            violations = in_each_language(code)
            if violations:
                problems[f"{code} (after)"] = violations
    return problems

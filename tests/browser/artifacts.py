"""Screenshots for a person to look at, under test-artifacts/.

They are written when asked for (`FIELDAPP_SCREENSHOTS=1 make test`) and, for the layout
checks, of a page that failed one. No assertion reads a screenshot, and a full-page one costs
more than the checks it shows: the 30 office screens of one language took 6.1 s of their 13 s
in screenshots (docs/performance.md).
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

WANTED = os.environ.get("FIELDAPP_SCREENSHOTS", "") not in ("", "0")


def keep_screenshot(target, path: Path | str, *, failed: bool = False, **options) -> None:
    """target: a page or a locator; options as Playwright's screenshot takes them."""
    if WANTED or failed:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        target.screenshot(path=str(path), **options)


@contextmanager
def screenshot_on_failure(page, path: Path | str, **options):
    """Whatever fails inside leaves a screenshot of the page as it was; asked for, one always."""
    try:
        yield
    except AssertionError:
        keep_screenshot(page, path, failed=True, **options)
        raise
    keep_screenshot(page, path, **options)

"""The notes box shows its length against the server's limit while typing, not only on save."""
from __future__ import annotations

from .conftest import signed_in
from .leftovers import fetch_catalog, switch_to


def counter(page) -> str:
    return page.inner_text("#notes-count .counter-figures")


def test_notes_show_their_length_and_say_when_over(live_server, page_360):
    page = page_360
    signed_in(page, live_server)
    page.goto(f"{live_server.url}/field/forms/klus?lang=nl")
    page.wait_for_selector('#record-form[data-ready="true"]')
    rule = page.evaluate("fetch('/field/codes.json').then(r => r.json()).then(c => c.rules.notes)")
    limit = rule["max"]
    over_text = page.locator("#notes-count .counter-over")

    assert counter(page) == f"0 / {limit}"
    page.locator("#notes").press_sequentially("Tocht bij de voordeur")
    assert counter(page) == f"21 / {limit}"
    assert over_text.inner_text() == ""

    page.fill("#notes", "x" * (limit + 100))  # e.g. a long story pasted in
    assert counter(page) == f"{limit + 100} / {limit}"
    nl = fetch_catalog(page, "nl")
    assert over_text.inner_text() == nl["messages"][rule["message"]]
    assert page.get_attribute("#notes", "aria-invalid") == "true"
    assert "over" in page.get_attribute("#notes-count", "class")

    switch_to(page, "tr")  # the warning follows the language; the value stays
    tr = fetch_catalog(page, "tr")
    assert over_text.inner_text() == tr["messages"][rule["message"]]
    assert page.input_value("#notes") == "x" * (limit + 100)

    page.fill("#notes", "x" * limit)  # exactly the limit is allowed
    assert counter(page) == f"{limit} / {limit}"
    assert over_text.inner_text() == ""
    assert page.get_attribute("#notes", "aria-invalid") is None

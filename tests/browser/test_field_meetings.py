"""Sign-ups at a meeting on the phone: the meeting list kept for offline use, sign-ups made with no
signal wait in the outbox and arrive once, as `event` records linked to the meeting, after the
app is reloaded with the line back.
"""
from __future__ import annotations

import sys
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).parent))
from offline_support import not_sent, open_field, open_profile, outbox, prepare_online  # noqa: E402

from conftest import PASSWORD  # noqa: E402

from .test_field_followups import bearer  # noqa: E402

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs /usr/bin/chromium"),
]


@pytest.fixture
def context(pw, tmp_path):
    ctx = open_profile(pw, tmp_path / "chromium-profile")
    yield ctx
    ctx.close()


@pytest.fixture
def meeting(app, world):
    client = app.test_client()
    mid = uuid.uuid4()
    body = {"type": "residents_meeting", "place": "Smitshof",
            "starts_at": (datetime.now(timezone.utc) - timedelta(hours=1)).replace(microsecond=0).isoformat(),
            "neighbourhood_id": world.hood_id, "streets": [world.streets["Koningsweg"]], "languages": ["tr"]}
    response = client.put(f"/api/v1/meetings/{mid}", json=body, headers=bearer(client, "coord"))
    assert response.status_code == 201, response.get_json()
    return mid


def sign_up(page, house: str, language: str, referral: str | None = None) -> str:
    """One resident on the event form the meeting's link opened: the street stays for the next."""
    page.fill("#house_number", house)
    page.click(f'label.chip:has(input[name="language"][value="{language}"])')
    page.click('label.chip:has(input[name="topics"][value="energy_bill"])')
    if referral:
        page.click(f'label.chip:has(input[name="referrals"][value="{referral}"])')
        page.click('label.chip:has(input[name="consent"][value="yes"])')
    before = page.get_attribute("#send-status", "data-last-id")
    page.click("#send")
    page.wait_for_function("b => { const id = document.querySelector('#send-status').dataset.lastId; return !!id && id !== b; }", arg=before)
    return page.get_attribute("#send-status", "data-last-id")


def test_sign_ups_made_offline_arrive_once_linked_to_the_meeting(server, context, world, meeting, db):
    from fieldapp.records.models import Record

    page = context.new_page()
    page.set_viewport_size({"width": 360, "height": 740})
    prepare_online(page, server, PASSWORD)
    open_field(page, server, "/field/meetings")  # with signal: the list is fetched and kept
    choice = f'a.meeting-choice[data-meeting="{meeting}"]'
    page.wait_for_selector(choice)
    assert "Smitshof" in page.inner_text(choice)

    server.stop()  # the community room has no signal
    page.reload()
    page.wait_for_selector(choice)
    page.click(choice)
    page.wait_for_selector('form[data-ready="true"]')
    # The form says which meeting, from the list kept on the phone.
    assert page.is_visible("#meeting-section") and "Smitshof" in page.inner_text("#meeting-name")
    assert page.input_value("#meeting") == str(meeting)
    koningsweg = world.streets["Koningsweg"]
    page.select_option("#street", str(koningsweg))
    first = sign_up(page, "12", "tr", referral="energy_coach")
    second = sign_up(page, "", "so")  # the next resident: the street and the meeting stay
    assert first != second and page.input_value("#meeting") == str(meeting)
    assert not_sent(page) == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    server.start()
    page.reload()  # the app opened again with the line back: the outbox sends what it kept
    open_field(page, server, "/field/meetings")
    outbox(page, "outbox.flush()")
    assert not_sent(page) == 0
    outbox(page, "outbox.flush()")  # a second flush sends nothing twice
    db.rollback()
    stored = {r.id: r for r in db.scalars(select(Record).where(Record.meeting_id == meeting))}
    assert set(stored) == {uuid.UUID(first), uuid.UUID(second)}
    one, two = stored[uuid.UUID(first)], stored[uuid.UUID(second)]
    assert (one.channel, one.street_id, one.house_number, one.language, one.topics, one.outcome) == (
        "event", koningsweg, 12, "tr", ["energy_bill"], None)
    assert [(r.code, r.consent) for r in one.referrals] == [("energy_coach", True)]
    assert (two.house_number, two.language, two.referrals) == (None, "so", [])

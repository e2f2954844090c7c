"""My follow-ups on the phone: overdue first, one-tap steps through the outbox, offline included.

Each step (contacted, appointment, close, take it) is a referral event PUT under a UUID made when
the volunteer took it, through the same outbox as records: taken with no signal it shows as not
sent yet on its card, survives a reload and a closed browser, and reaches the server exactly once.
Refusals (409, 422) stay on the phone as needing attention until discarded on purpose.
"""
from __future__ import annotations

import sys
import uuid
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

sys.path.insert(0, str(Path(__file__).parent))
from offline_support import (  # noqa: E402
    open_field, open_profile, outbox, outbox_counts, outbox_entries, prepare_online, retry_now,
)

from conftest import PASSWORD  # noqa: E402

from .conftest import eventually, serious_axe_violations  # noqa: E402
from .layout_checks import assert_fits_screen, assert_no_broken_words  # noqa: E402
from .leftovers import fetch_catalog  # noqa: E402
from .screen_round import ARTIFACTS, every_language_and_width  # noqa: E402
from .artifacts import keep_screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs /usr/bin/chromium"),
]

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
EAS_PHONE = "035 601 23 45"


# --- the desk, arranged through the API ------------------------------------------------------------
def bearer(client, username: str) -> dict:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat()


class Desk:
    """Referrals of Energie Actief Soest (energy_coach) in Smitsveen, made as the volunteer's records."""

    def __init__(self, app, world):
        self.client = app.test_client()
        self.world = world
        self.vol = bearer(self.client, "vol")
        self.coord = bearer(self.client, "coord")

    def referral(self, street: str, number: int | None, when: str, language: str, addition: str | None = None,
                 code: str = "energy_coach") -> int:
        record_id = str(uuid.uuid4())
        body = {"channel": "rally", "street_id": self.world.streets[street], "house_number": number,
                "house_addition": addition, "occurred_at": when, "language": language, "outcome": "talked",
                "referrals": [{"code": code, "consent": True}]}
        response = self.client.put(f"/api/v1/records/{record_id}", json=body, headers=self.vol)
        assert response.status_code == 201, response.get_json()
        cards = self.client.get("/api/v1/referrals?limit=500", headers=self.coord).get_json()["referrals"]
        return next(card["id"] for card in cards if card["record_id"] == record_id)

    def event(self, referral_id: int, body: dict, as_user: str = "coord", event_id: str | None = None) -> int:
        headers = self.coord if as_user == "coord" else self.vol
        response = self.client.put(f"/api/v1/referrals/{referral_id}/events/{event_id or uuid.uuid4()}",
                                   json={"at": now_iso(), **body}, headers=headers)
        return response.status_code

    def assign(self, referral_id: int, username: str = "vol") -> None:
        assert self.event(referral_id, {"type": "assigned", "assignee": username}) == 201


def give_phone(db, partner: str = "eas", phone: str = EAS_PHONE) -> None:
    """Before the phone's first visit: codes.json is precached with the partners' numbers."""
    from fieldapp.accounts.models import Partner

    db.execute(update(Partner).where(Partner.code == partner).values(phone=phone))
    db.commit()


def events_on_server(db, referral_id: int) -> list:
    from fieldapp.followup.models import ReferralEvent

    db.rollback()  # a fresh snapshot: the server thread wrote since the last look
    return list(db.scalars(select(ReferralEvent).where(ReferralEvent.referral_id == referral_id)
                           .order_by(ReferralEvent.at)))


def status_on_server(db, referral_id: int) -> str:
    from fieldapp.followup.models import FollowUp

    db.rollback()
    return db.get(FollowUp, referral_id).status


# --- the screen -----------------------------------------------------------------------------------
def card(page, referral_id: int):
    return page.locator(f'li.desk-card[data-referral="{referral_id}"]')


def open_followups(page, server) -> None:
    open_field(page, server, "/field/followups")
    page.wait_for_selector('main[data-ready="true"]')


def take_step(page, referral_id: int, step: str, fill=None) -> str:
    """Tap a step on a card, fill the sheet, save; the sheet's UUID (the event's id)."""
    card(page, referral_id).locator(f'button[data-step="{step}"]').click()
    page.wait_for_selector("#action[open]")
    event_id = page.get_attribute("#action", "data-uuid")
    if fill:
        fill(page)
    page.click("#action-save")
    page.wait_for_selector("#action", state="hidden")
    return event_id


def appointment(day: str, time: str, place: str, with_partner: str = ""):
    def fill(page):
        page.fill("#appointment-day", day)
        page.fill("#appointment-time", time)
        page.click(f"label.chip:has(input[name=place][value={place}])")
        page.select_option("#with-partner", with_partner)
    return fill


def closing(outcome: str):
    return lambda page: page.click(f"label.chip:has(input[name=outcome][value={outcome}])")


def note(text: str):
    return lambda page: page.fill("#action-note", text)


def waiting_text(page, referral_id: int) -> str:
    box = card(page, referral_id).locator(".desk-card__waiting")
    return box.inner_text() if box.count() else ""


@pytest.fixture
def context(pw, tmp_path):
    ctx = open_profile(pw, tmp_path / "chromium-profile")
    yield ctx
    ctx.close()


def test_steps_taken_offline_arrive_once_after_reload_and_restart(server, pw, tmp_path, db, world, app):
    desk = Desk(app, world)
    overdue = desk.referral("Koningsweg", 12, "2026-11-02T10:00:00+01:00", "ti")  # due 16 Nov: overdue
    later = desk.referral("Weegbreestraat", 5, now_iso(), "tr")  # due in two weeks
    free = desk.referral("Smitsplein", 2, "2026-11-20T10:00:00+01:00", "so")  # nobody's yet
    for referral_id in (later, overdue):
        desk.assign(referral_id)

    profile = tmp_path / "chromium-profile"
    context = open_profile(pw, profile)
    page = context.new_page()
    prepare_online(page, server, PASSWORD)
    open_followups(page, server)
    page.wait_for_selector(f'#mine li.desk-card[data-referral="{later}"]')
    assert page.eval_on_selector_all("#mine li.desk-card", "els => els.map(e => Number(e.dataset.referral))") \
        == [overdue, later]  # overdue first
    assert card(page, overdue).get_attribute("data-overdue") == "true"
    assert card(page, later).get_attribute("data-overdue") == "false"
    assert "Koningsweg 12" in card(page, overdue).inner_text()  # the assignee sees the house number
    assert page.eval_on_selector_all("#unassigned li.desk-card", "els => els.map(e => Number(e.dataset.referral))") \
        == [free]
    assert "Smitsplein 2" not in card(page, free).inner_text()  # not (yet) theirs: no house number

    server.stop()  # the stairwell
    ids = {
        "contacted": take_step(page, overdue, "contacted", note("Gebeld, komt terug")),
        "scheduled": take_step(page, later, "scheduled", appointment("2026-12-09", "14:30", "home", "balans")),
        "closed": take_step(page, overdue, "closed", closing("helped")),
    }
    card(page, free).locator('button[data-step="assigned"]').click()
    page.wait_for_selector(f'#mine li.desk-card[data-referral="{free}"]')  # mine now, on this phone
    assert card(page, later).get_attribute("data-status") == "scheduled"
    assert card(page, later).locator(".desk-card__waiting").count() == 1
    page.wait_for_selector(f'#closed li.desk-card[data-referral="{overdue}"]', state="attached")
    assert outbox_counts(page)["pending"] == 4

    page.reload()  # from the worker's cache, the steps from the outbox
    page.wait_for_selector('main[data-ready="true"]')
    page.wait_for_selector(f'#mine li.desk-card[data-referral="{later}"] .desk-card__waiting')
    assert page.locator("#desk-copy").inner_text().strip()  # the kept copy, with its time
    context.close()  # the battery dies

    context = open_profile(pw, profile)
    page = context.new_page()
    open_followups(page, server)  # still no signal
    page.wait_for_selector(f'#mine li.desk-card[data-referral="{free}"] .desk-card__waiting')
    assert card(page, later).get_attribute("data-status") == "scheduled"
    assert [e["status"] for e in outbox_entries(page)] == ["pending"] * 4
    assert [e.type for e in events_on_server(db, overdue)] == ["assigned"] and events_on_server(db, free) == []

    server.start()
    retry_now(page)
    page.wait_for_function("document.querySelector('#outbox-status').dataset.state === 'ok'")
    retry_now(page)  # once more: nothing is sent twice
    _assigned, contacted, closed = events_on_server(db, overdue)
    assert (contacted.type, contacted.note, str(contacted.id)) == ("contacted", "Gebeld, komt terug", ids["contacted"])
    assert (closed.type, closed.outcome, str(closed.id)) == ("closed", "helped", ids["closed"])
    [_assigned, scheduled] = events_on_server(db, later)
    assert (scheduled.type, scheduled.place, scheduled.with_partner, str(scheduled.id)) == \
        ("scheduled", "home", "balans", ids["scheduled"])
    assert scheduled.appointment_at.astimezone(AMSTERDAM).replace(tzinfo=None) == datetime(2026, 12, 9, 14, 30)
    [taken] = [e for e in events_on_server(db, free) if e.type == "assigned"]
    assert taken.assignee.username == "vol"
    assert [status_on_server(db, r) for r in (overdue, later, free)] == ["closed", "scheduled", "open"]
    # The answers changed the list: fetched again, nothing left waiting on the cards.
    page.wait_for_function("() => !document.querySelector('.desk-card__waiting')")
    # Theirs now: the list fetched again brings the address with it.
    page.wait_for_function("id => document.querySelector(`#mine li.desk-card[data-referral='${id}']`)"
                           "?.textContent.includes('Smitsplein 2')", arg=free)
    context.close()


def test_a_double_tap_files_one_step(server, context, db, world, app):
    desk = Desk(app, world)
    referral_id = desk.referral("Koningsweg", 12, "2026-11-25T10:00:00+01:00", "nl")
    desk.assign(referral_id)
    page = context.new_page()
    prepare_online(page, server, PASSWORD)
    open_followups(page, server)
    card(page, referral_id).locator('button[data-step="contacted"]').click()
    page.wait_for_selector("#action[open]")
    event_id = page.get_attribute("#action", "data-uuid")
    page.dblclick("#action-save")
    page.wait_for_selector("#action", state="hidden")
    def contacted():
        return [str(e.id) for e in events_on_server(db, referral_id) if e.type == "contacted"]

    eventually(contacted)
    outbox(page, "outbox.flush()")
    assert contacted() == [event_id]
    assert outbox_counts(page)["sent"] == 1


def test_refused_steps_need_attention_until_discarded(server, context, db, world, app):
    from fieldapp.accounts.operations import upsert_user

    upsert_user(db, "vol2", PASSWORD, "volunteer", "eas", ["Smitsveen"])
    db.commit()
    desk = Desk(app, world)
    closed_meanwhile = desk.referral("Koningsweg", 12, "2026-11-25T10:00:00+01:00", "ti")
    taken_uuid = desk.referral("Weegbreestraat", 5, "2026-11-26T10:00:00+01:00", "tr")
    given_away = desk.referral("Smitsplein", 1, "2026-11-27T10:00:00+01:00", "so")  # nobody's, for now
    for referral_id in (closed_meanwhile, taken_uuid):
        desk.assign(referral_id)
    page = context.new_page()
    prepare_online(page, server, PASSWORD)
    open_followups(page, server)
    page.click('nav.languages a[data-locale="tr"]')
    page.wait_for_function("document.documentElement.lang === 'tr'")
    tr = fetch_catalog(page, "tr")["messages"]

    # 422: contacted with no signal; by the time it is sent a coordinator has closed the referral.
    server.stop()
    refused = take_step(page, closed_meanwhile, "contacted")
    assert desk.event(closed_meanwhile, {"type": "closed", "outcome": "unreachable"}) == 201
    server.start()
    retry_now(page)
    page.wait_for_function("document.querySelector('#outbox-status').dataset.attention === '1'")
    # The list fetched again shows it closed; its closed list unfolds for what needs attention.
    box = page.locator(f'#closed li.desk-card[data-referral="{closed_meanwhile}"] .desk-card__attention')
    box.wait_for()
    closed_words = "This referral is closed: nothing more can happen to it."
    assert tr.get(closed_words, closed_words) in box.inner_text()
    # The status bar calls it a step, not a record.
    bar = page.inner_text("#outbox-status .outbox-status__text")
    assert tr["1 follow-up step needs attention"] in bar and tr["1 record needs attention"] not in bar
    entry = next(e for e in outbox_entries(page) if e["uuid"] == refused)
    assert entry["status"] == "needs_attention" and entry["http_status"] == 422
    assert [e.type for e in events_on_server(db, closed_meanwhile)] == ["assigned", "closed"]

    # 409: the UUID the sheet made is already on the server with another body.
    card(page, taken_uuid).locator('button[data-step="contacted"]').click()
    page.wait_for_selector("#action[open]")
    event_id = page.get_attribute("#action", "data-uuid")
    assert desk.event(taken_uuid, {"type": "contacted", "note": "eerder"}, as_user="vol", event_id=event_id) == 201
    page.fill("#action-note", "later")
    page.click("#action-save")
    conflict_words = "This update was already sent with different content."
    page.wait_for_function("t => document.querySelector('[data-error-for=_form]').textContent.includes(t)",
                           arg=tr.get(conflict_words, conflict_words))
    assert page.is_visible("#action[open]")  # the sheet stays, with the server's words
    page.click("#action-cancel")
    entry = next(e for e in outbox_entries(page) if e["uuid"] == event_id)
    assert entry["status"] == "needs_attention" and entry["http_status"] == 409
    assert [e.note for e in events_on_server(db, taken_uuid) if e.type == "contacted"] == ["eerder"]

    # 403: taken with no signal, while a coordinator gave it to a colleague. Not a login matter:
    # it needs the volunteer, and asks for no new login.
    server.stop()
    card(page, given_away).locator('button[data-step="assigned"]').click()
    page.wait_for_selector(f'#mine li.desk-card[data-referral="{given_away}"]')
    desk.assign(given_away, "vol2")
    server.start()
    retry_now(page)
    page.wait_for_function("document.querySelector('#outbox-status').dataset.attention === '3'")
    [not_mine] = [e for e in outbox_entries(page) if e["referral"] == given_away]
    assert (not_mine["status"], not_mine["http_status"]) == ("needs_attention", 403)
    assert not page.is_visible("#outbox-status .outbox-status__login")
    page.wait_for_function(  # not mine after all: the list fetched again says whose it is
        "id => !document.querySelector(`li.desk-card[data-referral='${id}']`)", arg=given_away)
    assert [e.assignee.username for e in events_on_server(db, given_away)] == ["vol2"]

    # All are listed until a deliberate discard, on the card and in the status bar.
    page.reload()
    page.wait_for_function("document.querySelector('#outbox-status').dataset.attention === '3'")
    retry_now(page)
    assert outbox_counts(page)["needs_attention"] == 3
    page.click("#outbox-status .outbox-status__toggle")
    page.wait_for_selector(f'#outbox-attention li.outbox-entry[data-uuid="{refused}"]')
    assert page.locator("#outbox-attention .outbox-entry__fix").count() == 0  # a step is taken again, not fixed
    page.once("dialog", lambda dialog: dialog.accept())
    card(page, taken_uuid).locator(f'.desk-card__attention[data-uuid="{event_id}"] button').click()
    page.wait_for_function("document.querySelector('#outbox-status').dataset.attention === '2'")
    assert [e["uuid"] for e in outbox_entries(page) if e["status"] == "needs_attention"] == [refused, not_mine["uuid"]]


# --- every locale, phone and desk width; language switches leave nothing behind -------------------
@pytest.fixture
def layout_only_once(request):
    if request.node.callspec.params.get("database_url") == "postgresql":
        pytest.skip("screens are checked on SQLite; the PostgreSQL run covers the data flows")


def test_followups_screen_in_every_locale_and_width(layout_only_once, server, context, db, world, app):
    give_phone(db)
    desk = Desk(app, world)
    overdue = desk.referral("Koningsweg", 12, "2026-11-02T10:00:00+01:00", "ti", addition="B")
    scheduled = desk.referral("Weegbreestraat", 5, "2026-11-30T10:00:00+01:00", "so")
    desk.referral("Smitsplein", 2, "2026-11-20T10:00:00+01:00", "tr")  # not taken yet
    for referral_id in (overdue, scheduled):
        desk.assign(referral_id)
    assert desk.event(scheduled, {"type": "scheduled", "appointment_at": "2026-12-09T14:30:00+01:00",
                                  "place": "loket", "with_partner": "balans"}) == 201
    page = context.new_page()
    prepare_online(page, server, PASSWORD)
    open_followups(page, server)
    page.wait_for_selector(f'li.desk-card[data-referral="{scheduled}"] .desk-card__appointment')
    # One step waiting, one refused: their lines are on the screen too.
    server.stop()
    take_step(page, overdue, "contacted", note("kort"))
    server.start()

    def the_sheet_over_the_list(code: str) -> list:
        card(page, scheduled).locator('button[data-step="scheduled"]').click()
        page.wait_for_selector("#action[open]")
        page.click("#action-save")  # the sheet's own checks, beside the fields
        page.wait_for_selector("#action [data-error-for=place] p")
        assert_fits_screen(page)
        assert_no_broken_words(page)
        keep_screenshot(page, ARTIFACTS / f"followups-sheet-{code}.png")
        violations = serious_axe_violations(page)
        page.click("#action-cancel")
        return violations

    assert every_language_and_width(page, "followups", in_each_language=the_sheet_over_the_list) == {}

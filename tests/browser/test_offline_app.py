"""The installable app around the outbox: opening with no network in every language, updates that
do not strand the outbox, an outbox written by an older version, two tabs, logout, streets offline.
"""
from __future__ import annotations

import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask_babel import force_locale, gettext

sys.path.insert(0, str(Path(__file__).parent))
from offline_support import (  # noqa: E402
    OUTBOX, SESSION, not_sent, open_field, open_profile, outbox, outbox_counts, outbox_entries, outbox_ready, prepare_online,
    set_session, sign_in, submit,
)

from conftest import PASSWORD  # noqa: E402

from .conftest import eventually  # noqa: E402
from .artifacts import keep_screenshot

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs /usr/bin/chromium"),
]

VERSION_OF_WORKER = """() => new Promise(resolve => {
  const channel = new MessageChannel();
  channel.port1.onmessage = event => resolve(event.data);
  navigator.serviceWorker.controller.postMessage({type: "VERSION"}, [channel.port2]);
})"""


@pytest.fixture
def context(pw, tmp_path):
    ctx = open_profile(pw, tmp_path / "chromium-profile")
    yield ctx
    ctx.close()


def payload(world, n: int) -> dict:
    return {"channel": "rally", "street_id": world.streets["Koningsweg"], "house_number": 10, "house_addition": "1",
            "occurred_at": f"2026-11-21T10:{n:02d}:00+01:00", "language": "so", "outcome": "talked",
            "topics": ["energy_bill"], "notes": f"outbox test {n}"}


def submit_many(page, world, count: int) -> list[str]:
    return page.evaluate(
        """async ([module, payloads]) => {
          const outbox = await import(module);
          const ids = [];
          for (const p of payloads) {
            const id = outbox.newUuid();
            await outbox.submit(id, p);
            ids.push(id);
          }
          return ids;
        }""",
        [OUTBOX, [payload(world, n) for n in range(count)]],
    )


def stored_ids(db) -> set[str]:
    from sqlalchemy import select

    from fieldapp.records.models import Record

    db.rollback()
    return {str(i) for i in db.scalars(select(Record.id))}


def test_app_opens_offline_in_every_language_with_the_cached_ethiopic_font(server, context, app):
    page = context.new_page()
    prepare_online(page, server, PASSWORD)
    server.stop()
    fonts_from_worker = []
    page.on("response", lambda r: fonts_from_worker.append(r.from_service_worker) if r.url.endswith(".ttf") else None)

    for code in ("nl", "tr", "ti", "so"):
        page.click(f'a[data-locale="{code}"]')  # the choice is kept on the phone
        page.wait_for_function("c => document.documentElement.lang === c", arg=code)
        open_field(page, server)  # a fresh start with no server at all
        page.wait_for_function("c => document.documentElement.lang === c", arg=code)
        with app.app_context(), force_locale(code):
            all_sent = gettext("All sent")
        page.wait_for_function(
            "t => document.querySelector('#outbox-status .outbox-status__text').textContent === t", arg=all_sent
        )
        assert page.locator("h1").first.inner_text().strip()  # the shell rendered
        assert page.locator("#main").is_visible()

    # Tigrinya: the app's own Ethiopic font came from the worker's cache and is in use.
    page.click('a[data-locale="ti"]')
    page.wait_for_function("document.documentElement.lang === 'ti'")
    page.wait_for_function("""() => [...document.fonts].some(f => f.family.replace(/"/g, '') === 'FieldApp Ethiopic'
                                                              && f.status === 'loaded')""")
    assert page.evaluate("document.fonts.check('16px \"FieldApp Ethiopic\"', 'ትግርኛ')")
    text = page.inner_text("#outbox-status .outbox-status__text")
    assert any(0x1200 <= ord(ch) <= 0x139F for ch in text)  # Ge'ez script on screen
    assert fonts_from_worker and all(fonts_from_worker)


def test_a_new_version_waits_for_the_volunteer_and_keeps_the_outbox(server, context, app, world, db):
    page = context.new_page()
    session = prepare_online(page, server, PASSWORD)
    first_version = page.evaluate(VERSION_OF_WORKER)
    server.stop()
    ids = submit_many(page, world, 3)
    assert not_sent(page) == 3

    # A deploy changes a precached file; the phone is logged out, so nothing can be sent yet.
    app.config["OFFLINE_EXTRA_PRECACHE"] = ["/healthz"]
    app.extensions.pop("fieldapp.offline.precache", None)
    server.start()
    page.evaluate("localStorage.removeItem('fieldapp.session')")
    open_field(page, server, "/field/login")
    page.wait_for_selector("#outbox-status .outbox-status__update:not([hidden])")
    # The new worker is installed but waits: this page keeps the version it was built with.
    assert page.evaluate(VERSION_OF_WORKER) == first_version
    assert not_sent(page) == 3

    with page.expect_navigation():  # the volunteer chose "Update": the new version takes over and reloads
        page.click("#outbox-status .outbox-status__update-button")
    page.wait_for_function("navigator.serviceWorker.controller")
    outbox_ready(page)
    new_version = page.evaluate(VERSION_OF_WORKER)
    assert new_version != first_version
    caches = page.evaluate("caches.keys()")
    assert f"fieldapp-shell-{new_version}" in caches and f"fieldapp-shell-{first_version}" not in caches
    assert not_sent(page) == 3  # the outbox is untouched by the update

    set_session(page, session)  # logging in again sends them
    page.wait_for_function("document.querySelector('#outbox-status').dataset.state === 'ok'")
    assert stored_ids(db) == set(ids)


def test_an_outbox_written_by_the_first_version_is_upgraded_and_sent(server, context, world, db):
    page = context.new_page()
    page.goto(server.url + "/manifest.webmanifest")  # same origin, no outbox.js loaded
    sign_in(page, server, "vol", PASSWORD)
    old_id = "6a1f0e52-3c1d-4c59-9d0e-0b4f3f1c2a77"
    body = {**payload(world, 7), "id": old_id}
    page.evaluate(
        """([id, body]) => new Promise((resolve, reject) => {
          const open = indexedDB.open("fieldapp-outbox", 1);
          open.onupgradeneeded = () => open.result.createObjectStore("outbox", {keyPath: "uuid"});
          open.onsuccess = () => {
            const tx = open.result.transaction("outbox", "readwrite");
            tx.objectStore("outbox").put({uuid: id, payload: body, status: "pending"});  // version 1's shape
            tx.oncomplete = () => { open.result.close(); resolve(); };
            tx.onerror = () => reject(tx.error);
          };
        })""",
        [old_id, body],
    )
    open_field(page, server)
    assert page.evaluate("indexedDB.databases()")[0]["version"] == 2
    page.wait_for_function("document.querySelector('#outbox-status').dataset.state === 'ok'")
    assert stored_ids(db) == {old_id}
    [entry] = outbox_entries(page)
    assert entry["status"] == "sent" and entry["attempts"] == 1 and entry["format"] == 3  # 3: entries name their kind (issue 15)


@pytest.mark.parametrize("locking", ["web-locks", "indexeddb-lease"])
def test_two_tabs_never_send_the_same_entry_twice(server, context, world, db, locking):
    if locking == "indexeddb-lease":  # Safari before 15.4 has no navigator.locks
        context.add_init_script("Object.defineProperty(navigator, 'locks', {value: undefined});")
    first, second = context.new_page(), context.new_page()
    prepare_online(first, server, PASSWORD)
    open_field(second, server)
    server.stop()
    ids = submit_many(first, world, 12)
    server.put_delay = 0.05
    server.start()
    for page in (first, second):
        page.evaluate("""async (module) => {
          const outbox = await import(module);
          window.__flush = Promise.all([outbox.flush(), outbox.flush()]);
        }""", OUTBOX)
    for page in (first, second):
        page.evaluate("window.__flush")
    for page in (first, second):
        outbox(page, "outbox.flush()")
    assert outbox_counts(first)["sent"] == 12
    assert stored_ids(db) == set(ids)
    assert all(server.sent[i] == 1 for i in ids), dict(server.sent)
    assert server.batches  # a backlog goes in batches


def test_logging_out_with_unsent_records_asks_first(server, context, world):
    page = context.new_page()
    prepare_online(page, server, PASSWORD)
    server.stop()
    submit_many(page, world, 2)
    questions = []

    def answer(dialog, accept):
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda d: answer(d, False))
    page.click("#logout")
    eventually(lambda: questions, page=page)
    assert len(questions) == 1 and "2" in questions[0]
    assert page.evaluate("async (m) => (await import(m)).get() !== null", SESSION)  # still logged in
    page.once("dialog", lambda d: answer(d, True))
    page.click("#logout")
    page.wait_for_url("**/field/login")
    assert page.evaluate("JSON.parse(localStorage.getItem('fieldapp.session'))") is None
    outbox_ready(page)
    assert not_sent(page) == 2  # logging out does not throw records away


def test_streets_near_me_work_offline_from_the_kept_list(server, context):
    page = context.new_page()
    session = prepare_online(page, server, PASSWORD)
    page.wait_for_function("""async () => (await caches.open('fieldapp-runtime').then(c => c.keys())).length > 0""")
    page.evaluate("""token => fetch('/api/v1/streets?near=52.165,5.285', {headers: {Authorization: 'Bearer ' + token}})""",
                  session["token"])
    kept = page.evaluate("caches.open('fieldapp-runtime').then(c => c.keys()).then(ks => ks.map(r => r.url))")
    # One list, not one entry per place the volunteer stood.
    assert [f"{urlsplit(k).path}?{urlsplit(k).query}" for k in kept] == ["/api/v1/streets?limit=500"]
    server.stop()
    # Near Weegbreestraat (52.1713, 5.2850): it comes first, as the server would order it.
    result = page.evaluate(
        """token => fetch('/api/v1/streets?near=52.1712,5.2851&limit=2', {headers: {Authorization: 'Bearer ' + token}})
                   .then(r => r.json().then(body => ({offline: r.headers.get('X-Fieldapp-Offline'), body})))""",
        session["token"],
    )
    assert result["offline"] == "1"
    names = [s["name"] for s in result["body"]["streets"]]
    assert names == ["Weegbreestraat", "Smitsplein"]
    assert result["body"]["streets"][0]["distance_m"] < 50


def test_an_expired_login_keeps_the_outbox_and_asks_to_log_in_again(server, context, world, db):
    from sqlalchemy import update

    from fieldapp.accounts.models import ApiToken
    from fieldapp.timeutil import utcnow

    page = context.new_page()
    prepare_online(page, server, PASSWORD)
    # On a form: the home screen itself sends a volunteer whose login ran out to the login page
    # when it next refreshes its list, which would race with what is checked here.
    open_field(page, server, "/field/forms/rally")
    db.rollback()
    db.execute(update(ApiToken).values(expires_at=utcnow()))  # every token of the phone runs out
    db.commit()
    ids = submit_many(page, world, 3)
    outbox(page, "outbox.flush()")
    assert not_sent(page) == 3 and stored_ids(db) == set()
    page.wait_for_selector("#outbox-status .outbox-status__login:not([hidden])")
    with_login = page.inner_text("#outbox-status .outbox-status__text")
    assert "3" in with_login

    session = server.token("vol", PASSWORD)  # what the login screen does
    set_session(page, session)
    page.wait_for_function("document.querySelector('#outbox-status').dataset.state === 'ok'")
    assert stored_ids(db) == set(ids)
    assert page.locator("#outbox-status .outbox-status__login").is_hidden()


def test_chromium_finds_the_app_installable(server, context):
    page = context.new_page()
    prepare_online(page, server, PASSWORD)
    cdp = context.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["url"].endswith("/manifest.webmanifest") and not manifest["errors"]
    assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []


@pytest.mark.parametrize("code", ["nl", "ti"])
def test_the_status_bar_passes_axe_in_every_state(server, context, world, code):
    from axe_playwright_python.sync_playwright import Axe

    page = context.new_page()
    prepare_online(page, server, PASSWORD)
    page.click(f'a[data-locale="{code}"]')
    server.stop()
    submit_many(page, world, 2)  # "2 not sent yet" with its buttons
    submit(page, {"channel": "rally"})  # and one the server refused, with the list open
    page.wait_for_function("document.querySelector('#outbox-status').dataset.pending === '3'")

    def check():
        results = Axe().run(page, context="#outbox-status")
        serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
        assert serious == [], results.generate_report()

    check()
    server.start()
    outbox(page, "outbox.flush()")
    page.wait_for_function("document.querySelector('#outbox-status').dataset.attention === '1'")
    page.click("#outbox-status .outbox-status__toggle")
    page.locator("#outbox-attention li").first.wait_for()
    check()
    artifacts = Path(__file__).resolve().parents[2] / "test-artifacts" / "offline"
    artifacts.mkdir(parents=True, exist_ok=True)
    keep_screenshot(page, artifacts / f"status-bar-{code}.png")
    width = page.evaluate("document.querySelector('#outbox-status').scrollWidth")
    assert width <= 360


def test_an_old_ambassador_flag_in_the_outbox_arrives_as_the_ownership_code_after_the_update(server, context, app,
                                                                                           world, db):
    """A phone typed records with the app before ownership codes (its form sent `ambassador`) and
    could not send them; the app and server are updated meanwhile. The entries go out unchanged
    after the update, and the server stores the flag as the code `ambassador`."""
    from sqlalchemy import select

    from fieldapp.records.models import Record

    page = context.new_page()
    session = prepare_online(page, server, PASSWORD)
    first_version = page.evaluate(VERSION_OF_WORKER)
    server.stop()
    # What the older form read into its payload, key for key: the flag and no ownership list.
    old_form = {"street_id": world.streets["Weegbreestraat"], "house_number": 7, "house_addition": None,
                "occurred_at": "2026-11-21T10:00:00+01:00", "language": "so", "taalcoach_present": False,
                "ambassador": True, "topics": ["energy_bill"], "partners": ["eas"], "notes": None,
                "channel": "rally", "outcome": "talked", "referrals": []}
    bodies = [old_form, {**old_form, "ambassador": False, "occurred_at": "2026-11-21T10:05:00+01:00"}]
    ids = page.evaluate(
        """async ([module, bodies]) => {
          const outbox = await import(module);
          const ids = [];
          for (const body of bodies) { const id = outbox.newUuid(); await outbox.submit(id, body); ids.push(id); }
          return ids;
        }""",
        [OUTBOX, bodies],
    )
    kept = {entry["uuid"]: entry["payload"] for entry in outbox_entries(page)}
    assert kept[ids[0]]["ambassador"] is True and "ownership" not in kept[ids[0]]

    # The deploy: a new app version and the server that knows ownership codes. Logged out, the
    # phone cannot send until the volunteer has taken the update and signed in again.
    app.config["OFFLINE_EXTRA_PRECACHE"] = ["/healthz"]
    app.extensions.pop("fieldapp.offline.precache", None)
    server.start()
    page.evaluate("localStorage.removeItem('fieldapp.session')")
    open_field(page, server, "/field/login")
    page.wait_for_selector("#outbox-status .outbox-status__update:not([hidden])")
    with page.expect_navigation():
        page.click("#outbox-status .outbox-status__update-button")
    page.wait_for_function("navigator.serviceWorker.controller")
    outbox_ready(page)
    assert page.evaluate(VERSION_OF_WORKER) != first_version
    assert not_sent(page) == 2

    set_session(page, session)
    page.wait_for_function("document.querySelector('#outbox-status').dataset.state === 'ok'")
    # The updated form offers the codes instead of the flag.
    open_field(page, server, "/field/forms/rally")
    assert page.locator('input[name="ownership"]').count() == 6
    assert page.locator('input[name="ambassador"]').count() == 0
    assert all(server.sent[i] == 1 for i in ids), dict(server.sent)
    db.rollback()
    stored = {str(r.id): r for r in db.scalars(select(Record).where(Record.id.in_([uuid.UUID(i) for i in ids])))}
    assert stored[ids[0]].ownership == ["ambassador"]
    assert stored[ids[1]].ownership == []
    assert {entry["uuid"]: entry["status"] for entry in outbox_entries(page)} == {ids[0]: "sent", ids[1]: "sent"}

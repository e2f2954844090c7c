"""The field app's shell: pages without personal data, CSP-clean, every string translatable offline."""
from __future__ import annotations

import uuid
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from babel.support import Translations

from fieldapp.field.card import CARD_TEXT, CARD_VERSION, card_digest
from fieldapp.field.forms import FORMS
from fieldapp.i18n import ACCEPTED, TRANSLATED

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["/field/", "/field/login", "/field/card"] + [f"/field/forms/{c}" for c in FORMS]
OWNED_ELSEWHERE = {"/static/js/outbox.js", "/static/js/offline.js"}  # the offline work ships these


class Page(HTMLParser):
    """Collects what the CSP and the client-side translation care about."""

    def __init__(self):
        super().__init__()
        self.scripts, self.inline_scripts, self.styles, self.handlers, self.style_attrs = [], 0, 0, [], []
        self.i18n = []  # (msgid, text, scope language)
        self.ids = []
        self._stack: list[tuple[str, str | None, str | None]] = []
        self._text: dict[int, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            if a.get("src"):
                self.scripts.append(a["src"])
            else:
                self.inline_scripts += 1
        if tag == "style":
            self.styles += 1
        self.handlers += [k for k in a if k.startswith("on")]
        if "style" in a:
            self.style_attrs.append(tag)
        if "id" in a:
            self.ids.append(a["id"])
        scope = a.get("data-i18n-lang") or (self._stack[-1][2] if self._stack else None)
        if tag in ("input", "meta", "link", "br", "img", "option") and tag != "option":
            return
        self._stack.append((tag, a.get("data-i18n"), scope))
        self._text[len(self._stack)] = []

    def handle_endtag(self, tag):
        if not self._stack or self._stack[-1][0] != tag:
            return
        depth = len(self._stack)
        _tag, msgid, scope = self._stack.pop()
        text = "".join(self._text.pop(depth, []))
        if msgid:
            self.i18n.append((msgid, text.strip(), scope))
        if self._stack:
            self._text[len(self._stack)].append(text)

    def handle_data(self, data):
        if self._stack:
            self._text[len(self._stack)].append(data)


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


def template_ids() -> set[str]:
    with (ROOT / "translations" / "messages.pot").open("rb") as f:
        return {m.id for m in read_po(f) if m.id}


def test_root_goes_to_the_field_home(app):
    response = app.test_client().get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/field/")


def test_unknown_channel_is_not_found(app):
    assert app.test_client().get("/field/forms/picnic").status_code == 404


@pytest.mark.parametrize("url", PAGES)
def test_pages_are_csp_clean_and_load_the_shared_scripts(app, url):
    html = app.test_client().get(url).get_data(as_text=True)
    page = parse(html)
    assert page.inline_scripts == 0 and page.styles == 0
    assert page.handlers == [] and page.style_attrs == []
    assert len(page.ids) == len(set(page.ids)), "duplicate ids"
    for name in ("i18n.js", "session.js", "api.js", "outbox.js", "offline.js"):
        assert f"/static/js/{name}" in page.scripts
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert "data-live-i18n" in html


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_data_i18n_string_is_in_the_catalog_and_rendered_from_it(app, code):
    known = template_ids()
    translations = Translations.load(str(ROOT / "translations"), [code])
    client = app.test_client()
    checked = 0
    for url in PAGES:
        page = parse(client.get(f"{url}?lang={code}").get_data(as_text=True))
        for msgid, text, scope in page.i18n:
            assert msgid in known, f"{url}: {msgid!r} is not in messages.pot"
            assert text == translations.gettext(msgid), (url, msgid)
            checked += 1
    assert checked > 100


def test_shell_pages_hold_no_personal_data(app, world, login):
    """A page fetched with a token is the same as one fetched without: nothing of the user in it."""
    api = login("vol", "nl")
    body = {"channel": "klus", "street_id": world.streets["Smitsplein"], "house_number": 2,
            "occurred_at": "2026-01-05T10:00:00+01:00", "language": "tr", "notes": "kapot raam achter",
            "measures": [{"code": "led_bulb", "quantity": 3}]}
    assert api.put(f"/api/v1/records/{uuid.uuid4()}", json=body).status_code == 201
    anonymous = app.test_client()
    for url in PAGES:
        mine = api.get(url).get_data(as_text=True)
        assert mine == anonymous.get(url, headers={"Accept-Language": "nl"}).get_data(as_text=True)
        assert "kapot raam" not in mine and ">vol<" not in mine


def test_shell_urls_are_all_served(app):
    from fieldapp.field.shell import shell_urls

    with app.app_context():  # the offline work builds its precache list outside any request
        urls = shell_urls()
    assert len(urls) == len(set(urls))
    for page in PAGES:
        assert page in urls
    for code in ACCEPTED:
        assert f"/field/i18n/{code}.json" in urls
    assert "/field/codes.json" in urls and "/static/fonts/NotoSansEthiopic-Regular.ttf" in urls
    client = app.test_client()
    for url in urls:
        if url in OWNED_ELSEWHERE and not (ROOT / url.lstrip("/")).exists():
            continue
        response = client.get(url)
        assert response.status_code == 200, url
        response.close()


@pytest.mark.parametrize("code", TRANSLATED)
def test_i18n_json_holds_every_msgid_of_the_catalog(app, code):
    client = app.test_client()
    response = client.get(f"/field/i18n/{code}.json")
    data = response.get_json()
    # The client uses no plural forms: it gets every singular msgid.
    assert set(data["messages"]) == {m for m in template_ids() if isinstance(m, str)}
    assert data["meta"]["locale"] == code and data["meta"]["dir"] == "ltr"
    # CLDR's way of writing a local time: Chromium's Intl has no Tigrinya or Somali.
    when = data["meta"]["datetime"]
    assert "MMM" in when["pattern"] and "mm" in when["pattern"]
    assert len(when["months"]) == 12 and when["am"] and when["pm"]
    # Revalidation is cheap: the same catalog answers 304.
    again = client.get(f"/field/i18n/{code}.json", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_i18n_json_for_source_and_unknown_locales(app):
    client = app.test_client()
    assert client.get("/field/i18n/en.json").get_json()["messages"] == {}
    assert client.get("/field/i18n/de.json").status_code == 404
    assert client.get("/field/i18n/ti.json").get_json()["messages"]["Yes"] == "እወ"


def test_codes_json_describes_every_form_and_list(app, world):
    data = app.test_client().get("/field/codes.json").get_json()
    assert set(data["forms"]) == {"rally", "klus", "loket", "visit"}
    assert "measures" in data["forms"]["klus"]["sections"]
    assert "measures" not in data["forms"]["visit"]["sections"]
    assert "heard_via" in data["forms"]["loket"]["required"]
    assert "outcome" in data["forms"]["rally"]["required"]
    from fieldapp.codes import HEARD_VIA, MEASURES, OUTCOMES, REFERRALS, TOPICS

    for name, codes in {"outcome": OUTCOMES, "measure": MEASURES, "topic": TOPICS, "heard_via": HEARD_VIA,
                        "referral": REFERRALS}.items():
        assert [o["code"] for o in data["lists"][name]] == list(codes.codes)
    assert {p["code"] for p in data["partners"]} >= {"eas", "balans", "portaal"}
    assert [lang["code"] for lang in data["languages"]][:4] == ["nl", "tr", "ti", "so"]
    assert data["rules"]["house_number"] == {"min": 1, "max": 99999, "message": "Give a house number from 1 to 99999."}
    assert data["rules"]["notes"]["max"] == 500
    assert data["card"]["version"] == CARD_VERSION
    known = template_ids()
    for msgid in data["rules"]["messages"].values():
        assert msgid in known


@pytest.mark.parametrize("language", ["tr", "so"])
def test_client_checks_use_the_servers_own_messages(app, world, login, language):
    """The msgids the phone shows for a missing door outcome or desk answer are what the server says."""
    rules = app.test_client().get("/field/codes.json").get_json()["rules"]
    api = login("vol", language)
    translations = Translations.load(str(ROOT / "translations"), [language])
    street = world.streets["Koningsweg"]
    rally = api.put(f"/api/v1/records/{uuid.uuid4()}", json={
        "channel": "rally", "street_id": street, "occurred_at": "2026-01-05T10:00:00+01:00", "language": "so"})
    assert rally.status_code == 422
    assert rally.get_json()["errors"]["outcome"] == [translations.gettext(rules["messages"]["outcome"])]
    loket = {"channel": "loket", "street_id": street, "occurred_at": "2026-01-05T10:00:00+01:00", "language": "so"}
    errors = api.put(f"/api/v1/records/{uuid.uuid4()}", json=loket).get_json()["errors"]
    assert errors["heard_via"] == [translations.gettext(rules["messages"]["heard_via"])]
    errors = api.put(f"/api/v1/records/{uuid.uuid4()}", json=loket | {"house_number": 0}).get_json()["errors"]
    assert errors["house_number"] == [translations.gettext(rules["house_number"]["message"])]


def test_forms_are_built_for_thumbs(app):
    client = app.test_client()
    klus = client.get("/field/forms/klus").get_data(as_text=True)
    assert 'id="house_number" name="house_number" inputmode="numeric"' in klus
    assert klus.count('class="stepper"') == 9 and klus.count('data-step="1"') == 9
    assert 'data-i18n="No names or health details."' in klus
    rally = client.get("/field/forms/rally").get_data(as_text=True)
    assert 'name="outcome"' in rally and 'name="measure"' not in rally
    assert 'data-i18n="Show the resident card"' in rally
    loket = client.get("/field/forms/loket").get_data(as_text=True)
    assert 'name="heard_via"' in loket and 'name="outcome"' not in loket


def test_resident_card_text_is_pinned_to_its_version():
    """Changing the card's words without a new CARD_VERSION would misstate what residents agreed to."""
    pinned = {"card-v1": "3ed0667ab9d704b6"}
    assert card_digest() == pinned[CARD_VERSION], "card text changed: bump CARD_VERSION and pin its digest"
    assert CARD_TEXT[-1][0] == "question"


def test_card_page_renders_in_the_ui_language(app):
    page = app.test_client().get("/field/card?lang=ti").get_data(as_text=True)
    assert "ንሕና ትካል ጉልበት ኣይኮንናን።" in page and CARD_VERSION in page


def test_client_scripts_mark_every_literal_for_extraction():
    """A literal handed straight to t()/setText()/say() would never reach the catalogs: N_() it."""
    import re

    # The first argument may be an element expression such as $("id") or el.
    call = re.compile(r"""(?:\.t|\bsetText|\bsay|\bshowError)\(\s*(?:[\w$.]+(?:\([^()]*\))?\s*,\s*)?["']""")
    offenders = []
    for path in sorted((ROOT / "static" / "js").glob("*.js")):
        if path.name in OWNED_ELSEWHERE_FILES:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if call.search(line):
                offenders.append(f"{path.name}:{number}: {line.strip()}")
    assert offenders == []
    js = (ROOT / "static" / "js" / "home.js").read_text(encoding="utf-8")
    assert 'N_("Logged in as %(username)s")' in js  # the pattern the check relies on


OWNED_ELSEWHERE_FILES = {"outbox.js", "offline.js", "sw.js"}

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
DESK_SCRIPTS = {"/field/followups": "followups.js", "/field/appointment": "appointment.js",
                "/field/revisits": "revisits.js"}
PAGES = ["/field/", "/field/login", "/field/card"] + [f"/field/forms/{c}" for c in FORMS] + list(DESK_SCRIPTS)
PAGE_SCRIPTS = {"/field/": "home.js", "/field/login": "login.js", "/field/card": "card.js"} | {
    f"/field/forms/{c}": "form.js" for c in FORMS} | DESK_SCRIPTS


class Page(HTMLParser):
    """Collects what the CSP and the client-side translation care about."""

    def __init__(self):
        super().__init__()
        self.scripts, self.inline_scripts, self.styles, self.handlers, self.style_attrs = [], 0, 0, [], []
        self.script_types, self.preloads = [], []
        self.i18n = []  # (msgid, text, scope language)
        self.ids = []
        self._stack: list[tuple[str, str | None, str | None]] = []
        self._text: dict[int, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            if a.get("src"):
                self.scripts.append(a["src"])
                self.script_types.append(a.get("type"))
            else:
                self.inline_scripts += 1
        if tag == "link" and a.get("rel") == "modulepreload":
            self.preloads.append(a["href"])
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
    # ES modules: the shell's (i18n, outbox, status bar, worker), then the page's own.
    assert page.scripts == ["/static/js/shell.js", f"/static/js/{PAGE_SCRIPTS[url]}"]
    assert page.script_types == ["module", "module"]
    # Every module they import, announced at once (no round trip per level of imports).
    from fieldapp.field.shell import imported_modules

    assert page.preloads == [f"/static/js/{m}" for m in imported_modules("shell.js", PAGE_SCRIPTS[url])]
    assert "/static/js/outbox/db.js" in page.preloads and "/static/js/i18n.js" in page.preloads
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
    assert "/field/codes.json" in urls and "/fonts/NotoSansEthiopic-Regular.ttf" in urls
    # Every module a field page may import, or the page breaks offline; the office's scripts are not the shell.
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "static" / "js").rglob("*.js")}
    assert {f"/{m}" for m in modules if "/dashboard/" not in m} <= set(urls)
    assert not any("/dashboard/" in url for url in urls)
    client = app.test_client()
    for url in urls:
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
    assert set(data["forms"]) == {"rally", "klus", "loket", "visit", "event"}
    # Every channel's form offers the ownership codes; a sign-up at a meeting has no door outcome.
    assert all("ownership" in form["sections"] for form in data["forms"].values())
    assert "outcome" not in data["forms"]["event"]["sections"] and data["forms"]["event"]["defaults"] == {}
    assert "measures" in data["forms"]["klus"]["sections"]
    assert "measures" not in data["forms"]["visit"]["sections"]
    assert "heard_via" in data["forms"]["loket"]["required"]
    assert "outcome" in data["forms"]["rally"]["required"]
    from fieldapp.codes import HEARD_VIA, MEASURES, OUTCOMES, OWNERSHIP, REFERRALS, TOPICS

    assert "event" in HEARD_VIA.codes
    for name, codes in {"outcome": OUTCOMES, "measure": MEASURES, "topic": TOPICS, "heard_via": HEARD_VIA,
                        "referral": REFERRALS, "ownership": OWNERSHIP}.items():
        assert [o["code"] for o in data["lists"][name]] == list(codes.codes)
    assert {p["code"] for p in data["partners"]} >= {"eas", "balans", "portaal"}
    assert [lang["code"] for lang in data["languages"]][:4] == ["nl", "tr", "ti", "so"]
    assert data["rules"]["house_number"] == {"min": 1, "max": 99999, "message": "Give a house number from 1 to 99999."}
    assert data["rules"]["notes"]["max"] == 500
    assert data["card"]["version"] == CARD_VERSION
    known = template_ids()
    rules = data["rules"]
    messages = [*rules["messages"].values(), rules["required"]["message"], rules["future"]["message"],
                *(rule["message"] for rule in rules["field_rules"])]
    for msgid in messages:
        assert msgid in known
    assert set(data["field_labels"].values()) <= known


def test_the_forms_rules_are_the_schemas_own():
    """One definition: codes.json serves the record schema's table, and what a form marks as
    required follows from the schema's required fields and that table."""
    from dataclasses import asdict

    from fieldapp.field.forms import validation_rules
    from fieldapp.records.schemas import FIELD_RULES

    assert validation_rules()["field_rules"] == [asdict(rule) for rule in FIELD_RULES]
    assert {channel: form.required for channel, form in FORMS.items()} == {
        "rally": ("street", "outcome", "language"), "klus": ("street", "language"),
        "loket": ("street", "heard_via", "language"), "visit": ("street", "language"),
        "event": ("street", "language"),
    }


@pytest.mark.parametrize("language", ["tr", "so"])
def test_client_checks_use_the_servers_own_messages(app, world, login, language):
    """The msgids the phone shows for a missing door outcome or desk answer are what the server says."""
    rules = app.test_client().get("/field/codes.json").get_json()["rules"]
    api = login("vol", language)
    translations = Translations.load(str(ROOT / "translations"), [language])
    street = world.streets["Koningsweg"]
    required_on = {(r["field"], channel): r["message"] for r in rules["field_rules"] if r["need"] == "required"
                   for channel in r["on"]}
    rally = api.put(f"/api/v1/records/{uuid.uuid4()}", json={
        "channel": "rally", "street_id": street, "occurred_at": "2026-01-05T10:00:00+01:00", "language": "so"})
    assert rally.status_code == 422
    assert rally.get_json()["errors"]["outcome"] == [translations.gettext(required_on["outcome", "rally"])]
    loket = {"channel": "loket", "street_id": street, "occurred_at": "2026-01-05T10:00:00+01:00", "language": "so"}
    errors = api.put(f"/api/v1/records/{uuid.uuid4()}", json=loket).get_json()["errors"]
    assert errors["heard_via"] == [translations.gettext(required_on["heard_via", "loket"])]
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
    """A literal handed straight to t()/plural()/say() would never reach the catalogs: N_() it."""
    import re

    # The first argument may be an element expression such as $("id") or el.
    call = re.compile(r"""(?:\bt|\btIn|\bplural|\bsay|\bshowError)\(\s*(?:[\w$.]+(?:\([^()]*\))?\s*,\s*)?["'`]""")
    offenders = []
    scripts = ROOT / "static" / "js"
    for path in sorted(p for p in scripts.rglob("*.js") if "dashboard" not in p.relative_to(scripts).parts):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if call.search(line):
                offenders.append(f"{path.relative_to(scripts)}:{number}: {line.strip()}")
    assert offenders == []
    js = (scripts / "home.js").read_text(encoding="utf-8")
    assert 'N_("Logged in as %(username)s")' in js  # the pattern the check relies on


def test_the_ethiopic_font_comes_from_the_installed_package(app):
    """Served from Debian's fonts-noto-core (config FONT_DIR), byte for byte, revalidated like
    our files; only the fonts the pages declare; and an app whose font folder lacks it does not
    start (the offline app's install would fail on every phone)."""
    from pathlib import Path

    import pytest

    from fieldapp import create_app

    client = app.test_client()
    installed = Path(app.config["FONT_DIR"]) / "NotoSansEthiopic-Regular.ttf"
    response = client.get("/fonts/NotoSansEthiopic-Regular.ttf")
    assert response.status_code == 200 and response.data == installed.read_bytes()
    assert response.mimetype == "font/ttf" and "no-store" not in response.headers["Cache-Control"]
    again = client.get("/fonts/NotoSansEthiopic-Regular.ttf", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert client.get("/fonts/NotoSansEthiopic-Bold.ttf").status_code == 404  # installed, not declared
    assert client.get("/fonts/..%2F..%2F..%2Fetc%2Fpasswd").status_code == 404
    with pytest.raises(RuntimeError, match="fonts-noto-core"):
        create_app({**app.config, "FONT_DIR": str(Path(app.instance_path) / "no-fonts-here")})

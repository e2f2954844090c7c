"""Translations that the field improves (issue 18): suggestions exactly once, checked as the
catalog check checks; reviewed by admins; accepted wordings used at once on the server and in the
field app's catalog; exported as a .po that Babel compiles and the catalog check accepts; audited."""
from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from sqlalchemy import select

from conftest import csrf_from

PLACEHOLDER_MSGID = "%(count)d records not sent yet"
PLURAL_MSGID = "%(num)d record"
GLOSSARY_MSGID = "At the energieloket"


def speaks(db, world, username: str, *codes: str) -> None:
    from fieldapp.accounts.models import User

    user = db.get(User, world.users[username])
    user.spoken_languages = list(codes)
    db.commit()


def suggestion(msgid: str, *forms: str, locale: str = "ti", comment: str | None = None) -> dict:
    body = {"locale": locale, "msgid": msgid, "forms": list(forms)}
    if comment:
        body["comment"] = comment
    return body


def ti_text(app, msgid: str, **params) -> str:
    """The msgid in Tigrinya, as the compiled catalog has it."""
    translations = Translations.load(app.config["BABEL_TRANSLATION_DIRECTORIES"], ["ti"])
    text = translations.gettext(msgid)
    return text % params if params else text


@pytest.fixture
def coach(db, world, login):
    speaks(db, world, "coach", "nl", "ti")
    return login("coach", "ti")


@pytest.fixture
def admin(login):
    return login("adm")


def put(client, body, sid=None):
    sid = sid or uuid.uuid4()
    return sid, client.put(f"/api/v1/translations/suggestions/{sid}", json=body)


def test_only_users_who_speak_the_locale_suggest(db, world, login):
    body = suggestion("Not found.", "ኣይተረኽበን")
    _sid, response = put(login("coach"), body)
    assert response.status_code == 403
    assert "language you speak" in response.get_json()["message"]
    for name in ("vol", "coord"):  # they speak it, but are not among the roles that suggest
        speaks(db, world, name, "ti")
        assert put(login(name), body)[1].status_code == 403
    speaks(db, world, "coach", "so")
    assert put(login("coach"), body)[1].status_code == 403  # Somali, not Tigrinya
    assert put(login("coach"), suggestion("Not found.", "Lama helin", locale="so"))[1].status_code == 201
    speaks(db, world, "adm", "ti")
    assert put(login("adm"), body)[1].status_code == 201
    assert login("coach").get("/api/v1/translations/me").get_json()["locales"] == ["so"]
    assert login("coach").get("/api/v1/translations/me?locale=ti").get_json()["locales"] == []
    assert login("coach").get("/api/v1/translations/me?locale=xx").status_code == 422
    assert login("vol").get("/api/v1/translations/me").get_json()["locales"] == []


def test_broken_placeholder_is_refused_in_the_taalcoachs_language(app, coach):
    _sid, response = put(coach, suggestion(PLACEHOLDER_MSGID, "ዘይተላእኩ መዛግብቲ"))
    assert response.status_code == 422
    [message] = response.get_json()["errors"]["forms"]
    wanted = ti_text(app, "Keep the placeholders of the original exactly: %(placeholders)s.", placeholders="%(count)d")
    assert message == wanted and "%(count)d" in message
    assert message != "Keep the placeholders of the original exactly: %(count)d."  # Tigrinya, not English
    # A placeholder typed otherwise is as broken as a missing one.
    _sid, response = put(coach, suggestion(PLACEHOLDER_MSGID, "%(cuont)d ዘይተላእኩ መዛግብቲ"))
    assert response.status_code == 422 and response.get_json()["errors"]["forms"] == [wanted]


def test_missing_plural_form_is_refused(app, coach):
    _sid, response = put(coach, suggestion(PLURAL_MSGID, "%(num)d መዝገብ"))
    assert response.status_code == 422
    assert response.get_json()["errors"]["forms"] == [
        ti_text(app, "This text has %(count)d plural forms: give each of them.", count=2)]
    _sid, response = put(coach, suggestion(PLURAL_MSGID, "%(num)d መዝገብ", ""))
    assert response.status_code == 422
    assert response.get_json()["errors"]["forms"] == [ti_text(app, "Give the translation; it may not be empty.")]
    _sid, response = put(coach, suggestion(PLURAL_MSGID, "%(num)d መዝገብ", "%(num)d መዛግብቲ ኣለዉ"))
    assert response.status_code == 201
    assert response.get_json()["current"] == ["%(num)d መዝገብ", "%(num)d መዛግብቲ"]


def test_glossary_word_and_unknown_text_are_refused(app, coach):
    _sid, response = put(coach, suggestion(GLOSSARY_MSGID, "ኣብ ቤት ጽሕፈት ጉልበት"))
    assert response.status_code == 422
    assert response.get_json()["errors"]["forms"] == [
        ti_text(app, "Write the project word as the glossary does: %(word)s.", word="energieloket")]
    _sid, response = put(coach, suggestion("A text the app never shows", "ጽሑፍ"))
    assert response.status_code == 422 and list(response.get_json()["errors"]) == ["msgid"]
    _sid, response = put(coach, suggestion("Not found.", "ሓደ", "ክልተ"))
    assert response.status_code == 422
    assert response.get_json()["errors"]["forms"] == [ti_text(app, "Give one translation.")]
    _sid, response = put(coach, {"locale": "xx", "msgid": "Not found.", "forms": ["a"], "extra": 1})
    assert response.status_code == 422 and {"locale", "extra"} <= set(response.get_json()["errors"])


def test_a_suggestion_is_stored_once(db, coach):
    from fieldapp.translations_review.models import Suggestion

    body = suggestion("Not found.", "ኣይተረኽበን", comment="shorter")
    sid, first = put(coach, body)
    assert first.status_code == 201
    _same, again = put(coach, body, sid)
    assert again.status_code == 200 and again.get_json() == first.get_json()
    _other, other = put(coach, suggestion("Not found.", "ዘይተረኽበ"), sid)
    assert other.status_code == 409
    db.expire_all()
    stored = db.scalars(select(Suggestion)).all()
    assert [(s.id, s.forms, s.comment, s.status) for s in stored] == [(sid, ["ኣይተረኽበን"], "shorter", "open")]


def test_accepted_wording_is_used_at_once_and_reviewed_once(app, db, coach, admin, login):
    sid, response = put(coach, suggestion("Not found.", "ኣይተረኽበን ዘሎ"))
    assert response.status_code == 201
    # Before the review: the compiled catalog's wording everywhere.
    assert admin.get("/api/v1/nothing-here", headers={"Accept-Language": "ti"}).get_json()["message"] == "ኣይተረኽበን።"
    assert login("coord").post(f"/api/v1/translations/suggestions/{sid}/review",
                               json={"decision": "accept"}).status_code == 403
    assert coach.post(f"/api/v1/translations/suggestions/{sid}/review", json={"decision": "accept"}).status_code == 403
    response = admin.post(f"/api/v1/translations/suggestions/{sid}/review", json={"decision": "accept", "note": "good"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "accepted" and body["reviewed_by"] == "adm" and body["current"] == ["ኣይተረኽበን ዘሎ"]
    # The server, at once (another request, another client), and the field app's catalog.
    assert app.test_client().get("/api/v1/nothing-here", headers={"Accept-Language": "ti"}).get_json()["message"] \
        == "ኣይተረኽበን ዘሎ"
    assert app.test_client().get("/api/v1/nothing-here", headers={"Accept-Language": "so"}).get_json()["message"] \
        != "ኣይተረኽበን ዘሎ"
    assert app.test_client().get("/field/i18n/ti.json").get_json()["messages"]["Not found."] == "ኣይተረኽበን ዘሎ"
    assert app.test_client().get("/field/i18n/so.json").get_json()["messages"]["Not found."] != "ኣይተረኽበን ዘሎ"
    # Once: the same decision again is a retry, another one a conflict.
    assert admin.post(f"/api/v1/translations/suggestions/{sid}/review",
                      json={"decision": "accept", "note": "good"}).status_code == 200
    assert admin.post(f"/api/v1/translations/suggestions/{sid}/review", json={"decision": "reject"}).status_code == 409
    assert admin.post(f"/api/v1/translations/suggestions/{uuid.uuid4()}/review",
                      json={"decision": "accept"}).status_code == 404
    assert admin.post(f"/api/v1/translations/suggestions/{sid}/review",
                      json={"decision": "maybe"}).status_code == 422


def test_plural_wording_is_used_by_ngettext(app, coach, admin):
    from flask_babel import ngettext

    sid, response = put(coach, suggestion(PLURAL_MSGID, "%(num)d መዝገብ ጥራይ", "%(num)d መዛግብቲ ጥራይ"))
    assert response.status_code == 201
    assert admin.post(f"/api/v1/translations/suggestions/{sid}/review", json={"decision": "accept"}).status_code == 200
    with app.test_request_context("/", headers={"Accept-Language": "ti"}):
        assert ngettext("%(num)d record", "%(num)d records", 1) == "1 መዝገብ ጥራይ"
        assert ngettext("%(num)d record", "%(num)d records", 3) == "3 መዛግብቲ ጥራይ"


def test_lists_shares_and_audit(app, db, world, coach, admin, login):
    from fieldapp.audit.models import AuditEvent

    accepted, _r = put(coach, suggestion("Not found.", "ኣይተረኽበን ዘሎ"))
    rejected, _r = put(coach, suggestion("Send now", "ሕጂ ስደድ"))
    admin.post(f"/api/v1/translations/suggestions/{accepted}/review", json={"decision": "accept"})
    admin.post(f"/api/v1/translations/suggestions/{rejected}/review", json={"decision": "reject", "note": "too long"})
    listed = admin.get("/api/v1/translations/suggestions?locale=ti").get_json()["suggestions"]
    assert {(s["id"], s["status"]) for s in listed} == {(str(accepted), "accepted"), (str(rejected), "rejected")}
    assert admin.get("/api/v1/translations/suggestions?locale=so").get_json()["suggestions"] == []
    assert len(coach.get("/api/v1/translations/suggestions").get_json()["suggestions"]) == 2
    assert login("vol").get("/api/v1/translations/suggestions").get_json()["suggestions"] == []
    shares = {row["locale"]: row for row in admin.get("/api/v1/translations/shares").get_json()["locales"]}
    assert shares["ti"]["reviewed"] == 1 and shares["ti"]["open"] == 0 and shares["nl"]["reviewed"] == 0
    assert shares["ti"]["share"] == pytest.approx(1 / shares["ti"]["strings"])
    [only] = admin.get("/api/v1/translations/shares?locale=ti").get_json()["locales"]
    assert only == shares["ti"]
    db.expire_all()
    entries = db.scalars(select(AuditEvent).where(AuditEvent.event.like("translation_%")).order_by(AuditEvent.id)).all()
    assert [(e.event, e.actor_username, e.details["suggestion"]) for e in entries] == [
        ("translation_suggested", "coach", str(accepted)), ("translation_suggested", "coach", str(rejected)),
        ("translation_accepted", "adm", str(accepted)), ("translation_rejected", "adm", str(rejected))]
    assert entries[1].details["forms"] == ["ሕጂ ስደድ"] and entries[1].details["locale"] == "ti"
    assert entries[3].details["note"] == "too long" and entries[3].details["suggested_by"] == "coach"


def test_review_screens(app, db, world, coach, web_login, enrol_totp):
    import pyotp

    sid, _r = put(coach, suggestion("Send now", "ሕጂ ስደድ"))
    secret, _codes = enrol_totp("adm")
    office = web_login("adm", pyotp.TOTP(secret).now())
    # No locale chosen: the admin lands where a suggestion waits (Tigrinya), not on Dutch.
    page = office.get("/translations/review?lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "ሕጂ ስደድ" in html and ti_text(app, "Send now") in html
    response = office.post(f"/translations/review/{sid}", data={"decision": "accept", "note": "",
                                                               "csrf_token": csrf_from(html)})
    assert response.status_code == 302
    after = office.get(response.headers["Location"]).get_data(as_text=True)
    assert "Accepted: the new wording is used from now on." in after
    shares = office.get("/translations/?lang=en").get_data(as_text=True)
    assert 'data-locale="ti"' in shares


def test_export_merges_accepted_wordings_babel_compiles_and_the_check_accepts(app, db, coach, admin, tmp_path):
    from fieldapp.cli import main
    from fieldapp.i18n.checks import glossary_kept, placeholders_kept
    from fieldapp.translations_review.catalogs import REVIEWED_MARK
    from fieldapp.translations_review.export import review_status

    wordings = {"Not found.": ["ኣይተረኽበን ዘሎ"], PLURAL_MSGID: ["%(num)d መዝገብ ጥራይ", "%(num)d መዛግብቲ ጥራይ"]}
    for msgid, forms in wordings.items():
        sid, response = put(coach, suggestion(msgid, *forms))
        assert response.status_code == 201
        admin.post(f"/api/v1/translations/suggestions/{sid}/review", json={"decision": "accept"})
    root = Path(app.config["BABEL_TRANSLATION_DIRECTORIES"])
    review_file = tmp_path / "REVIEW.md"
    review_file.write_text((root / "REVIEW.md").read_text(encoding="utf-8"), encoding="utf-8")
    output = tmp_path / "ti.po"
    result = app.test_cli_runner().invoke(main, ["translations", "export", "--locale", "ti", "-o", str(output),
                                                 "--review-file", str(review_file)])
    assert result.exit_code == 0, result.output
    assert "2 accepted wording(s) merged" in result.output
    with output.open("rb") as f:
        exported = read_po(f, locale="ti")
    with (root / "ti" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        committed = read_po(f, locale="ti")
    assert exported.get("Not found.").string == "ኣይተረኽበን ዘሎ"
    assert tuple(exported.get(PLURAL_MSGID).string) == ("%(num)d መዝገብ ጥራይ", "%(num)d መዛግብቲ ጥራይ")
    assert REVIEWED_MARK in exported.get("Not found.").user_comments
    # Everything else as it was: the same msgids, the same strings.
    assert {m.id for m in exported} == {m.id for m in committed}
    changed = {m.id if isinstance(m.id, str) else m.id[0] for m in exported
               if m.id and m.string != committed.get(m.id if isinstance(m.id, str) else m.id[0]).string}
    assert changed == set(wordings)
    # The catalog check's rules hold for every entry, and Babel compiles it.
    for m in exported:
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, (list, tuple)) else [m.id]
        strings = m.string if isinstance(m.string, (list, tuple)) else [m.string]
        assert all(s and placeholders_kept(ids[0], s) for s in strings), m.id
        if isinstance(m.id, str):
            assert glossary_kept(m.id, m.string, "ti") == [], m.id
        assert not m.fuzzy
    with (tmp_path / "ti.mo").open("wb") as f:
        write_mo(f, exported)
    with (tmp_path / "ti.mo").open("rb") as f:
        compiled = Translations(f)
    assert compiled.gettext("Not found.") == "ኣይተረኽበን ዘሎ"
    assert compiled.ngettext(PLURAL_MSGID, "%(num)d records", 5) == "%(num)d መዛግብቲ ጥራይ"
    # REVIEW.md's row and the catalog's Last-Translator, computed from the reviewed entries.
    status = review_status(2, len([m for m in exported if m.id]), date.today())
    assert status.startswith("partly reviewed by native speakers (")
    assert f"| ti | ትግርኛ (Tigrinya) | {status} |" in review_file.read_text(encoding="utf-8")
    assert "| so | Soomaali | machine-made, awaiting native review |" in review_file.read_text(encoding="utf-8")
    assert status in exported.last_translator


def test_review_status_is_computed():
    from fieldapp.translations_review.export import review_status

    day = date(2026, 12, 3)
    assert review_status(0, 800, day) == "machine-made, awaiting native review"
    assert review_status(8, 800, day) == "partly reviewed by native speakers (1 %), 2026-12-03"
    assert review_status(799, 800, day) == "partly reviewed by native speakers (99 %), 2026-12-03"
    assert review_status(800, 800, day) == "reviewed by native speakers, 2026-12-03"


def test_one_small_query_per_request_and_locale(app, coach, admin):
    from flask_babel import gettext
    from sqlalchemy import event

    sid, _r = put(coach, suggestion("Send now", "ሕጂ ስደድ"))
    admin.post(f"/api/v1/translations/suggestions/{sid}/review", json={"decision": "accept"})
    engine = app.extensions["fieldapp.engine"]
    seen = []

    def count(_conn, _cursor, statement, *_args):
        if "translation_suggestions" in statement:
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(2):
            with app.test_request_context("/", headers={"Accept-Language": "ti"}):
                app.preprocess_request()
                assert [gettext("Send now") for _ in range(5)] == ["ሕጂ ስደድ"] * 5
                assert gettext("Not found.") == "ኣይተረኽበን።"  # the compiled catalog beneath
    finally:
        event.remove(engine, "before_cursor_execute", count)
    # The version stamp once per request; the wordings themselves were read once, when they changed.
    assert len(seen) == 2 and all("count" in s.lower() for s in seen)

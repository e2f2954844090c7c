"""The field app's pages (a shell without personal data) and its two JSON files."""
from __future__ import annotations

import json

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import format_date
from sqlalchemy import select

from ..accounts.models import Partner
from ..codes import CHANNELS, PARTNER_ROLES
from ..db import get_session
from ..i18n import ACCEPTED, BY_CODE, LOCALES, TRANSLATED
from ..translations_review.overrides import singular_wordings
from .card import CARD_ANSWERS, CARD_DATE, CARD_TEXT, CARD_VERSION
from .forms import (
    CODE_LISTS, CONSENT_CHOICES, CONVERSATION_LANGUAGES, FIELD_LABELS, FORMS, INSTALLED_LABEL, NOT_POSSIBLE_LABEL,
    PAGE_TITLES, SECTION_LABELS, accepts_consent_text_version, msgid_of, validation_rules,
)
from .shell import imported_modules
from .strings import catalog_strings, locale_meta

bp = Blueprint("field", __name__, template_folder="templates")
# Sent by the offline precache when it hashes the shell (fieldapp/offline/precache.py).
PRECACHE_HEADER = "X-Fieldapp-Precache"


def conversation_languages() -> list[dict]:
    from babel import Locale

    rows = []
    for code in CONVERSATION_LANGUAGES:
        endonym = BY_CODE[code].endonym if code in BY_CODE else Locale.parse(code).get_display_name(code)
        rows.append({"code": code, "endonym": endonym[:1].upper() + endonym[1:]})
    return rows


def code_options(name: str) -> list[dict]:
    return [{"code": code, "msgid": msgid_of(label)} for code, label in CODE_LISTS[name].labels.items()]


# Sign-ups at a meeting open the event form from the meeting screen, which names the meeting:
# no tile of their own among the doors' channels, nor on the revisit queue.
OPENED_FROM_ELSEWHERE = frozenset({"event"})


def _door_channels() -> list[tuple[str, str]]:
    return [(c, msgid_of(l)) for c, l in CHANNELS.labels.items() if c in FORMS and c not in OPENED_FROM_ELSEWHERE]


def _shell_page(template: str, **context):
    html = render_template(
        template, page_titles=PAGE_TITLES, consent_choices=CONSENT_CHOICES, imported_modules=imported_modules, **context
    )
    response = current_app.make_response(html)
    # The page holds no personal data, but its language follows the cookie: revalidate each time.
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Vary"] = "Cookie, Accept-Language"
    return response


@bp.route("/")
def root():
    return redirect(url_for("field.home"))


@bp.route("/field/")
def home():
    return _shell_page("field/home.html", channels=_door_channels())


@bp.route("/field/login")
def login():
    return _shell_page("field/login.html")


@bp.route("/field/forms/<channel>")
def form(channel: str):
    definition = FORMS.get(channel)
    if definition is None:
        abort(404)
    partners = get_session().execute(select(Partner.code, Partner.name).order_by(Partner.name)).all()
    return _shell_page(
        "field/form.html", form=definition, partners=partners, section_labels=SECTION_LABELS, options=code_options,
        languages=conversation_languages(), card_text=CARD_TEXT, card_answers=CARD_ANSWERS,
        card_version=CARD_VERSION, installed_label=INSTALLED_LABEL, not_possible_label=NOT_POSSIBLE_LABEL,
    )


@bp.route("/field/card")
def card():
    return _shell_page(
        "field/card.html", languages=LOCALES, card_text=CARD_TEXT, card_answers=CARD_ANSWERS,
        card_version=CARD_VERSION, card_date=format_date(CARD_DATE, format="long"),
    )


@bp.route("/field/followups")
def followups():
    partners = get_session().execute(select(Partner.code, Partner.name).order_by(Partner.name)).all()
    return _shell_page("field/followups.html", options=code_options, partners=partners)


@bp.route("/field/appointment")
def appointment():
    # Which referral is read from the query by appointment.js: the shell stays one cached page.
    return _shell_page("field/appointment.html", languages=LOCALES)


@bp.route("/field/revisits")
def revisits():
    return _shell_page("field/revisits.html", channels=_door_channels())


@bp.route("/field/meetings")
def meetings():
    # Which meetings is read from the API by meetings.js: the shell stays one cached page.
    return _shell_page("field/meetings.html", options=code_options, languages=conversation_languages())


@bp.route("/field/i18n/<locale>.json")
def strings(locale: str):
    if locale not in ACCEPTED:
        abort(404)
    root = current_app.config["BABEL_TRANSLATION_DIRECTORIES"]
    messages = catalog_strings(root, locale)
    # Wordings accepted since the catalog was compiled, on top (the service worker fetches this
    # file first whenever there is a network, so a phone has them at its next screen). The
    # offline precache's version is hashed from the compiled catalog alone, so every worker
    # computes the same one whatever was accepted since it started.
    if locale in TRANSLATED and not request.headers.get(PRECACHE_HEADER):
        messages.update(singular_wordings(locale))
    # Plain UTF-8 rather than \u escapes: Ge'ez text is half the bytes on a slow line.
    body = json.dumps({"meta": locale_meta(locale), "messages": messages}, ensure_ascii=False)
    response = current_app.response_class(body, mimetype="application/json")
    response.headers["Cache-Control"] = "no-cache"
    return _etagged(response)


@bp.route("/field/codes.json")
def codes():
    partners = get_session().execute(select(Partner.code, Partner.name, Partner.phone).order_by(Partner.name)).all()
    body = {
        "channels": [{"code": c, "msgid": msgid_of(l)} for c, l in CHANNELS.labels.items()],
        "lists": {name: code_options(name) for name in CODE_LISTS},
        "languages": conversation_languages(),
        "ui_locales": [{"code": loc.code, "endonym": loc.endonym, "dir": loc.direction} for loc in LOCALES],
        # The phone number is the organisation's own, printed on the appointment card.
        "partners": [{"code": code, "name": name, "phone": phone} for code, name, phone in partners],
        "partner_roles": {code: msgid_of(label) for code, label in PARTNER_ROLES.items()},
        "forms": {channel: definition.as_json() for channel, definition in FORMS.items()},
        "section_labels": SECTION_LABELS,
        "field_labels": FIELD_LABELS,
        "rules": validation_rules(),
        "card": {
            "version": CARD_VERSION,
            "text": [{"role": role, "msgid": msgid} for role, msgid in CARD_TEXT],
            "answers": CARD_ANSWERS,
            "api_accepts_version": accepts_consent_text_version(),
        },
    }
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-cache"
    return _etagged(response)


def _etagged(response):
    # The service worker revalidates these files; an unchanged catalog costs a 304, not a download.
    response.add_etag()
    return response.make_conditional(request)

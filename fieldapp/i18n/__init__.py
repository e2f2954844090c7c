"""The one list of locales and the one locale selector.

Precedence, first match wins:
  1. an explicit choice: ?lang=xx on the request, else the `lang` cookie set by the switcher;
  2. the signed-in user's own setting;
  3. the browser's Accept-Language;
  4. Dutch.
English is the source language of the msgids and is accepted as a choice too.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, g, request
from flask_babel import Babel


@dataclass(frozen=True)
class UiLocale:
    code: str
    endonym: str
    direction: str = "ltr"


# Catalogs exist for these four; this order is the switcher's order.
LOCALES = (
    UiLocale("nl", "Nederlands"),
    UiLocale("tr", "Türkçe"),
    UiLocale("ti", "ትግርኛ"),
    UiLocale("so", "Soomaali"),
)
TRANSLATED = tuple(loc.code for loc in LOCALES)
SOURCE_LOCALE = "en"
ACCEPTED = TRANSLATED + (SOURCE_LOCALE,)
DEFAULT_LOCALE = "nl"
BY_CODE = {loc.code: loc for loc in LOCALES} | {SOURCE_LOCALE: UiLocale("en", "English")}


def explicit_choice() -> str | None:
    for value in (request.args.get("lang"), request.cookies.get("lang")):
        if value in ACCEPTED:
            return value
    return None


def select_locale() -> str:
    choice = explicit_choice()
    if choice:
        return choice
    user = g.get("current_user")
    user_locale = getattr(user, "locale", None)
    if user_locale in ACCEPTED:
        return user_locale
    return request.accept_languages.best_match(ACCEPTED) or DEFAULT_LOCALE


def text_direction(code: str) -> str:
    return BY_CODE.get(code, BY_CODE[DEFAULT_LOCALE]).direction


def validate_catalogs(app: Flask) -> None:
    """Fail fast at start-up when the locale list and the catalogs on disk disagree."""
    from pathlib import Path

    root = Path(app.config["BABEL_TRANSLATION_DIRECTORIES"])
    missing = [c for c in TRANSLATED if not (root / c / "LC_MESSAGES" / "messages.po").exists()]
    if missing:
        raise RuntimeError(f"no catalog for locale(s) {', '.join(missing)} under {root}")


def init_app(app: Flask) -> Babel:
    validate_catalogs(app)
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    babel = Babel(app, locale_selector=select_locale, timezone_selector=lambda: app.config["TIMEZONE"])
    from .overrides import forget_request_layers, install

    install(app, babel)

    @app.before_request
    def choose_locale_per_request():
        # flask-babel caches the locale on the app context, which outlives a request when one
        # was pushed beforehand (tests, CLI): decide afresh for every request.
        from flask_babel import refresh

        refresh()
        forget_request_layers()

    @app.context_processor
    def locale_context():
        from flask_babel import get_locale

        code = str(get_locale() or DEFAULT_LOCALE)
        return {"ui_locale": BY_CODE.get(code, BY_CODE[DEFAULT_LOCALE]), "ui_locales": LOCALES}

    @app.after_request
    def remember_choice(response):
        # ?lang=xx is an explicit choice: keep it for the next screens too.
        chosen = request.args.get("lang")
        if chosen in ACCEPTED and request.cookies.get("lang") != chosen:
            response.set_cookie("lang", chosen, max_age=365 * 24 * 3600, samesite="Lax", httponly=False)
        return response

    return babel

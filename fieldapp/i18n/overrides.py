"""Wordings accepted since the catalogs were compiled, laid over them for every request.

The package that keeps the suggestions (fieldapp/translations_review) sits far above this one,
so it answers the question hooks.TRANSLATION_OVERRIDES: for a locale, a version stamp and the
accepted wordings. A request asks once per locale it translates into (one small query); the
layered translations are built once per version and kept by the app, so the cost per request
is that query, and a wording accepted on one worker is used by every worker at their next request.
"""
from __future__ import annotations

import threading

from babel import support
from flask import Flask, current_app, g, has_request_context
from flask_babel import Domain, get_locale

from .. import hooks

_lock = threading.Lock()


def layer(compiled, wordings: dict) -> support.Translations:
    """A Translations whose own catalog holds the wordings and which falls back to `compiled`.

    wordings: msgid -> (plural, [forms]); a plural msgid's forms are keyed (msgid, n) as
    gettext keys them."""
    layered = support.Translations()
    for msgid, (plural, forms) in wordings.items():
        if plural:
            for index, form in enumerate(forms):
                layered._catalog[(msgid, index)] = form
        elif forms:
            layered._catalog[msgid] = forms[0]
    layered.plural = getattr(compiled, "plural", layered.plural)
    layered.add_fallback(compiled)
    return layered


def layered_for(compiled, code: str):
    """The compiled translations of `code` with the accepted wordings on top (cached per version)."""
    answers = [answer for answer in hooks.ask(hooks.TRANSLATION_OVERRIDES, None, locale=code) if answer]
    if not answers:
        return compiled
    version, wordings = answers[0]
    if not wordings:
        return compiled
    key = (code, version, id(compiled))
    kept = current_app.extensions.setdefault("fieldapp.i18n.layers", {})
    with _lock:
        hit = kept.get(code)
        if hit is None or hit[0] != key:
            hit = kept[code] = (key, layer(compiled, wordings))
    return hit[1]


class LayeredDomain(Domain):
    """flask-babel's domain, with the accepted wordings of the request's locale on top."""

    def get_translations(self):
        compiled = super().get_translations()
        if not has_request_context():
            return compiled
        code = str(get_locale() or "")
        layers = g.setdefault("fieldapp_i18n_layers", {})
        if code not in layers:
            layers[code] = layered_for(compiled, code)
        return layers[code]


def forget_request_layers() -> None:
    g.pop("fieldapp_i18n_layers", None)


def install(app: Flask, babel) -> None:
    # Babel.domain_instance is a cached property: set once, it is the domain every gettext uses.
    babel.domain_instance = LayeredDomain(domain=app.config.get("BABEL_DOMAIN", "messages"))

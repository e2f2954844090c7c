"""Every URL the field app needs to open and work with no network: the offline precache list."""
from __future__ import annotations

from flask import current_app, has_request_context, url_for

from ..i18n import ACCEPTED
from .forms import FORMS

# Scripts in the order the field pages load them (outbox.js and offline.js belong to the offline work).
SCRIPTS = ("i18n.js", "session.js", "api.js", "outbox.js", "offline.js")
PAGE_SCRIPTS = ("login.js", "home.js", "form.js", "card.js")
FONTS = ("NotoSansEthiopic-Regular.ttf",)


def shell_urls() -> list[str]:
    """Pages, scripts, styles, fonts, the strings of every locale and the code lists.

    Call it in a request or an app context. The URLs carry no query strings, so a cache keyed
    by URL finds them again.
    """
    if not has_request_context():
        with current_app.test_request_context():
            return _urls()
    return _urls()


def _urls() -> list[str]:
    urls = [
        url_for("field.home"),
        url_for("field.login"),
        url_for("field.card"),
        *(url_for("field.form", channel=channel) for channel in FORMS),
        url_for("static", filename="css/app.css"),
        *(url_for("static", filename=f"js/{name}") for name in SCRIPTS + PAGE_SCRIPTS),
        *(url_for("static", filename=f"fonts/{name}") for name in FONTS),
        *(url_for("field.strings", locale=code) for code in ACCEPTED),
        url_for("field.codes"),
    ]
    return list(dict.fromkeys(urls))

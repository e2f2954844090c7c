"""/sw.js at the root (so its scope is the whole app), the manifest, and the outbox's strings."""
from __future__ import annotations

import json

from flask import Blueprint, Response, abort, current_app, jsonify
from flask_babel import force_locale, get_locale, gettext

from ..i18n import ACCEPTED, DEFAULT_LOCALE, text_direction
from ..security import public_page
from .messages import client_msgids
from .precache import WORKER_SOURCE, current_precache

bp = Blueprint("offline", __name__)

THEME_COLOUR = "#14532d"  # the top bar's green in app.css
BACKGROUND_COLOUR = "#fafaf7"


@bp.get("/sw.js")
@public_page  # no personal data: the browser may revalidate instead of refetching
def service_worker():
    precache = current_precache(current_app)
    header = (
        f"var FIELDAPP_VERSION = {json.dumps(precache.version)};\n"
        f"var FIELDAPP_PRECACHE = {json.dumps(list(precache.urls))};\n"
        f"var FIELDAPP_FALLBACK = {json.dumps(precache.fallback)};\n"
    )
    response = Response(header + WORKER_SOURCE.read_text(encoding="utf-8"), mimetype="text/javascript")
    # Browsers check for a new worker on every navigation; never let a cache answer for it.
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/manifest.webmanifest")
@public_page  # no personal data: the browser may revalidate instead of refetching
def manifest():
    code = str(get_locale() or DEFAULT_LOCALE)
    body = {
        "name": gettext("fieldapp: energy in the neighbourhood"),
        "short_name": "fieldapp",
        "description": gettext("Record door-step contacts, klusacties and energieloket visits, also with no network."),
        "id": "/field/",
        "start_url": "/field/",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "lang": code,
        "dir": text_direction(code),
        "icons": [
            {"src": "/static/icons/icon-192.png", "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": "/static/icons/icon-512.png", "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {"src": "/static/icons/maskable-512.png", "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
        ],
    }
    response = Response(json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json")
    response.headers["Cache-Control"] = "no-cache"
    response.vary.update(("Accept-Language", "Cookie"))
    return response


@bp.get("/offline/i18n/<code>.json")
@public_page  # no personal data: the browser may revalidate instead of refetching
def strings(code: str):
    """The outbox's strings in one language (the field pages' i18n.js has them in its catalogs)."""
    if code not in ACCEPTED:
        abort(404)
    with force_locale(code):
        table = {msgid: gettext(msgid) for msgid in client_msgids()}
    response = jsonify(table)
    response.headers["Cache-Control"] = "no-cache"
    return response

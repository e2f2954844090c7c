"""Web security in one place: headers (flask-talisman), CSRF (flask-wtf), session cookies, caching.

- CSP without any inline script or style; images from the tile host when one is configured.
- CSRF on every state change authenticated by the session cookie. A request carrying a bearer
  token is exempt: a browser never adds that header on its own, so another site cannot forge it.
- `Cache-Control: no-store` on everything except static files, the OpenAPI document and pages
  marked `public_page` (no personal data), so no shared or back-button cache keeps a resident's data.
- The session cookie is HttpOnly, SameSite=Lax, and Secure whenever the request came over HTTPS.
"""
from __future__ import annotations

import os
from urllib.parse import urlsplit

import flask_babel
from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFError, CSRFProtect

csrf = CSRFProtect()

# Our files, Leaflet's (from its wheel, dashboard.views.leaflet_bp) and the Ethiopic font (from
# fonts-noto-core, field.fonts): the same for everybody, so nobody is looked up to serve them
# (accounts.access).
STATIC_ENDPOINTS = frozenset({"static", "leaflet.static", "fonts.font"})
# Responses that may be cached: the files and the OpenAPI document hold no personal data.
CACHEABLE_ENDPOINTS = STATIC_ENDPOINTS | {"api-docs.openapi_json"}
# JSON endpoints anyone may call without a session; they set no cookie state, so need no CSRF.
CSRF_EXEMPT_ENDPOINTS = {"auth.create_token"}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}

# Sent at logout. "storage" (IndexedDB: the phone's outbox) only when the client says the outbox
# is empty or the user agreed to lose what is unsent.
CLEAR_SITE_DATA = '"cache", "cookies"'
CLEAR_SITE_DATA_ALL = '"cache", "cookies", "storage"'


def public_page(view):
    """Mark a view whose response holds no personal data (an app shell, a manifest): cacheable."""
    view.fieldapp_public = True
    return view


class SessionInterface(SecureCookieSessionInterface):
    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure


def tile_origin(tile_url: str) -> str | None:
    """'https://{s}.tile.example.org/{z}/{x}/{y}.png' -> 'https://*.tile.example.org'."""
    if not tile_url:
        return None
    parts = urlsplit(tile_url.replace("{s}.", "*.").replace("{s}", "*"))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(tile_url: str = "") -> dict:
    images = ["'self'", "data:"]
    origin = tile_origin(tile_url)
    if origin:
        images.append(origin)
    return {
        "default-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'none'",
        "frame-ancestors": "'none'",
        "img-src": " ".join(images),
        "worker-src": "'self'",
        "manifest-src": "'self'",
    }


def init_app(app: Flask) -> None:
    env = os.environ.get
    app.config.setdefault("SESSION_IDLE_MINUTES", int(env("FIELDAPP_SESSION_IDLE_MINUTES", "30")))
    app.config.setdefault("SESSION_ABSOLUTE_MINUTES", int(env("FIELDAPP_SESSION_ABSOLUTE_MINUTES", str(12 * 60))))
    app.config.setdefault("PERMANENT_SESSION_LIFETIME", app.config["SESSION_ABSOLUTE_MINUTES"] * 60)
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config.setdefault("SESSION_COOKIE_SECURE", env("FIELDAPP_HTTPS_ONLY", "") == "1")
    # The session has its own timeouts; a form token expiring mid-form would lose typed text.
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    app.session_interface = SessionInterface()

    Talisman(
        app,
        force_https=False,
        strict_transport_security=True,
        strict_transport_security_max_age=31536000,
        session_cookie_secure=False,  # ours: Secure exactly when the request is HTTPS
        session_cookie_samesite="Lax",
        content_security_policy=content_security_policy(app.config.get("TILE_URL", "")),
        referrer_policy="same-origin",
        frame_options="DENY",
        x_xss_protection=False,
        permissions_policy={"geolocation": "(self)", "camera": "()", "microphone": "()"},
    )
    csrf.init_app(app)

    def reset_request_caches():
        from flask import g

        # flask-wtf caches the token in g, flask-babel the locale: g outlives a request when an
        # app context is already pushed (tests, CLI), and neither may leak into the next request.
        g.pop("csrf_token", None)
        flask_babel.refresh()

    # First of all hooks, before the user is identified and a 401 is worded.
    app.before_request_funcs.setdefault(None, []).insert(0, reset_request_caches)

    @app.before_request
    def check_csrf():
        from flask import g

        if request.method in SAFE_METHODS or request.endpoint in CSRF_EXEMPT_ENDPOINTS:
            return
        if g.get("authenticated_by") == "bearer":
            return
        csrf.protect()

    @app.after_request
    def no_store(response):
        view = app.view_functions.get(request.endpoint or "")
        if request.endpoint in CACHEABLE_ENDPOINTS or getattr(view, "fieldapp_public", False):
            return response
        response.headers["Cache-Control"] = "no-store"
        response.headers.pop("Expires", None)
        response.headers["Pragma"] = "no-cache"
        return response

    @app.errorhandler(CSRFError)
    def on_csrf_error(err: CSRFError):
        from flask_babel import gettext

        from .api import error_response, wants_json

        message = gettext("This form has expired. Reload the page and try again.")
        if wants_json():
            return error_response(400, message=message)
        from flask import render_template

        return render_template("accounts/message.html", title=gettext("Please try again"), message=message), 400

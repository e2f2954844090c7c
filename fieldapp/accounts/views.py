"""Sign-in for the office screens (session cookie), second-factor step, sign-out, invitations.

The phone app does not come here: it signs in through POST /api/v1/auth/token.
"""
from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from .. import audit
from ..i18n.messages import N_
from ..db import get_session, write_transaction
from ..access import current_user
from ..security import CLEAR_SITE_DATA, CLEAR_SITE_DATA_ALL
from .access import end_session, start_session
from .models import User
from .operations import (
    BAD_CODE, CODE_NEEDED, LIMITED, OK, accept_invite, end_all_sessions, enrol_totp, password_problem,
    sign_in, totp_uri, user_for_invite,
)

bp = Blueprint("accounts", __name__, template_folder="templates")

# The password step is good for this long before the code must follow.
PENDING_SECONDS = 300


def _safe_next(target: str | None) -> str:
    """Only a path on this site, so a crafted link cannot send someone elsewhere after sign-in."""
    if target and "\\" not in target and not any(ord(ch) < 32 for ch in target):
        # Browsers read "/\\host" as "//host"; control characters are stripped before parsing.
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target.rstrip("?") or "/"
    return "/"


def _landing(requested: str | None) -> str:
    """Where office sign-in leads: the page asked for, else the street dashboard (every role may
    read it; the phone app at /field/ has its own sign-in, for the bearer token it works offline with)."""
    if requested:
        return _safe_next(requested)
    return url_for("dashboard.index")


def _limited_page():
    return render_template("accounts/login.html", error=_("Too many attempts. Wait a minute and try again."),
                           username=request.form.get("username", "")), 429


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return render_template("accounts/login.html", username="", error=None, next=request.args.get("next", ""))
    # NUL cannot reach PostgreSQL; nobody's username contains one.
    username = request.form.get("username", "").replace("\x00", "").strip()[:80]
    password = request.form.get("password", "")[:256]
    next_url = _safe_next(request.form.get("next"))
    db = get_session()
    with write_transaction(db):
        result = sign_in(db, username, password, None, request.remote_addr, current_app.config["REDIS_URL"])
        if result.status == OK:
            audit.add(db, "login", actor=result.user, via="session")
    if result.status == LIMITED:
        return _limited_page()
    if result.status == CODE_NEEDED:
        end_session()
        session.update(pending_user_id=result.user.id, pending_at=int(time.time()), pending_next=request.form.get("next"))
        return redirect(url_for("accounts.login_code"))
    if result.status != OK:
        return render_template("accounts/login.html", username=username, next=next_url,
                               error=_("Wrong username or password.")), 401
    start_session(result.user)
    return redirect(_landing(request.form.get("next")))


@bp.route("/login/code", methods=["GET", "POST"])
def login_code():
    user_id, pending_at = session.get("pending_user_id"), session.get("pending_at", 0)
    user = get_session().get(User, user_id) if user_id else None
    if user is None or not user.active or time.time() - pending_at > PENDING_SECONDS:
        for key in ("pending_user_id", "pending_at", "pending_next"):
            session.pop(key, None)
        return redirect(url_for("accounts.login"))
    if request.method == "GET":
        return render_template("accounts/login_code.html", error=None)
    db = get_session()
    with write_transaction(db):
        result = sign_in(db, user.username, "", request.form.get("code", "")[:40], request.remote_addr,
                         current_app.config["REDIS_URL"], password_checked_user=user)
        if result.status == OK:
            audit.add(db, "login", actor=user, via="session")
    if result.status == LIMITED:
        return render_template("accounts/login_code.html",
                               error=_("Too many attempts. Wait a minute and try again.")), 429
    if result.status in (BAD_CODE, CODE_NEEDED):
        return render_template("accounts/login_code.html", error=_("That code is not right. Try the newest one.")), 401
    requested = session.get("pending_next")
    start_session(user)
    return redirect(_landing(requested))


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    user = current_user()
    if request.method == "GET":
        return render_template("accounts/logout.html", user=user)
    if user is not None:
        db = get_session()
        with write_transaction(db):
            db.add(user)
            end_all_sessions(db, user)
            audit.add(db, "logout", actor=user, via="session")
    end_session()
    response = redirect(url_for("accounts.login"))
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA_ALL if request.form.get("clear_storage") else CLEAR_SITE_DATA
    return response


@bp.route("/invite", methods=["GET", "POST"])
def invite():
    """The one-time link or code an admin handed over: choose a password (and set up the code app)."""
    code = (request.values.get("code") or "").strip()
    db = get_session()
    user = user_for_invite(db, code) if code else None
    if request.method == "GET" or user is None:
        error = _("This invitation is not valid any more. Ask your coordinator for a new one.") if code and user is None else None
        return render_template("accounts/invite.html", code=code, error=error, user=user), (400 if error else 200)
    password = request.form.get("password", "")
    problem = password_problem(password, user.username)
    if problem is None and password != request.form.get("password2", ""):
        problem = N_("The two passwords differ.")
    if problem:
        return render_template("accounts/invite.html", code=code, error=_(problem), user=user), 422
    secret = recovery = None
    with write_transaction(db):
        accept_invite(db, user, password)
        if user.needs_second_factor:
            secret, recovery = enrol_totp(db, user)
        audit.add(db, "invite_accepted", actor=user)
    if secret:
        return render_template("accounts/totp_setup.html", secret=secret, uri=totp_uri(user), recovery=recovery)
    return redirect(url_for("accounts.login"))

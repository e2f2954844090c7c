"""Sign-in and sign-out for API clients (the phone app): bearer tokens."""
from flask import current_app, request
from flask_babel import gettext as _
from flask_smorest import Blueprint

from .. import audit
from ..access import AccessDenied, require_user
from ..db import get_session, write_transaction
from ..security import CLEAR_SITE_DATA, CLEAR_SITE_DATA_ALL
from .access import bearer_token
from .operations import BAD_CODE, CODE_NEEDED, LIMITED, OK, end_all_sessions, issue_token, sign_in
from .schemas import LogoutRequest, TokenRequest, TokenResponse

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Sign-in for API clients")


@blp.route("/token", methods=["POST"])
@blp.arguments(TokenRequest)
@blp.response(200, TokenResponse)
@blp.alt_response(401, description="Wrong username or password, or the second-factor code is missing or wrong")
@blp.alt_response(429, description="Too many failed attempts for this account or address in the last minute")
def create_token(credentials):
    """Exchange a username and password (and, for coordinators and admins, a `totp` code) for a bearer token."""
    session = get_session()
    with write_transaction(session):
        result = sign_in(
            session, credentials["username"], credentials["password"], credentials.get("totp"),
            request.remote_addr, current_app.config["REDIS_URL"],
        )
        if result.status == OK:
            token, expires_at = issue_token(session, result.user, current_app.config["TOKEN_HOURS"])
            audit.add(session, "login", actor=result.user, via="token")
            audit.add(session, "token_issued", actor=result.user)
    if result.status == LIMITED:
        raise AccessDenied(429, _("Too many attempts. Wait a minute and try again."))
    if result.status == CODE_NEEDED:
        raise AccessDenied(401, _("A code from your authenticator app is needed: send it in the totp field."))
    if result.status == BAD_CODE:
        raise AccessDenied(401, _("That code is not right. Try the newest one."))
    if result.status != OK:
        raise AccessDenied(401, _("Wrong username or password."))
    return {"token": token, "expires_at": expires_at, "user": result.user}


@blp.route("/logout", methods=["POST"])
@blp.arguments(LogoutRequest)
@blp.response(204)
def logout(options):
    """Sign out everywhere: revoke every token of this user and end their web sessions.

    Clear-Site-Data asks the browser to drop caches and cookies; with `clear_storage: true` (send
    it only when the outbox is empty or the user agreed) also the stored data.
    """
    user = require_user()
    session = get_session()
    with write_transaction(session):
        revoked = end_all_sessions(session, user)
        audit.add(session, "logout", actor=user, via="token" if bearer_token() else "session")
        audit.add(session, "token_revoked", actor=user, tokens=revoked)
    return "", 204, {"Clear-Site-Data": CLEAR_SITE_DATA_ALL if options.get("clear_storage") else CLEAR_SITE_DATA}

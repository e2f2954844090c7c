from flask import current_app
from flask_babel import gettext as _
from flask_smorest import Blueprint

from ..db import get_session, write_transaction
from .access import AccessDenied
from .operations import authenticate, issue_token
from .schemas import TokenRequest, TokenResponse

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Sign-in for API clients")


@blp.route("/token", methods=["POST"])
@blp.arguments(TokenRequest)
@blp.response(200, TokenResponse)
def create_token(credentials):
    """Exchange a username and password for a bearer token."""
    session = get_session()
    with write_transaction(session):
        user = authenticate(session, credentials["username"], credentials["password"])
        if user is None:
            raise AccessDenied(401, _("Wrong username or password."))
        token, expires_at = issue_token(session, user, current_app.config["TOKEN_HOURS"])
    return {"token": token, "expires_at": expires_at, "user": user}

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .db import RETRY_AFTER, discard_session, get_session, unavailable

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    try:
        get_session().execute(text("SELECT 1"))
    except SQLAlchemyError as err:
        discard_session()
        response = jsonify({"status": "error", "database": "unreachable"})
        response.status_code = 503
        response.headers["Retry-After"] = str(RETRY_AFTER[unavailable(err) or "unreachable"])
        return response
    return jsonify({"status": "ok", "database": "ok"})

"""The JSON API's shared pieces: the OpenAPI document and one error format.

Every error body is {"message": "...", "errors": {field: [messages]}} with the messages in the
request's language. Validation messages are msgids in the catalogs and translated here, at the
edge, so schemas and operations stay language-free.
"""
from __future__ import annotations

import flask_smorest
from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext
from marshmallow import ValidationError
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from .access import AccessDenied
from .db import RETRY_AFTER, discard_session, unavailable


class Api(flask_smorest.Api):
    """flask-smorest's Api, except that a blueprint's operations are written into the OpenAPI
    document when the document is first read, not when the blueprint is registered. Writing them
    was half of create_app's time, which every worker start and every test pays, while only
    /api/v1/openapi.json (and whoever reads `spec`) needs the document."""

    def __init__(self, *args, **kwargs):
        self._spec, self._undocumented = None, []
        super().__init__(*args, **kwargs)

    @property
    def spec(self):
        while self._undocumented:
            self._undocumented.pop(0)(self._spec)
        return self._spec

    @spec.setter
    def spec(self, value):  # a new app's document: what the previous one still owed is its own
        self._spec, self._undocumented = value, []

    def register_blueprint(self, blp, *, parameters=None, **options):
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        app = self._app

        def document(spec):
            blp.register_views_in_doc(self, app, spec, name=name, parameters=parameters)
            spec.tag({"name": name, "description": blp.description})

        self._undocumented.append(document)


api = Api()


# Messages for the status codes the API uses; gettext at response time.
def _status_message(code: int) -> str:
    return {
        400: gettext("The request could not be read."),
        401: gettext("Please log in."),
        403: gettext("You do not have access to this."),
        404: gettext("Not found."),
        405: gettext("This method is not allowed here."),
        409: gettext("This record was already sent with different content."),
        413: gettext("The request is too large."),
        415: gettext("Send JSON."),
        422: gettext("Some fields need attention."),
        429: gettext("Too many attempts. Wait a minute and try again."),
    }.get(code, gettext("Something went wrong. Your data is safe; try again later."))


def translate_messages(errors):
    """Walk a marshmallow error tree and translate each message."""
    if isinstance(errors, dict):
        return {str(key): translate_messages(value) for key, value in errors.items()}
    if isinstance(errors, (list, tuple)):
        return [translate_messages(value) for value in errors]
    return gettext(str(errors)) if isinstance(errors, str) else str(errors)


def flatten_locations(messages: dict) -> dict:
    """webargs nests errors under the location ("json", "query"); clients want the fields."""
    flat: dict = {}
    for location, fields in messages.items():
        if location in ("json", "query", "querystring", "form", "path", "view_args") and isinstance(fields, dict):
            flat.update(fields)
        else:
            flat[location] = fields
    return flat


def error_response(status: int, errors: dict | None = None, message: str | None = None):
    body = {"message": message or _status_message(status)}
    if errors:
        body["errors"] = translate_messages(errors)
    response = jsonify(body)
    response.status_code = status
    return response


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz" or request.is_json


def init_app(app: Flask) -> None:
    api.init_app(app)
    init_fault_handlers(app)

    @app.errorhandler(ValidationError)
    def on_validation_error(err: ValidationError):
        messages = err.messages if isinstance(err.messages, dict) else {"_schema": err.messages}
        return error_response(422, messages)

    @app.errorhandler(AccessDenied)
    def on_access_denied(err: AccessDenied):
        if wants_json():
            return error_response(err.status, message=err.message)
        from flask import redirect, url_for

        if err.status == 401:
            for endpoint in ("accounts.login", "field.login"):
                if endpoint in app.view_functions:
                    return redirect(url_for(endpoint, next=request.full_path.rstrip("?")))
        return err.message, err.status

    @app.errorhandler(HTTPException)
    def on_http_exception(err: HTTPException):
        if not wants_json():
            return err
        data = getattr(err, "data", None) or {}
        messages = data.get("messages")
        errors = flatten_locations(messages) if isinstance(messages, dict) else None
        response = error_response(err.code or 500, errors)
        if isinstance(err, MethodNotAllowed) and err.valid_methods:
            response.headers["Allow"] = ", ".join(err.valid_methods)
        return response


def unavailable_response(kind: str):
    """503 with Retry-After: the database is down, restarting, locked, full or read-only. Nothing
    of the request was stored (its transaction rolled back), so the client keeps what it sent
    and tries again after Retry-After seconds. JSON for the API, a page for the screens, both in
    the request's language."""
    message = gettext("The server is busy right now. Nothing was lost; try again in a moment.")
    if wants_json():
        response = jsonify({"message": message})
        response.status_code = 503
    else:
        response = current_app.response_class(
            render_template("unavailable.html", message=message), status=503, mimetype="text/html")
    response.headers["Retry-After"] = str(RETRY_AFTER[kind])
    response.headers["Cache-Control"] = "no-store"
    return response


def init_fault_handlers(app: Flask) -> None:
    """Database faults: an outage is an honest 503, anything else stays a 500 (a bug)."""

    @app.errorhandler(sa_exc.DBAPIError)
    @app.errorhandler(sa_exc.TimeoutError)
    @app.errorhandler(sa_exc.DisconnectionError)
    def on_database_fault(err):
        kind = unavailable(err)
        if kind is None:
            raise err
        app.logger.warning("database unavailable (%s): %s", kind, str(err).splitlines()[0])
        discard_session()
        _forget_unloaded_user()
        return unavailable_response(kind)


def _forget_unloaded_user() -> None:
    """The language is chosen from the signed-in user too; a user whose row could not be read (or
    was expired by the failed transaction) is no help now, and reading it would fail again."""
    from flask import g
    from sqlalchemy import inspect

    user = g.get("current_user")
    if user is not None and "locale" in inspect(user).unloaded:
        g.current_user = None

"""fieldapp: the field app for neighbourhood outreach in the energy transition."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, request
from werkzeug.routing import IntegerConverter

from . import api, db, i18n, security
from .config import load_config
from .validation import INT32_MAX

# Top-level static/ (CSS, JS, fonts, icons), shipped with the app: nothing from a CDN.
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


def create_app(config: dict | None = None) -> Flask:
    instance_path = os.environ.get("FIELDAPP_INSTANCE_PATH")
    app = Flask(
        __name__,
        instance_path=str(Path(instance_path).resolve()) if instance_path else None,
        static_folder=str(STATIC_DIR),
    )
    app.config.update(load_config(Path(app.instance_path)))
    if config:
        app.config.update(config)
    app.json.sort_keys = False
    app.url_map.converters["int"] = DatabaseIdConverter

    db.init_app(app)
    i18n.init_app(app)
    api.init_app(app)
    _register_blueprints(app)
    _register_request_hooks(app)
    # After the hook that identifies the user: CSRF is skipped for bearer-token requests.
    security.init_app(app)
    return app


class DatabaseIdConverter(IntegerConverter):
    """<int:...> in our URLs is a database id: past 32 bits it names nothing, so a 404, not an overflow."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", INT32_MAX)
        super().__init__(url_map, *args, **kwargs)


def _register_blueprints(app: Flask) -> None:
    from .accounts.admin import bp as admin_bp
    from .accounts.blueprint import blp as auth_blp
    from .accounts.views import bp as accounts_bp
    from .dashboard import register as register_dashboard
    from .followup import register as register_followup
    from .field import fonts
    from .field.blueprint import bp as field_bp
    from .health import bp as health_bp
    from .meetings import register as register_meetings
    from .initiatives import register as register_initiatives
    from .offline.blueprint import bp as offline_bp
    from .public import register as register_public
    from .records import register as register_records
    from .revisits import register as register_revisits
    from .savings import register as register_savings
    from .streets.blueprint import blp as streets_blp
    from .translations_review import register as register_translations_review

    for blueprint in (auth_blp, streets_blp):
        api.api.register_blueprint(blueprint)
    register_records(app, api.api)
    app.register_blueprint(health_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(admin_bp)
    register_followup(app, api.api)
    register_meetings(app, api.api)
    register_revisits(app, api.api)
    register_initiatives(app, api.api)
    register_savings(app, api.api)
    register_dashboard(app, api.api)
    register_public(app, api.api)
    register_translations_review(app, api.api)
    app.register_blueprint(field_bp)
    fonts.init_app(app)
    app.register_blueprint(offline_bp)


# API endpoints anyone may call; every other /api/ endpoint needs a signed-in user.
PUBLIC_API_ENDPOINTS = {"auth.create_token", "api-docs.openapi_json"}


def _register_request_hooks(app: Flask) -> None:
    from .access import require_user
    from .accounts.access import load_current_user

    @app.before_request
    def identify_user():
        load_current_user()
        # Authenticate before the body is even parsed: a stranger learns nothing from a 422.
        if request.path.startswith("/api/") and request.endpoint not in PUBLIC_API_ENDPOINTS:
            if request.endpoint is not None:
                require_user()

"""The trust/reach dashboard: street figures, coverage map, follow-up queue and exports."""
from __future__ import annotations


def register(app, api) -> None:
    from ..i18n import formatting
    from . import tallies
    from .api import blp, exports_blp
    from . import followup_views  # noqa: F401 - adds its routes to bp before bp is registered
    from . import meeting_views  # noqa: F401 - the same
    from .views import bp, leaflet_bp

    formatting.register(app)
    tallies.listen()

    api.register_blueprint(blp)
    api.register_blueprint(exports_blp)
    app.register_blueprint(bp)
    app.register_blueprint(leaflet_bp)

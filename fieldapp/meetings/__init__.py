"""Group meetings (DOMAIN.md part two): planned and reported by coordinators; residents who sign
up at one become `event` records linked to it."""
from __future__ import annotations


def register(app, api) -> None:
    from .blueprint import blp
    from .views import bp

    api.register_blueprint(blp)
    app.register_blueprint(bp)

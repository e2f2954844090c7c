"""Koppelkansen as initiatives: joint initiatives of two or more partners, their progress notes,
the records that name them, and the overview for the monthly koppelkansensessie."""
from __future__ import annotations


def register(app, api) -> None:
    from .. import hooks
    from .blueprint import blp
    from .operations import initiative_titles, initiatives_open_to
    from .views import bp

    hooks.listen(hooks.INITIATIVES_OPEN_TO, initiatives_open_to)
    hooks.listen(hooks.INITIATIVE_TITLES, initiative_titles)
    api.register_blueprint(blp)
    app.register_blueprint(bp)

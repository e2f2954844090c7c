"""What it saved: installed measures as rows, the versioned savings figures and prices, and the
savings (a range) per street and period, in SQL."""
from __future__ import annotations


def register(app, api) -> None:
    from .. import hooks
    from .blueprint import blp
    from .measures import fold_in, follow_addresses
    from .queries import public_savings
    from .views import bp

    hooks.listen(hooks.RECORDS_STORED, fold_in)
    hooks.listen(hooks.RECORDS_CHANGED, follow_addresses)
    hooks.listen(hooks.NEIGHBOURHOOD_SAVINGS, public_savings)
    api.register_blueprint(blp)
    app.register_blueprint(bp)

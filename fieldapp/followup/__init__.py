"""The follow-up desk: every consented referral routed to a partner, owned, and followed through."""
from __future__ import annotations


def register(app, api) -> None:
    from .. import hooks
    from .blueprint import blp
    from .operations import withdraw
    from .routing import route_records
    from .views import bp

    hooks.listen(hooks.RECORDS_STORED, route_records)
    hooks.listen(hooks.REFERRALS_WITHDRAWN, withdraw)
    api.register_blueprint(blp)
    app.register_blueprint(bp)

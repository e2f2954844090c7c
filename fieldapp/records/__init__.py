"""Contact records of the four outreach channels, and the referrals they hold."""
from __future__ import annotations


def register(app, api) -> None:
    from .. import hooks
    from .blueprint import blp
    from .operations import follow_addresses

    # A record's address changed in place (a linked number, an erasure): its referrals follow.
    hooks.listen(hooks.RECORDS_CHANGED, follow_addresses)
    api.register_blueprint(blp)

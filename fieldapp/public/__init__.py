"""The public neighbourhood page (DOMAIN.md part two, "The neighbourhood page"): what residents
see of what happened with what they told, without signing in, in their language, printable as a
poster. Only counts leave this package, never an address or a household."""
from __future__ import annotations


def register(app, api) -> None:
    from .blueprint import bp

    app.register_blueprint(bp)

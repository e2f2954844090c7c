"""The revisit queue: doors where nobody answered, or nobody shared a language, get a second
knock, by a taalcoach who speaks the language the volunteer heard."""
from __future__ import annotations


def register(app, api) -> None:
    from .blueprint import blp

    api.register_blueprint(blp)

"""Translations that the field improves (DOMAIN.md): speakers of a locale suggest better
wordings from any field screen, admins accept or reject them, accepted wordings are used at once
(laid over the compiled catalog on the server and in the field app's catalogs) and exported as
a `.po` for the repository."""
from __future__ import annotations


def register(app, api) -> None:
    from .. import hooks
    from .blueprint import blp
    from .overrides import answer_overrides
    from .views import bp

    api.register_blueprint(blp)
    app.register_blueprint(bp)
    hooks.listen(hooks.TRANSLATION_OVERRIDES, answer_overrides)

"""Every model module, imported in one place for Alembic and create_all."""


def import_all_models() -> None:
    from .accounts import models as _accounts  # noqa: F401
    from .audit import models as _audit  # noqa: F401
    from .dashboard import models as _dashboard  # noqa: F401
    from .followup import models as _followup  # noqa: F401
    from .meetings import models as _meetings  # noqa: F401
    from .initiatives import models as _initiatives  # noqa: F401
    from .public import models as _public  # noqa: F401
    from .savings import models as _savings  # noqa: F401
    from .records import models as _records  # noqa: F401
    from .revisits import models as _revisits  # noqa: F401
    from .streets import models as _streets  # noqa: F401
    from .translations_review import models as _translations_review  # noqa: F401

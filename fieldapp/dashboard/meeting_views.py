"""The meetings screen of the dashboard: reach per language community beside coverage, and the
loket walk-ins that followed each meeting. Its route joins the dashboard's blueprint, so it has
the same period form and navigation."""
from __future__ import annotations

from flask import render_template

from ..access import require_user
from ..codes import MEETING_TYPES
from ..db import get_session
from .api import COORDINATORS, READERS, scope_for
from .meeting_figures import meeting_figures
from .views import _period, bp, language_names


@bp.route("/meetings")
def meetings():
    user = require_user(*READERS)
    query, errors = _period()
    figures = meeting_figures(get_session(), scope_for(user, query))
    return render_template("dashboard/meetings.html", figures=figures, query=query, errors=errors,
                           language_names=language_names(), coordinator=user.role in COORDINATORS,
                           type_labels={code: MEETING_TYPES.label(code) for code in MEETING_TYPES.codes})

"""The follow-up figures screen: how fast each partner answers, per language (DOMAIN.md part two).

Its routes join the dashboard's blueprint, so the screen sits beside the street figures under
/dashboard with the same period form and navigation.
"""
from __future__ import annotations

from flask import render_template

from ..access import require_user
from ..db import get_session
from .api import COORDINATORS, scope_for
from .followup_figures import TARGET_DAYS, followup_dashboard
from .views import _period, bp, language_names


@bp.route("/followup-figures")
def followup_figures():
    user = require_user(*COORDINATORS)
    query, errors = _period()
    figures = followup_dashboard(get_session(), scope_for(user, query))
    return render_template("dashboard/followup_figures.html", figures=figures, query=query, errors=errors,
                           language_names=language_names(), target=TARGET_DAYS, coordinator=True)

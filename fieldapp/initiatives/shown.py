"""An initiative as the API and the screens show it: its row, stalled or not, its last progress."""
from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

from sqlalchemy import case

from ..timeutil import EPOCH
from .figures import is_stalled, stalled
from .models import Initiative

STATUS_ORDER = {"running": 0, "idea": 1, "done": 2, "dropped": 3}


def stalled_first(today: date) -> tuple:
    """ORDER BY terms: stalled ones first, then running, ideas, done, dropped."""
    return (case((stalled(today), 0), else_=1), case(STATUS_ORDER, value=Initiative.status, else_=9))


def shown(initiative: Initiative, today: date, **extra) -> SimpleNamespace:
    return SimpleNamespace(
        id=initiative.id, neighbourhood_id=initiative.neighbourhood_id, title=initiative.title,
        description=initiative.description, partners=initiative.partners, partner_codes=initiative.partner_codes,
        owner_partner=initiative.owner_partner, owner=initiative.owner, status=initiative.status,
        start_date=initiative.start_date, next_step=initiative.next_step, next_step_due=initiative.next_step_due,
        stalled=is_stalled(initiative, today),
        last_progress=EPOCH + timedelta(days=initiative.last_progress_day), **extra)

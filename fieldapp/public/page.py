"""The figures as the page's words, in the request's language."""
from __future__ import annotations

from flask_babel import format_time, get_locale, ngettext
from flask_babel import gettext as _
from babel.dates import get_day_names

from ..codes import MEETING_TYPES
from ..i18n.formatting import day, number
from .figures import Figures
from .shown import SMALL, bill_months, count, euros


def weekday_names() -> list[str]:
    names = get_day_names("wide", locale=get_locale())
    return [names[index] for index in range(7)]  # Monday first


def savings_lines(savings: dict | None) -> dict | None:
    if not savings:
        return None
    low, high = savings["low"], savings["high"]
    months_low, months_high = bill_months(low), bill_months(high)
    if months_low == months_high:
        months = ngettext("That is about %(num)s month of an average energy bill.",
                          "That is about %(num)s months of an average energy bill.", months_high)
    else:
        months = ngettext("That is about %(low)s to %(num)s month of an average energy bill.",
                          "That is about %(low)s to %(num)s months of an average energy bill.",
                          months_high, low=number(months_low))
    return {"range": _("%(low)s to %(high)s a year", low=euros(low), high=euros(high)), "months": months}


def answer_line(shown: Figures) -> str | None:
    if shown.contacted == 0:
        return None
    if shown.contacted < SMALL:
        # A median over a handful of questions tells about a handful of households.
        return _("Fewer than 10 questions have had a first answer so far.")
    return _("Half of the questions had a first answer within %(days)s working days.",
             days=number(shown.median_days_to_contact))


def page_context(shown: Figures) -> dict:
    names = weekday_names()
    return {
        "neighbourhood": shown.neighbourhood,
        "homes_helped": count(shown.homes_helped),
        "klus_days": count(shown.klus_days),
        "streets": [(street, count(n)) for street, n in shown.streets],
        "savings": savings_lines(shown.savings),
        "answers": answer_line(shown),
        "meetings": [{"type": MEETING_TYPES.label(m["type"]), "day": day(m["starts_at"]),
                      "time": format_time(m["starts_at"], "short"), "place": m["place"]} for m in shown.meetings],
        "loket": None if shown.loket is None else {
            "place": shown.loket["place"],
            "hours": [(names[h["weekday"]], h["opens"], h["closes"]) for h in shown.loket["hours"]],
        },
    }

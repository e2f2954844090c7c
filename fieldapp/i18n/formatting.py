"""Numbers, shares and days as a person reads them in the current locale (Babel, CLDR data).

Dutch writes 1.078 and 69,7; Turkish puts the percent sign first (%58). Screens format here;
exports never do: a CSV, XLSX or GeoJSON keeps plain machine numbers for the next program.
For ti and so CLDR gives the international 1,078.5 and 58%; the browser's Intl falls back to
the same (static/js/dashboard/format.js), so a figure reads alike on the server and in a chart.
"""
from __future__ import annotations

from datetime import date, datetime

from flask import Flask
from flask_babel import format_date, format_datetime, format_decimal, format_percent

NONE = "–"  # no figure (nothing reached yet): a dash, in every language


def number(value, digits: int = 1) -> str:
    """A count or a measure; at most `digits` decimals (a trust index of 69.66 reads 69,7)."""
    if value is None:
        return NONE
    return format_decimal(round(value, digits) if isinstance(value, float) else value)


def percent(share) -> str:
    """A share from 0 to 1 as a whole percentage: 0.58 reads 58% (nl), %58 (tr)."""
    return NONE if share is None else format_percent(share)


def day(value) -> str:
    """A calendar day, e.g. 5 mrt 2026. A datetime is first moved to Amsterdam time."""
    if value is None or value == "":
        return NONE
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return format_date(value, "medium")


def moment(value: datetime | None) -> str:
    return NONE if value is None else format_datetime(value, "short")


def register(app: Flask) -> None:
    """Jinja filters for every template: {{ n|number }}, {{ share|percent }}, {{ d|day }}."""
    app.add_template_filter(number, "number")
    app.add_template_filter(percent, "percent")
    app.add_template_filter(day, "day")
    app.add_template_filter(moment, "moment")

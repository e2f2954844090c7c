"""The savings per street for a report: CSV, and a sheet of the streets XLSX.

Homes with measures are counts of households: a street with 1 to 9 of them is not shown on its
own (its measures would nearly describe those homes) but in one row of such streets, and a
count from 1 to 9 is written as <10, like the other exports.
"""
from __future__ import annotations

import csv
import io

from flask_babel import gettext as _

from ..savings.defaults import CALIBRATION
from ..savings.models import LEVELS
from ..savings.queries import TOTALS, add_up, per_home

SMALL = 10
UNIT_NAMES = {"kwh": "kWh", "gas_m3": "m3 gas", "water_m3": "m3 water", "euros": "EUR"}


def _homes(count: int):
    return f"<{SMALL}" if 0 < count < SMALL else count


def headers() -> list[str]:
    row = [_("Street"), _("Homes with measures")]
    for name in TOTALS:
        row += [_("%(unit)s a year (%(level)s)", unit=UNIT_NAMES[name], level=level) for level in LEVELS]
    row += [_("%(unit)s a year per home (%(level)s)", unit=UNIT_NAMES[name], level=level)
            for name in TOTALS for level in LEVELS]
    return row


def _row(label: str, figures: dict) -> list:
    average = per_home(figures)
    row = [label, _homes(figures["homes"])]
    row += [round(figures[name][level], 1) for name in TOTALS for level in LEVELS]
    row += [round(average[name][level], 1) if average else "" for name in TOTALS for level in LEVELS]
    return row


def savings_rows(report: dict) -> list[list]:
    """Streets with at least SMALL homes; the others together; the total; the calibration."""
    shown = [s for s in report["streets"] if s["homes"] >= SMALL]
    small = {s["street_id"]: s for s in report["streets"] if s["homes"] < SMALL}
    rows = [_row(s["name"], s) for s in shown]
    if small:
        rows.append(_row(_("Streets with fewer than 10 homes with measures"), add_up(small)))
    rows.append(_row(_("Total"), report["total"]))
    for c in CALIBRATION:
        rows.append([_("Published average per home: %(name)s", name=c["programme"]), ""]
                    + [""] * (3 * len(TOTALS))
                    + [c["kwh"]] * 3 + [c["gas_m3"]] * 3 + [""] * 6)
    return rows


def savings_csv(report: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers())
    writer.writerows(savings_rows(report))
    return out.getvalue()


def add_savings_sheet(workbook, report: dict) -> None:
    sheet = workbook.create_sheet(_("Savings"))
    sheet.append(headers())
    for row in savings_rows(report):
        sheet.append(row)

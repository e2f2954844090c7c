"""The meeting figures as they leave the app: a CSV, and a sheet in the street XLSX.

Suppressed like the street table (suppression.py): a head count of 3 Tigrinya speakers at one
evening, or 2 walk-ins after a meeting on a short street, points at people. Counts from 1 to 9
are "<10", and cells from which a hidden one could be worked out (a row's reach is its records
plus its head count; each column adds up to its total) are "x".
"""
from __future__ import annotations

import csv
import io

from flask_babel import gettext as _

from ..codes import MEETING_TYPES
from ..i18n.formatting import moment
from .suppression import Table, suppress

REACH_COUNTS = ("records", "head_count", "reach")
FOLLOW_COUNTS = ("head_count", "loket_walk_ins")


def reach_table(figures: dict) -> list[dict]:
    reach = figures["reach"]
    rows = [{"item": row["language"], **{key: row[key] for key in REACH_COUNTS}} for row in reach["languages"]]
    unknown = reach["head_count_language_unknown"]
    rows.append({"item": _("language not known"), "records": 0, "head_count": unknown, "reach": unknown})
    rows.append({"item": _("Total"), **{key: sum(row[key] for row in rows) for key in REACH_COUNTS}})
    total = len(rows) - 1
    groups = [((i, "reach"), [(i, "records"), (i, "head_count")]) for i in range(len(rows))]
    groups += [((total, key), [(i, key) for i in range(total)]) for key in REACH_COUNTS]
    published, _primary, _complementary = suppress(Table(rows, REACH_COUNTS, groups))
    return published


def follow_table(figures: dict) -> list[dict]:
    rows = [{"item": MEETING_TYPES.label(row["type"]) if row["type"] in MEETING_TYPES else row["type"],
             "starts_at": moment(row["starts_at"]), "head_count": row["head_count"],
             "loket_walk_ins": row["loket_walk_ins"]} for row in figures["followed_by_loket"]]
    reported = [i for i, row in enumerate(rows) if row["head_count"] is not None]
    rows.append({"item": _("Total"), "starts_at": "", "head_count": sum(rows[i]["head_count"] for i in reported),
                 "loket_walk_ins": sum(row["loket_walk_ins"] for row in rows)})
    total = len(rows) - 1
    # Unreported meetings have no head count: outside the head counts' sum.
    groups = [((total, "head_count"), [(i, "head_count") for i in reported]),
              ((total, "loket_walk_ins"), [(i, "loket_walk_ins") for i in range(total)])]
    published, _primary, _complementary = suppress(Table(rows, FOLLOW_COUNTS, groups))
    return published


def _cell(value):
    return "" if value is None else value


def meeting_rows(figures: dict) -> list[list]:
    rows = [[_("Section"), _("Language"), _("Records"), _("Head count"), _("Reach")]]
    rows += [["reach", row["item"], *[_cell(row[key]) for key in REACH_COUNTS]] for row in reach_table(figures)]
    rows.append([])
    rows.append([_("Section"), _("Meeting"), _("Start"), _("Head count"),
                 _("Loket walk-ins within %(days)s days", days=figures["follow_days"])])
    rows += [["followed_by_loket", row["item"], row["starts_at"], _cell(row["head_count"]), row["loket_walk_ins"]]
             for row in follow_table(figures)]
    return rows


def meetings_csv(figures: dict) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(meeting_rows(figures))
    return out.getvalue()


def add_meetings_sheet(workbook, figures: dict) -> None:
    sheet = workbook.create_sheet(_("Meetings"))
    for row in meeting_rows(figures):
        sheet.append(row)

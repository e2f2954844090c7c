"""The follow-up figures as they leave the app: a CSV, and a sheet in the street XLSX.

Suppressed like the street table (suppression.py): a referral counted here is a resident who
asked for help (debt help, a repair) in a language, so in a small neighbourhood a "2" in the
Tigrinya row of a debt-help partner points at a door. Counts from 1 to 9 are "<10", cells from
which one could be worked out "x", and a median or share whose counts are hidden "x" too. The
table's rows are every (partner, language), every partner, every language and the total, with
the sums that bind them, so a hidden cell cannot be recovered by subtraction either.
"""
from __future__ import annotations

import csv
import io

from flask_babel import gettext as _

from .suppression import Table, suppress

COUNTS = ("referrals", "open", "overdue", "contacted", "contacted_within_target", "target_base", "closed",
          "language_gap")
DERIVED = {
    "median_working_days_to_contact": ("contacted",),
    "share_contacted_within_target": ("contacted_within_target", "target_base"),
    "median_working_days_to_close": ("closed",),
    "share_language_gap": ("language_gap", "referrals"),
}
COLUMNS = ("level", "partner", "language", "referrals", "open", "overdue", "contacted",
           "median_working_days_to_contact", "contacted_within_target", "target_base",
           "share_contacted_within_target", "closed", "median_working_days_to_close", "language_gap",
           "share_language_gap")
SHARES = ("share_contacted_within_target", "share_language_gap")


def headers() -> list[str]:
    names = {
        "level": _("Level"), "partner": _("Partner"), "language": _("Language"), "referrals": _("Referrals"),
        "open": _("Open"), "overdue": _("Overdue"), "contacted": _("Contacted"),
        "median_working_days_to_contact": _("Median working days to first contact"),
        "contacted_within_target": _("First contact within 5 working days"),
        "target_base": _("Contacted or older than 5 working days"),
        "share_contacted_within_target": _("Within 5 working days (%)"),
        "closed": _("Closed"), "median_working_days_to_close": _("Median working days to closing"),
        "language_gap": _("Language gap"), "share_language_gap": _("Language gap (%)"),
    }
    return [names[key] for key in COLUMNS]


def level_names() -> dict[str, str]:
    return {"partner_language": _("Partner and language"), "partner": _("Partner"), "language": _("Language"),
            "total": _("Total")}


def _row(level: str, partner: str | None, language: str | None, figures: dict) -> dict:
    row = {"level": level, "partner": partner or "", "language": language or ""}
    for key in COLUMNS[3:]:
        value = figures[key]
        row[key] = round(value * 100, 1) if key in SHARES and value is not None else value
    return row


def followup_table(desk: dict) -> Table:
    """Rows: each (partner, language), each partner, each language, the total; with the sums."""
    rows, groups = [], []
    by_language: dict[str, list[int]] = {}
    partner_rows = []
    for partner in desk["partners"]:
        cells = []
        for cell in partner["languages"]:
            cells.append(len(rows))
            by_language.setdefault(cell["language"], []).append(len(rows))
            rows.append(_row("partner_language", partner["partner"], cell["language"], cell))
        partner_rows.append(len(rows))
        rows.append(_row("partner", partner["partner"], None, partner))
        groups += [((partner_rows[-1], key), [(i, key) for i in cells]) for key in COUNTS]
    language_rows = []
    for language in desk["languages"]:
        language_rows.append(len(rows))
        rows.append(_row("language", None, language["language"], language))
        groups += [((language_rows[-1], key), [(i, key) for i in by_language[language["language"]]])
                   for key in COUNTS]
    total = len(rows)
    rows.append(_row("total", None, None, desk["total"]))
    for key in COUNTS:
        groups += [((total, key), [(i, key) for i in partner_rows]), ((total, key), [(i, key) for i in language_rows])]
    # A partner either has someone who speaks the language or not: a cell's gap is 0 or all of it.
    groups += [((i, "referrals"), [(i, "language_gap")]) for i, row in enumerate(rows)
               if row["level"] == "partner_language" and row["language_gap"] == row["referrals"]]
    return Table(rows, COUNTS, groups, DERIVED)


def published_rows(desk: dict) -> list[list]:
    rows, _primary, _complementary = suppress(followup_table(desk))
    levels = level_names()
    return [[levels[row["level"]]] + [row[key] if row[key] is not None else "" for key in COLUMNS[1:]]
            for row in rows]


def followup_csv(desk: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers())
    writer.writerows(published_rows(desk))
    return out.getvalue()


def add_followup_sheet(workbook, desk: dict) -> None:
    sheet = workbook.create_sheet(_("Follow-up"))
    sheet.append(headers())
    for row in published_rows(desk):
        sheet.append(row)

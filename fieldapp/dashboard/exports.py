"""Exports: the street table (suppressed, CSV or XLSX) and the record-level CSV for admins."""
from __future__ import annotations

import csv
import io
import json
from typing import Iterator

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..codes import CHANNELS, OWNERSHIP
from ..records.models import Record
from ..streets.models import Street
from .followup_exports import add_followup_sheet
from .meeting_exports import add_meetings_sheet
from .savings_exports import add_savings_sheet
from .queries import Scope, record_conditions
from .suppression import Table, suppress

LADDER = tuple(f"ladder_{s}" for s in range(6))
# Per ownership code: its addresses plus its anonymous records (DOMAIN.md part two). A code's
# column adds up over the streets; the codes of one row do not (a record may carry several).
OWN = tuple(f"own_{code}" for code in OWNERSHIP.codes)
COUNTS = (
    "households", "reached", "anonymous_contacts", "records", "refusals", *LADDER, *CHANNELS.codes,
    "taalcoach_records", "koppelkansen", *OWN, "referrals_open", "referrals_overdue",
)
COLUMNS = (
    "name", "households", "reached", "coverage", "anonymous_contacts", "records", "refusals", "trust_index",
    *LADDER, *CHANNELS.codes, "taalcoach_records", "koppelkansen", *OWN, "referrals_open", "referrals_overdue",
    "median_response_days",
)


def headers() -> list[str]:
    names = {
        "name": _("Street"), "households": _("Households"), "reached": _("Reached"),
        "coverage": _("Coverage (%)"), "anonymous_contacts": _("Anonymous contacts"), "records": _("Records"),
        "refusals": _("Refusals"), "trust_index": _("Trust index"),
        "taalcoach_records": _("With a taalcoach"), "koppelkansen": _("Koppelkansen"),
        "referrals_open": _("Open referrals"), "referrals_overdue": _("Overdue referrals"),
        "median_response_days": _("Median days to answer"),
    }
    for step in range(6):
        names[f"ladder_{step}"] = _("Ladder step %(step)s", step=step)
    for code in CHANNELS.codes:
        names[code] = CHANNELS.label(code)
    for code in OWNERSHIP.codes:
        names[f"own_{code}"] = _("Ownership: %(code)s", code=OWNERSHIP.label(code))
    return [names[key] for key in COLUMNS]


def _flat(row: dict, name: str) -> dict:
    flat = {
        "name": name,
        **{key: row[key] for key in ("households", "reached", "anonymous_contacts", "records", "refusals",
                                     "taalcoach_records", "koppelkansen", "referrals_open", "referrals_overdue",
                                     "trust_index", "median_response_days")},
        "coverage": round(row["coverage"] * 100, 1) if row["coverage"] is not None else None,
    }
    for step in range(6):
        flat[f"ladder_{step}"] = row["ladder"][str(step)]
    for code in CHANNELS.codes:
        flat[code] = row["channels"][code]["records"]
    for code in OWNERSHIP.codes:
        counts = row["ownership"][code]
        flat[f"own_{code}"] = counts["addresses"] + counts["anonymous_records"]
    return flat


def street_table(figures: dict) -> Table:
    """The street rows plus a totals row, with every additive relation the table carries."""
    rows = [_flat(row, row["name"]) for row in figures["streets"]]
    rows.append(_flat(figures["totals"], _("Total")))
    groups = []
    for i, row in enumerate(rows):
        reached_steps = [(i, f"ladder_{s}") for s in range(1, 6)]
        groups.append(((i, "reached"), reached_steps))
        if row["households"] == row["ladder_0"] + row["reached"]:
            groups.append(((i, "households"), [(i, "ladder_0"), (i, "reached")]))
        groups.append(((i, "records"), [(i, code) for code in CHANNELS.codes]))
    total = len(rows) - 1
    for key in COUNTS:
        if sum(row[key] for row in rows[:-1]) == rows[total][key]:
            groups.append(((total, key), [(i, key) for i in range(total)]))
    derived = {"coverage": ("households", "reached"), "trust_index": ("reached", *LADDER[1:])}
    return Table(rows, COUNTS, groups, derived)


def published_rows(figures: dict) -> list[list]:
    rows, _primary, _complementary = suppress(street_table(figures))
    return [[row[key] if row[key] is not None else "" for key in COLUMNS] for row in rows]


def streets_csv(figures: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers())
    writer.writerows(published_rows(figures))
    return out.getvalue()


def streets_xlsx(figures: dict, desk: dict | None = None, meetings: dict | None = None,
                 savings: dict | None = None) -> bytes:
    """The street table; with `desk` (followup_figures), the follow-up figures on a second sheet."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Streets"))
    sheet.append(headers())
    for row in published_rows(figures):
        sheet.append(row)
    if desk is not None:
        add_followup_sheet(workbook, desk)
    if meetings is not None:
        add_meetings_sheet(workbook, meetings)
    if savings is not None:
        add_savings_sheet(workbook, savings)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


RECORD_COLUMNS = (
    "id", "channel", "street_id", "street", "house_number", "house_addition", "occurred_at", "language",
    "taalcoach_present", "outcome", "topics", "measures", "heard_via", "partners", "ownership", "received_at",
    "handed_out",  # last: a report reading the columns by position before it was added still reads them
)


def records_csv(session: Session, scope: Scope) -> Iterator[str]:
    """Every record of the scope, streamed. Notes are left out: free text is not exported."""
    R = Record.__table__
    S = Street.__table__
    stmt = (
        select(R.c.id, R.c.channel, R.c.street_id, S.c.name, R.c.house_number, R.c.house_addition,
               R.c.occurred_at, R.c.language, R.c.taalcoach_present, R.c.outcome, R.c.topics, R.c.measures,
               R.c.heard_via, R.c.partners, R.c.ownership, R.c.received_at, R.c.handed_out)
        .select_from(R.join(S, S.c.id == R.c.street_id))
        .where(*record_conditions(scope))
        .order_by(R.c.occurred_at, R.c.id)
        .execution_options(yield_per=2000)
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(RECORD_COLUMNS)
    for row in session.execute(stmt):
        values = list(row)
        for index in (10, 11, 13, 14, 16):
            values[index] = json.dumps(values[index], separators=(",", ":"))
        values[6] = values[6].isoformat()
        values[15] = values[15].isoformat()
        writer.writerow(values)
        if out.tell() > 64_000:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()

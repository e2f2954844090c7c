"""The revisit queue's API: the doors to knock on again, and how often the second knock worked."""
from __future__ import annotations

from flask import request
from flask_smorest import Blueprint

from .. import audit
from ..access import require_user
from ..db import get_session
from ..validation import PeriodQuery
from .queries import conversion_by_language, revisit_queue
from .schemas import ConversionOut, RevisitList, RevisitQuery

COORDINATORS = ("coordinator", "admin")
READERS = ("taalcoach", *COORDINATORS)

blp = Blueprint("revisits", __name__, url_prefix="/api/v1/revisits", description="The revisit queue")


def _languages(user, query: dict) -> set[str] | None:
    """The languages the list is filtered to; None: every language (a coordinator's default)."""
    chosen = {query["language"]} if "language" in query else None
    if user.role in COORDINATORS:
        return chosen
    spoken = set(user.spoken_languages)
    return spoken & chosen if chosen is not None else spoken


def _by_street(entries: list[dict]) -> list[dict]:
    streets: dict[int, dict] = {}
    for entry in entries:
        street = streets.setdefault(entry["street_id"], {
            "street_id": entry["street_id"], "street": entry["street"], "entries": []})
        street["entries"].append(entry)
    for street in streets.values():
        street["entries"].sort(key=lambda e: (e["house_number"], e["house_addition"] or ""))
    return sorted(streets.values(), key=lambda s: (s["street"].casefold(), s["street_id"]))


@blp.route("", methods=["GET"])
@blp.arguments(RevisitQuery, location="query")
@blp.response(200, RevisitList)
@blp.alt_response(403, description="Volunteers: the queue is for taalcoaches and coordinators")
def get_revisits(query):
    """Doors to knock on again, by street: the latest record found nobody home or a language
    barrier, fewer than 3 times in a row, and no refusal in the last 365 days. Taalcoaches see
    the languages they speak; coordinators all (or ?language=). House numbers: audited."""
    user = require_user(*READERS)
    languages = _languages(user, query)
    entries = [] if languages == set() else revisit_queue(
        get_session(), user.neighbourhood_ids, languages, street_id=query.get("street_id"))
    streets = _by_street(entries)
    if entries:
        audit.record("address_view", via=request.endpoint, addresses=len(entries),
                     streets=sorted(s["street_id"] for s in streets))
    shown = sorted(languages) if languages is not None else sorted({e["language"] for e in entries})
    return {"streets": streets, "languages": shown}


@blp.route("/conversion", methods=["GET"])
@blp.arguments(PeriodQuery, location="query")
@blp.response(200, ConversionOut)
@blp.alt_response(403, description="Coordinators and admins only")
def get_conversion(query):
    """Per language: addresses queued in the period (Europe/Amsterdam days, both included), and
    how many of them opened up (talked, let in) at the next record within 30 days. See
    fieldapp.revisits.queries.conversion_by_language for the exact count."""
    user = require_user(*COORDINATORS)
    first, last = query.get("date_from"), query.get("date_to")
    languages = conversion_by_language(get_session(), user.neighbourhood_ids, first, last)
    queued = sum(row["queued"] for row in languages)
    converted = sum(row["converted"] for row in languages)
    total = {"queued": queued, "converted": converted, "share": round(converted / queued, 4) if queued else None}
    return {"date_from": first, "date_to": last, "languages": languages, "total": total}

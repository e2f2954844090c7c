"""JSON API: street figures, the map's GeoJSON, exports."""
from __future__ import annotations

from flask import Response, stream_with_context
from flask_smorest import Blueprint

from .. import audit
from ..access import require_user
from ..db import get_session
from ..timeutil import local_date, utcnow
from . import cache
from .exports import records_csv, streets_csv, streets_xlsx
from .followup_exports import followup_csv
from .meeting_exports import meetings_csv
from .followup_figures import followup_dashboard, followup_figures
from .geojson import feature_collection
from .meeting_figures import meeting_figures
from .savings_exports import savings_csv
from ..savings.schemas import SavingsQuery, SavingsReport
from .queries import Scope
from .schemas import FollowupDashboard, MapQuery, PeriodQuery, StreetDashboard

READERS = ("volunteer", "taalcoach", "coordinator", "admin")
COORDINATORS = ("coordinator", "admin")

blp = Blueprint("dashboard_api", __name__, url_prefix="/api/v1", description="Trust/reach dashboard and map")
exports_blp = Blueprint("exports", __name__, url_prefix="/api/v1/exports", description="Exports for reports")


def scope_for(user, query: dict, street_id: int | None = None) -> Scope:
    return Scope(
        neighbourhood_ids=tuple(sorted(user.neighbourhood_ids)),
        first=query.get("date_from"),
        last=query.get("date_to"),
        today=local_date(utcnow()),
        street_id=street_id,
    )


@blp.route("/dashboard/streets", methods=["GET"])
@blp.arguments(PeriodQuery, location="query")
@blp.response(200, StreetDashboard)
def dashboard_streets(query):
    """Street figures of my neighbourhoods for a period (Europe/Amsterdam days, both included)."""
    user = require_user(*READERS)
    session = get_session()
    scope = scope_for(user, query)
    figures = cache.cached_street_figures(session, scope)
    # Meetings change outside the streets' versions the cache keys on: counted on every request.
    # Their reach takes the records per language from the street figures' totals.
    return {**figures, "meetings": meeting_figures(session, scope, figures["totals"]["languages"])}


@blp.route("/dashboard/savings", methods=["GET"])
@blp.arguments(SavingsQuery, location="query")
@blp.response(200, SavingsReport)
def dashboard_savings(query):
    """Estimated savings a year of the measures installed in the period (Europe/Amsterdam days,
    both included), per street and in total, low / default / high: a range, never one number."""
    user = require_user(*READERS)
    return cache.cached_savings_report(get_session(), user.neighbourhood_ids, query.get("date_from"),
                                       query.get("date_to"))


@blp.route("/dashboard/followup", methods=["GET"])
@blp.arguments(PeriodQuery, location="query")
@blp.response(200, FollowupDashboard)
def dashboard_followup(query):
    """The follow-up desk's figures per partner and per language for referrals whose record lies
    in the period (Europe/Amsterdam days, both included), and the revisit conversion per
    language. Coordinators and admins."""
    user = require_user(*COORDINATORS)
    return followup_dashboard(get_session(), scope_for(user, query))


@blp.route("/map/streets.geojson", methods=["GET"])
@blp.arguments(MapQuery, location="query")
@blp.response(200, description="GeoJSON FeatureCollection; properties.value holds the chosen metric")
def map_streets(query):
    """My neighbourhoods' streets with their figures; `value` is coverage (0-1) or trust index (0-100)."""
    user = require_user(*READERS)
    session = get_session()
    scope = scope_for(user, query)
    body = feature_collection(session, scope, cache.cached_street_figures(session, scope, detail=False),
                              query["metric"])
    return _geojson(body)


def _geojson(body: dict, download: str | None = None) -> Response:
    from flask import json

    response = Response(json.dumps(body), mimetype="application/geo+json")
    if download:
        response.headers["Content-Disposition"] = f'attachment; filename="{download}"'
    return response


def _period_suffix(query: dict) -> str:
    first, last = query.get("date_from"), query.get("date_to")
    return f"_{first or 'start'}_{last or 'now'}" if first or last else ""


def _audited_export(query: dict, kind: str):
    """A coordinator's street-level export: checked, written to the audit log, then computed."""
    user = require_user(*COORDINATORS)
    scope = scope_for(user, query)
    audit.record("export", kind=kind, date_from=str(scope.first or ""), date_to=str(scope.last or ""))
    return scope, cache.cached_street_figures(get_session(), scope)


@exports_blp.route("/streets.csv", methods=["GET"])
@exports_blp.arguments(PeriodQuery, location="query")
@exports_blp.response(200, description="CSV; counts from 1 to 9 shown as <10, cells that would give them away as x")
def export_streets_csv(query):
    """The street table for a report, with small numbers suppressed. Coordinators."""
    _scope, figures = _audited_export(query, "streets.csv")
    return _download(streets_csv(figures), "text/csv; charset=utf-8", f"streets{_period_suffix(query)}.csv")


@exports_blp.route("/streets.xlsx", methods=["GET"])
@exports_blp.arguments(PeriodQuery, location="query")
@exports_blp.response(200, description="XLSX with the same suppression as the CSV; a second sheet holds the "
                                       "follow-up figures, suppressed as followup.csv")
def export_streets_xlsx(query):
    """The street table as a spreadsheet, small numbers suppressed. Coordinators."""
    _scope, figures = _audited_export(query, "streets.xlsx")
    desk = followup_figures(get_session(), _scope)
    meetings = meeting_figures(get_session(), _scope, figures["totals"]["languages"])
    savings = cache.cached_savings_report(get_session(), _scope.neighbourhood_ids, _scope.first, _scope.last)
    return _download(streets_xlsx(figures, desk, meetings, savings), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     f"streets{_period_suffix(query)}.xlsx")


@exports_blp.route("/savings.csv", methods=["GET"])
@exports_blp.arguments(PeriodQuery, location="query")
@exports_blp.response(200, description="CSV: estimated savings a year (low, default, high) per street, of the "
                                       "streets with 10 or more homes with measures, the others in one row, the "
                                       "total and the published averages per home for calibration")
def export_savings_csv(query):
    """What the measures installed in the period save, for a report. Coordinators."""
    user = require_user(*COORDINATORS)
    scope = scope_for(user, query)
    audit.record("export", kind="savings.csv", date_from=str(scope.first or ""), date_to=str(scope.last or ""))
    report = cache.cached_savings_report(get_session(), scope.neighbourhood_ids, scope.first, scope.last)
    return _download(savings_csv(report), "text/csv; charset=utf-8", f"savings{_period_suffix(query)}.csv")


@exports_blp.route("/followup.csv", methods=["GET"])
@exports_blp.arguments(PeriodQuery, location="query")
@exports_blp.response(200, description="CSV: the follow-up figures per partner and language, per partner, per "
                                       "language and in total; counts from 1 to 9 shown as <10, cells that would "
                                       "give them away as x, and the medians and shares of such rows as x")
def export_followup_csv(query):
    """The follow-up desk's figures for a report, with small numbers suppressed. Coordinators."""
    user = require_user(*COORDINATORS)
    scope = scope_for(user, query)
    audit.record("export", kind="followup.csv", date_from=str(scope.first or ""), date_to=str(scope.last or ""))
    return _download(followup_csv(followup_figures(get_session(), scope)), "text/csv; charset=utf-8",
                     f"followup{_period_suffix(query)}.csv")


@exports_blp.route("/meetings.csv", methods=["GET"])
@exports_blp.arguments(PeriodQuery, location="query")
@exports_blp.response(200, description="CSV: reach per language community (records plus meeting head counts) and, per "
                                       "meeting, the loket walk-ins that followed it; counts from 1 to 9 shown as <10, "
                                       "cells that would give them away as x")
def export_meetings_csv(query):
    """The meeting figures for a report, with small numbers suppressed. Coordinators."""
    user = require_user(*COORDINATORS)
    scope = scope_for(user, query)
    audit.record("export", kind="meetings.csv", date_from=str(scope.first or ""), date_to=str(scope.last or ""))
    return _download(meetings_csv(meeting_figures(get_session(), scope)), "text/csv; charset=utf-8",
                     f"meetings{_period_suffix(query)}.csv")


@exports_blp.route("/streets.geojson", methods=["GET"])
@exports_blp.arguments(MapQuery, location="query")
@exports_blp.response(200, description="The map's GeoJSON as a download (street-level figures)")
def export_streets_geojson(query):
    """The map as GeoJSON for a GIS. Coordinators."""
    scope, figures = _audited_export(query, "streets.geojson")
    body = feature_collection(get_session(), scope, figures, query["metric"])
    return _geojson(body, f"streets{_period_suffix(query)}.geojson")


@exports_blp.route("/records.csv", methods=["GET"])
@exports_blp.arguments(PeriodQuery, location="query")
@exports_blp.response(200, description="One line per record (house numbers, no notes). Admins; audited.")
def export_records_csv(query):
    """Record-level export of my neighbourhoods. Admins only; every export is audited."""
    user = require_user("admin")
    scope = scope_for(user, query)
    audit.record("export", kind="records.csv", date_from=str(scope.first or ""), date_to=str(scope.last or ""))
    session = get_session()
    return _download(stream_with_context(_closing(session, records_csv(session, scope))), "text/csv; charset=utf-8",
                     f"records{_period_suffix(query)}.csv")


def _closing(session, chunks):
    """A body streamed after the view returned. Flask tears the request's app context down (and
    closes the request's session there) before the first chunk is read, so the stream's reads
    begin a transaction of their own that nobody would end: on PostgreSQL an `idle in
    transaction` session holding its cursor until the garbage collector found the session. The
    stream ends it, when done and when the client went away mid-export (bench/slow_requests.py)."""
    try:
        yield from chunks
    finally:
        session.close()


def _download(body, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response

"""Server-rendered screens: dashboard, coverage map, street page, follow-up queue."""
from __future__ import annotations

import json

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from xstatic.pkg import leaflet

from .. import audit
from ..access import require_user
from ..api import translate_messages
from ..codes import CHANNELS, OWNERSHIP, TENURES
from ..db import get_session
from ..i18n.formatting import number, percent
from ..followup.access import visible_followups
from ..followup.models import FollowUp
from ..followup.views import answer_and_flash, back_to_list, desk_page
from ..streets.models import Street
from . import cache, charts
from .api import COORDINATORS, READERS, scope_for
from .queries import records_per_week
from .schemas import METRICS
from .schemas import PeriodQuery
from .street import address_groups, address_rows, recent_visits

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard", template_folder="templates")
# Leaflet from the xstatic-leaflet wheel, served from our own origin.
leaflet_bp = Blueprint("leaflet", __name__, static_folder=leaflet.BASE_DIR, static_url_path="/vendor/leaflet")

SORT_KEYS = {
    "name": lambda r: r["name"].casefold(),
    "households": lambda r: r["households"],
    "reached": lambda r: r["reached"],
    "coverage": lambda r: -1 if r["coverage"] is None else r["coverage"],
    "trust_index": lambda r: -1 if r["trust_index"] is None else r["trust_index"],
    "anonymous_contacts": lambda r: r["anonymous_contacts"],
    "records": lambda r: r["records"],
    "refusals": lambda r: r["refusals"],
    "koppelkansen": lambda r: r["koppelkansen"],
    "referrals_open": lambda r: r["referrals_open"],
    "referrals_overdue": lambda r: r["referrals_overdue"],
}


def step_labels() -> dict[str, str]:
    return {"0": _("Not reached"), "1": _("Reached"), "2": _("Conversation"), "3": _("Commitment"),
            "4": _("Let in"), "5": _("Returned")}


def language_names() -> dict[str, str]:
    return dict(get_locale().languages) if get_locale() else {}


def _period() -> tuple[dict, dict]:
    """The period from the query string; invalid dates are reported, not a 500."""
    try:
        return PeriodQuery().load({k: v for k, v in request.args.items() if k in ("from", "to") and v}), {}
    except ValidationError as err:
        return {}, translate_messages(err.messages)


@bp.route("/")
def index():
    user = require_user(*READERS)
    query, errors = _period()
    session = get_session()
    scope = scope_for(user, query)
    figures = cache.cached_street_figures(session, scope)
    sort = request.args.get("sort", "name")
    sort = sort if sort in SORT_KEYS else "name"
    descending = request.args.get("dir") == "desc"
    streets = sorted(figures["streets"], key=SORT_KEYS[sort], reverse=descending)
    channel_labels = {code: CHANNELS.label(code) for code in CHANNELS.codes}
    return render_template(
        "dashboard/index.html",
        figures=figures, streets=streets, sort=sort, descending=descending, query=query, errors=errors,
        channel_labels=channel_labels, tenure_labels={c: TENURES.label(c) for c in TENURES.codes},
        ownership_labels={c: OWNERSHIP.label(c) for c in OWNERSHIP.codes},
        steps=step_labels(), language_names=language_names(),
        weekly=charts.weekly_channels(records_per_week(session, scope), channel_labels),
        ladder_rows=charts.ladder_per_street(figures["streets"], step_labels()),
        ladder_legend=charts.ladder_legend(step_labels()),
        language_rows=charts.language_mix(figures["totals"]["languages"], language_names()),
        coordinator=user.role in COORDINATORS,
        savings=cache.cached_savings_report(session, user.neighbourhood_ids, scope.first, scope.last),
        savings_units=SAVINGS_UNITS,
    )


@bp.route("/map")
def coverage_map():
    user = require_user(*READERS)
    query, errors = _period()
    metric = request.args.get("metric", "coverage")
    metric = metric if metric in METRICS else "coverage"
    params = {"metric": metric, **{k: request.args[k] for k in ("from", "to") if not errors and request.args.get(k)}}
    labels = {
        "households": _("Households"), "reached": _("Reached"), "coverage": _("Coverage"),
        "trust_index": _("Trust index"), "records": _("Records"), "refusals": _("Refusals"),
        "anonymous_contacts": _("Anonymous contacts"), "no_data": _("No figure yet"),
        "open_street": _("Open the street page"), "koppelkansen": _("Koppelkansen"),
        "savings_per_home": _("Saved per home, euros a year"), "homes_with_measures": _("Homes with measures"),
    }
    config = {
        "geojson": url_for("dashboard_api.map_streets", **params),
        "street_url": url_for("dashboard.street", street_id=0),
        "metric": metric,
        "savings_band": SAVINGS_BAND,
        "tiles": current_app.config.get("TILE_URL") or "",
        "attribution": current_app.config.get("TILE_ATTRIBUTION") or "",
        "labels": labels,
    }
    return render_template("dashboard/map.html", config=json.dumps(config), metric=metric, query=query,
                           errors=errors, coordinator=user.role in COORDINATORS, user=user, bands=legend_bands(metric))


SAVINGS_BAND = 50  # euros a year per home
# The savings section's rows: the figure's key and how its unit reads.
SAVINGS_UNITS = {"kwh": _l("kWh electricity"), "gas_m3": _l("m³ gas"), "water_m3": _l("m³ water"),
                 "euros": _l("euros")}


def legend_bands(metric: str) -> list[str]:
    """The five colour bands of map.js's band(), as the locale writes them (0–20%, %0–%20)."""
    edges = [i / 5 for i in range(6)]
    if metric == "savings_per_home":
        # Keep in step with map.js: a band per SAVINGS_BAND euros, the last one open.
        return [f"€{number(i * SAVINGS_BAND)}–{number((i + 1) * SAVINGS_BAND)}" for i in range(4)] + \
            [f"≥ €{number(4 * SAVINGS_BAND)}"]
    show = percent if metric == "coverage" else (lambda share: number(share * 100))
    return [f"{show(low)}–{show(high)}" for low, high in zip(edges, edges[1:])]


def _street_or_404(user, street_id: int) -> Street:
    street = get_session().get(Street, street_id)
    if street is None or street.neighbourhood_id not in user.neighbourhood_ids:
        abort(404)
    return street


@bp.route("/streets/<int:street_id>")
def street(street_id: int):
    user = require_user(*READERS)
    street = _street_or_404(user, street_id)
    query, errors = _period()
    session = get_session()
    scope = scope_for(user, query, street_id=street.id)
    figures = cache.cached_street_figures(session, scope)
    coordinator = user.role in COORDINATORS
    if coordinator:
        audit.record("address_view", street_id=street.id, view="dashboard.street")
    return render_template(
        "dashboard/street.html", street=street, row=figures["streets"][0], query=query, errors=errors,
        recent=recent_visits(session, street.id), steps=step_labels(),
        channel_labels={code: CHANNELS.label(code) for code in CHANNELS.codes},
        tenure_labels={c: TENURES.label(c) for c in TENURES.codes}, language_names=language_names(),
        ownership_labels={c: OWNERSHIP.label(c) for c in OWNERSHIP.codes},
        # Address-level data only for those who need it; in blocks of house numbers, folded, so a
        # street of 320 flats is a short page on a phone.
        address_blocks=address_groups(address_rows(session, scope)) if coordinator else None,
        coordinator=coordinator,
    )


@bp.route("/followup")
def followup():
    """The follow-up queue's old address: now the desk, opening on the open referrals as the queue did."""
    user = require_user(*COORDINATORS)
    return desk_page(user, "dashboard.followup", "dashboard.answer_from_queue", default_status="open")


@bp.route("/followup/<int:referral_id>/answer", methods=["POST"])
def answer_from_queue(referral_id: int):
    user = require_user(*COORDINATORS)
    followup_ = get_session().scalar(visible_followups(user).where(FollowUp.referral_id == referral_id))
    if followup_ is None:
        abort(404)
    answer_and_flash(user, followup_)
    return back_to_list("dashboard.followup")


@bp.app_template_global("dash_period_args")
def period_args() -> dict:
    """The period of the current page, to carry into links."""
    return {k: request.args[k] for k in ("from", "to") if request.args.get(k)}

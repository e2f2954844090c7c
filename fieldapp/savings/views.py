"""The coordinator's screen of savings figures and prices: every version with its source, and a
form to add a newer one from a day (an old version is never edited)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError

from ..access import require_user
from ..api import translate_messages
from ..codes import MEASURES
from ..db import get_session, write_transaction
from .models import CARRIERS, LEVELS
from .operations import CONFLICT, CREATED, add_figure, add_price, figures, prices
from .schemas import QUANTITIES, FigureIn, PriceIn

bp = Blueprint("savings_pages", __name__, url_prefix="/savings", template_folder="templates")
COORDINATORS = ("coordinator", "admin")

CARRIER_LABELS = {"electricity": _l("Electricity (per kWh)"), "gas": _l("Gas (per m³)"), "water": _l("Water (per m³)")}
QUANTITY_LABELS = {"kwh": _l("kWh electricity"), "gas_m3": _l("m³ gas"), "water_m3": _l("m³ water")}
LEVEL_LABELS = {"low": _l("Low"), "default": _l("Default"), "high": _l("High")}


def field_labels() -> dict:
    """What the form calls each field, to say which one a message is about."""
    labels = {"measure": _("Measure"), "carrier": _("Carrier"), "valid_from": _("Valid from"), "source": _("Source"),
              "euro_per_unit": _("Euros per unit")}
    for q in QUANTITIES:
        for level in LEVELS:
            labels[f"{q}_{level}"] = f"{QUANTITY_LABELS[q]}: {LEVEL_LABELS[level]}"
    return labels


def _page(errors: dict | None = None, which: str | None = None, status: int = 200):
    session = get_session()
    return render_template(
        "savings/index.html", figures=figures(session), prices=prices(session), errors=errors or {}, which=which,
        form=request.form if errors else {}, measure_labels={c: MEASURES.label(c) for c in MEASURES.codes},
        carrier_labels=CARRIER_LABELS, quantity_labels=QUANTITY_LABELS, level_labels=LEVEL_LABELS,
        quantities=QUANTITIES, levels=LEVELS, carriers=CARRIERS, field_labels=field_labels(),
    ), status


@bp.get("/")
def index():
    require_user(*COORDINATORS)
    return _page()


def _add(which: str, schema, data: dict, add):
    user = require_user(*COORDINATORS)
    session = get_session()
    try:
        loaded = schema().load(data)
        with write_transaction(session):
            status, _row = add(session, loaded, user.id)
    except ValidationError as err:
        return _page(translate_messages(err.normalized_messages()), which, 422)
    if status == CONFLICT:
        return _page({"valid_from": [_("A version from that day exists already; choose another day.")]}, which, 409)
    flash(_("New version saved.") if status == CREATED else _("This version was already saved."), "ok")
    return redirect(url_for("savings_pages.index"))


@bp.post("/figures")
def add_figure_version():
    form = request.form
    data = {"measure": form.get("measure", ""), "valid_from": form.get("valid_from", ""),
            "source": form.get("source", "")}
    for q in QUANTITIES:
        for level in LEVELS:
            value = form.get(f"{q}_{level}", "").strip().replace(",", ".")
            if value:
                data[f"{q}_{level}"] = value
    return _add("figure", FigureIn, data, add_figure)


@bp.post("/prices")
def add_price_version():
    form = request.form
    data = {"carrier": form.get("carrier", ""), "valid_from": form.get("valid_from", ""),
            "euro_per_unit": form.get("euro_per_unit", "").strip().replace(",", "."), "source": form.get("source", "")}
    return _add("price", PriceIn, data, add_price)

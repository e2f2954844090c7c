"""The savings API: figures and prices (versions by day). The savings of a period are the
dashboard's (dashboard/api.py), which keeps its answers."""
from __future__ import annotations

from flask_babel import gettext
from flask_smorest import Blueprint

from ..access import require_user
from ..api import error_response
from ..db import get_session, write_transaction
from .operations import CONFLICT, CREATED, add_figure, add_price, figures, prices
from .schemas import FigureIn, FigureList, FigureOut, FigureQuery, PriceIn, PriceList, PriceOut, PriceQuery

COORDINATORS = ("coordinator", "admin")

blp = Blueprint("savings", __name__, url_prefix="/api/v1", description="What it saved: figures, prices, savings")


@blp.route("/savings/figures", methods=["GET"])
@blp.arguments(FigureQuery, location="query")
@blp.response(200, FigureList)
def get_figures(query):
    """Every version of the savings per unit per year, by measure and valid-from day."""
    require_user(*COORDINATORS)
    return {"figures": figures(get_session(), query.get("measure"))}


@blp.route("/savings/figures", methods=["POST"])
@blp.arguments(FigureIn)
@blp.response(201, FigureOut)
@blp.alt_response(200, schema=FigureOut, description="The identical version was already stored (a retry)")
@blp.alt_response(409, description="This measure already has a different version from that day; nothing changed")
def post_figure(data):
    """Add a version of a measure's saving from a day on (a past period keeps the version valid then)."""
    user = require_user(*COORDINATORS)
    session = get_session()
    with write_transaction(session):
        status, row = add_figure(session, data, user.id)
    if status == CONFLICT:
        return error_response(409, message=gettext("This measure already has other figures from that day."))
    return row, 201 if status == CREATED else 200


@blp.route("/savings/prices", methods=["GET"])
@blp.arguments(PriceQuery, location="query")
@blp.response(200, PriceList)
def get_prices(query):
    """Every version of the energy and water prices, by carrier and valid-from day."""
    require_user(*COORDINATORS)
    return {"prices": prices(get_session(), query.get("carrier"))}


@blp.route("/savings/prices", methods=["POST"])
@blp.arguments(PriceIn)
@blp.response(201, PriceOut)
@blp.alt_response(200, schema=PriceOut, description="The identical price was already stored (a retry)")
@blp.alt_response(409, description="This carrier already has a different price from that day; nothing changed")
def post_price(data):
    """Add a price from a day on."""
    user = require_user(*COORDINATORS)
    session = get_session()
    with write_transaction(session):
        status, row = add_price(session, data, user.id)
    if status == CONFLICT:
        return error_response(409, message=gettext("This carrier already has another price from that day."))
    return row, 201 if status == CREATED else 200

from flask_smorest import Blueprint

from ..access import require_user
from ..db import get_session
from .operations import street_rows, streets_of
from .schemas import StreetList, StreetQuery

blp = Blueprint("streets", __name__, url_prefix="/api/v1/streets", description="Streets of the user's neighbourhoods")


@blp.route("", methods=["GET"])
@blp.arguments(StreetQuery, location="query")
@blp.response(200, StreetList)
def list_streets(query):
    """Streets of my neighbourhoods, nearest first with `near=lat,lon`, else by name."""
    user = require_user()
    streets = streets_of(get_session(), user.neighbourhood_ids)
    return {"streets": street_rows(streets, query.get("near"), query.get("q"), query["limit"])}
